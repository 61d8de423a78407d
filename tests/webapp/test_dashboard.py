"""What the dashboard shows: an organization's card and months, a report with its answers and photos,
like-for-like trends and project participation, the month's workbook."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.support.webapp_world import BRANCH, DISTRICT, KUTARYS_CHAIR, file_report, register


async def test_an_organization_card_with_its_chair_and_last_twelve_months(api, world):
    card = await api.json(f"/app/api/orgs/{world['kutarys']}", DISTRICT)
    assert {k: card[k] for k in ("name", "district", "sector", "members")} == {
        "name": "Құтарыс", "district": "Сайрам ауданы", "sector": "social", "members": 400}
    assert card["chair"] == {"name": "Асанов Айбек", "phone": "+77010000001"}
    assert len(card["months"]) == 12
    assert [(m["month"], m["status"]) for m in card["months"][:3]] == [
        ("2026-11", "on_time"), ("2026-10", "on_time"), ("2026-09", "missing")]
    assert card["months"][-1]["month"] == "2025-12"
    mektep = await api.json(f"/app/api/orgs/{world['mektep']}", BRANCH)
    assert [(m["month"], m["status"]) for m in mektep["months"][:2]] == [("2026-11", "open"), ("2026-10", "late")]
    kainar = await api.json(f"/app/api/orgs/{world['kainar']}", DISTRICT)
    assert kainar["chair"] is None


async def test_a_report_with_its_answers_in_the_viewers_language_and_its_photos(api, world):
    report = await api.json(f"/app/api/orgs/{world['kutarys']}/reports/2026-11", DISTRICT)
    assert (report["month"], report["label"], report["late"]) == ("2026-11", "2026 жылғы қараша", False)
    assert (report["title"], report["filed_on"]) == ("2026 жылғы қараша айының есебі", "2026 жылғы 25 қараша")
    values = {a["key"]: a for a in report["answers"]}
    assert values["members_total"]["label"] == "Партия мүшелерінің жалпы саны"
    assert values["members_total"]["value"] == "410"
    assert values["projects"]["value"] == "«Ауыл аманаты»"
    assert values["needs"]["value"] is None and report["skipped"] == "жауап берілмеді"
    assert values["photos"]["photos"] == report["photos"] == [f"/app/api/photos/{report['id']}/0"]
    assert (await api.get(f"/app/api/orgs/{world['kutarys']}/reports/2026-09", DISTRICT)).status == 404


async def test_trends_compare_like_for_like_and_count_project_participation(api, harness, world):
    chair = 1004
    await register(harness, chair, "Қайнарбұлақ", "Омарова Гүлнар", None, "kk")
    # Қайнарбұлақ reports only in November: its 500 members must not count as growth.
    await file_report(harness, world["kainar"], "2026-11", chair, members_total=500,
                      projects=["auyl_amanaty", "zher_amanaty"])
    trends = await api.json("/app/api/trends", DISTRICT)
    assert [m["month"] for m in trends["months"]][-3:] == ["2026-09", "2026-10", "2026-11"]
    assert len(trends["months"]) == 12 and trends["reports"][-2:] == [1, 2]
    members = {f["key"]: f for f in trends["fields"]}["members_total"]
    assert members["label"] == "Партия мүшелерінің жалпы саны"
    november = members["points"][-1]
    assert (november["total"], november["reports"]) == (910, 2)
    assert (november["same_orgs"], november["same_now"], november["same_before"], november["change_pct"]) == (
        1, 410, 400, 2.5)  # Құтарыс alone, reported in both months
    assert members["points"][-2]["same_orgs"] == 0  # nobody reported in September
    assert {f["key"] for f in trends["fields"]} == {f.key for f in harness.app.config.form.fields if f.type == "int"}
    projects = trends["participation"][0]
    assert projects["key"] == "projects" and projects["any"][-2:] == [1, 2]
    counts = {o["key"]: o["counts"][-1] for o in projects["options"]}
    assert counts["auyl_amanaty"] == 2 and counts["zher_amanaty"] == 1 and counts["baqytty_otbasy"] == 0


async def test_the_export_is_the_workbook_of_export_in_the_callers_scope(api, world):
    response = await api.get("/app/api/export?month=2026-10", BRANCH)
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    cells = {str(c.value) for sheet in load_workbook(io.BytesIO(await response.read())).worksheets
             for row in sheet.iter_rows() for c in row if c.value is not None}
    assert "Мектеп №5" in cells and "Құтарыс" in cells
    district = await api.get("/app/api/export?month=2026-10", DISTRICT)
    cells = {str(c.value) for sheet in load_workbook(io.BytesIO(await district.read())).worksheets
             for row in sheet.iter_rows() for c in row if c.value is not None}
    assert "Құтарыс" in cells and "Мектеп №5" not in cells
    assert KUTARYS_CHAIR


async def test_trends_follow_every_change_of_the_reports_and_the_districts(api, harness, world):
    """The figures are kept between requests: each change of a month's reports must show at once."""
    def members(trends, district=None):
        return {f["key"]: f for f in trends["fields"]}["members_total"]["points"]

    before = await api.json("/app/api/trends", DISTRICT)
    assert [p["total"] for p in members(before)][-2:] == [400, 410]
    # A re-submission (an edit after /reopen) of October, and a new report for November.
    await file_report(harness, world["kutarys"], "2026-10", KUTARYS_CHAIR, members_total=390)
    chair = 1004
    await register(harness, chair, "Қайнарбұлақ", "Омарова Гүлнар", None, "kk")
    await file_report(harness, world["kainar"], "2026-11", chair, members_total=500)
    after = await api.json("/app/api/trends", DISTRICT)
    points = members(after)
    assert [p["total"] for p in points][-2:] == [390, 910]
    assert (points[-1]["same_now"], points[-1]["same_before"]) == (410, 390)  # like-for-like: Құтарыс
    # An organization moved to another district by a roster import.
    baizaq = dict((name, i) for i, name in await harness.app.repos.orgs.districts())["Байзақ ауданы"]
    await harness.app.db.execute("UPDATE organizations SET district_id = ? WHERE id = ?", (baizaq, world["kainar"]))
    moved = await api.json("/app/api/trends", DISTRICT)
    assert [p["total"] for p in members(moved)][-1] == 410
    await harness.app.db.execute("DELETE FROM reports WHERE org_id = ? AND month = '2026-11'", (world["kutarys"],))
    assert [p["total"] for p in members(await api.json("/app/api/trends", DISTRICT))][-1] == 0


