"""Each admin sees exactly their scope; chairs and guests get 403 on admin endpoints."""
from __future__ import annotations

import pytest

from tests.support.webapp_world import BRANCH, DISTRICT, KUTARYS_CHAIR, MEKTEP_CHAIR


async def test_the_branch_admin_sees_every_district_and_the_district_admin_only_theirs(api, world):
    branch = await api.json("/app/api/progress?month=2026-11", BRANCH)
    assert branch["month"] == "2026-11"
    assert branch["districts"] == [
        {"region": None, "district": "Байзақ ауданы", "district_id": branch["districts"][0]["district_id"],
         "organizations": 1, "submitted": 0, "late": 0, "missing": 1, "returned": 0, "accepted": 0},
        {"region": None, "district": "Сайрам ауданы", "district_id": branch["districts"][1]["district_id"],
         "organizations": 2, "submitted": 1, "late": 0, "missing": 1, "returned": 0, "accepted": 0}]
    assert {m["organization"] for m in branch["missing_orgs"]} == {"Мектеп №5", "Қайнарбұлақ"}

    district = await api.json("/app/api/progress?month=2026-11", DISTRICT)
    assert [(d["district"], d["organizations"], d["submitted"], d["missing"]) for d in district["districts"]] == [
        ("Сайрам ауданы", 2, 1, 1)]
    assert [(m["organization"], m["chair"], m["phone"], m["can_remind"]) for m in district["missing_orgs"]] == [
        ("Қайнарбұлақ", None, None, False)]  # no chair registered there

    october = await api.json("/app/api/progress?month=2026-10", BRANCH)
    assert [(d["district"], d["submitted"], d["late"]) for d in october["districts"]] == [
        ("Байзақ ауданы", 1, 1), ("Сайрам ауданы", 1, 0)]
    assert october["days_left"] < 0 and not october["open"]


async def test_progress_defaults_to_the_open_month_with_its_deadline(api, world):
    progress = await api.json("/app/api/progress", DISTRICT)
    assert (progress["month"], progress["open"], progress["due"], progress["days_left"]) == (
        "2026-11", True, "2026-12-05", 9)
    assert progress["deadline"] == "9 күн қалды"
    assert (await api.get("/app/api/progress?month=November", DISTRICT)).status == 400


@pytest.mark.parametrize("user_id", [KUTARYS_CHAIR, 5555])  # a chair, a guest
async def test_chairs_and_guests_get_403_on_admin_endpoints(api, world, user_id):
    for path in ["/app/api/progress", "/app/api/trends", f"/app/api/orgs/{world['kutarys']}",
                 f"/app/api/orgs/{world['kutarys']}/reports/2026-11", "/app/api/export?month=2026-11",
                 "/app/api/photos/1/0"]:
        response = await api.get(path, user_id)
        assert response.status == 403, path
    response = await api.post(f"/app/api/orgs/{world['kainar']}/remind", user_id)
    assert response.status == 403


async def test_an_organization_or_photo_of_another_district_is_403_for_a_district_admin(api, harness, world):
    mektep = world["mektep"]  # Байзақ ауданы
    assert (await api.get(f"/app/api/orgs/{mektep}", DISTRICT)).status == 403
    assert (await api.get(f"/app/api/orgs/{mektep}/reports/2026-10", DISTRICT)).status == 403
    assert (await api.post(f"/app/api/orgs/{mektep}/remind", DISTRICT)).status == 403
    report = await api.json(f"/app/api/orgs/{mektep}/reports/2026-10", BRANCH)
    assert report["photos"] == [f"/app/api/photos/{report['id']}/0"]
    assert (await api.get(report["photos"][0], DISTRICT)).status == 403
    branch_photo = await api.get(report["photos"][0], BRANCH)
    assert branch_photo.status == 200 and await branch_photo.read() == b"\xff\xd8\xff mektep photo"
    # Their own district's organization and photo are theirs to see.
    own = await api.json(f"/app/api/orgs/{world['kutarys']}/reports/2026-11", DISTRICT)
    photo = await api.get(own["photos"][0], DISTRICT)
    assert photo.status == 200 and await photo.read() == b"\xff\xd8\xff kutarys photo"
    assert (await api.get(f"/app/api/photos/{own['id']}/1", DISTRICT)).status == 404  # only one photo
    for path in ("/app/api/orgs/99999", "/app/api/orgs/" + "9" * 40, "/app/api/orgs/abc",
                 "/app/api/photos/" + "9" * 40 + "/0", f"/app/api/photos/{own['id']}/" + "9" * 40):
        assert (await api.get(path, DISTRICT)).status == 404, path


async def test_the_trends_and_export_of_a_district_admin_hold_only_their_district(api, harness, world):
    district = await api.json("/app/api/trends", DISTRICT)
    branch = await api.json("/app/api/trends", BRANCH)
    members = {t["key"]: t for t in district["fields"]}["members_total"]["points"]
    assert [p["total"] for p in members][-2:] == [400, 410]  # Құтарыс only
    branch_members = {t["key"]: t for t in branch["fields"]}["members_total"]["points"]
    assert [p["total"] for p in branch_members][-2:] == [520, 410]  # with Мектеп №5 in October
    response = await api.get("/app/api/export?month=2026-10", DISTRICT)
    assert response.status == 200 and (await response.read())[:2] == b"PK"
    assert "Sairam" in response.headers["Content-Disposition"] or "%D0%A1" in response.headers["Content-Disposition"]
    entry = (await harness.app.repos.audit.latest(1))[0]
    assert (entry.actor_id, entry.actor_role, entry.action, entry.object_ref) == (
        DISTRICT, "district", "export", "month:2026-10")
    assert MEKTEP_CHAIR  # Мектеп №5's chair is in the branch's workbook only (checked in test_dashboard)


async def test_the_organizations_of_a_district_with_their_status(api, world):
    listing = await api.json("/app/api/orgs?month=2026-11", DISTRICT)
    assert [(o["organization"], o["status"], o["chair"]) for o in listing["organizations"]] == [
        ("Қайнарбұлақ", "missing", None), ("Құтарыс", "on_time", "Асанов Айбек")]
    assert listing["open"] and [o["can_remind"] for o in listing["organizations"]] == [False, True]
    branch = await api.json("/app/api/orgs?month=2026-10", BRANCH)
    assert {o["organization"]: o["status"] for o in branch["organizations"]}["Мектеп №5"] == "late"
    mektep_district = next(o for o in await api.harness.app.repos.orgs.all() if o.name == "Мектеп №5").district_id
    assert (await api.get(f"/app/api/orgs?district_id={mektep_district}", DISTRICT)).status == 403
    one = await api.json(f"/app/api/orgs?district_id={mektep_district}", BRANCH)
    assert [o["organization"] for o in one["organizations"]] == ["Мектеп №5"]
    assert (await api.get("/app/api/orgs", KUTARYS_CHAIR)).status == 403


async def test_the_missing_list_is_capped_with_its_total(api, world, monkeypatch):
    from bot.features.webapp import dashboard

    monkeypatch.setattr(dashboard, "MISSING_SHOWN", 1)
    progress = await api.json("/app/api/progress", BRANCH)
    assert progress["missing_total"] == 2
    assert [m["organization"] for m in progress["missing_orgs"]] == ["Мектеп №5"]  # Байзақ ауданы comes first