async def test_the_workbook_can_be_sent_into_the_admins_chat(api, harness, world):
    from aiogram.methods import SendDocument

    response = await api.post("/app/api/export?month=2026-10", DISTRICT)
    assert (await response.json())["status"] == "sent"
    sent = [r for r in harness.session.requests if isinstance(r, SendDocument)]
    assert [(r.chat_id, r.document.filename, r.caption) for r in sent] == [
        (DISTRICT, "bastau-2026-10-Сайрам_ауданы.xlsx", "2026 жылғы қазан")]  # the district's workbook
    assert sent[0].document.data[:2] == b"PK"
    entry = (await harness.app.repos.audit.latest(1))[0]
    assert (entry.action, entry.details["via"], entry.details["district"]) == (
        "export", "webapp-chat", next(o.district_id for o in await harness.app.repos.orgs.all()
                                     if o.name == "Құтарыс"))
    assert (await api.post("/app/api/export?month=2026-10", KUTARYS_CHAIR)).status == 403


async def test_a_photo_telegram_cannot_give_is_a_bad_gateway_not_a_crash(api, harness, world):
    report = await api.json(f"/app/api/orgs/{world['kutarys']}/reports/2026-11", DISTRICT)
    harness.session.queue("GetFile", {"ok": False, "error_code": 400, "description": "Bad Request: file not found"})
    assert (await api.get(report["photos"][0], DISTRICT)).status == 502
