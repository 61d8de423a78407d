"""Regions above districts (issue 11): a three-level roster, a region admin's scope everywhere, forged
buttons for the other region refused, and the escalation that climbs to the region."""
from __future__ import annotations

import csv
import io
from datetime import datetime

import pydantic
import pytest
from aiogram.methods import SendMessage
from openpyxl import load_workbook as load

from bot.config import AdminEntry
from bot.features.export.service import export_command
from bot.features.reminders.due_work import run_due_work
from bot.telegram.admin import AdminCb
from tests.support.harness import Harness, at
from tests.support.people import BRANCH, admin, nowhere
from tests.support.regions import REGION_ADMIN, ROSTER, TURKISTAN, TURKISTAN_ORGS, ZHAMBYL, ZHAMBYL_ORGS, three_levels
from tests.support.seen import documents, shown


async def test_a_three_level_roster_imports_with_a_district_name_shared_by_two_regions(harness):
    await three_levels(harness)
    db = harness.app.db
    rows = await db.fetchall("SELECT g.name, d.name FROM districts d JOIN regions g ON g.id = d.region_id "
                             "WHERE d.name = 'Орталық ауданы' ORDER BY g.name")
    assert [tuple(r) for r in rows] == [(ZHAMBYL, "Орталық ауданы"), (TURKISTAN, "Орталық ауданы")]
    codes = await db.fetchall("SELECT org_code FROM organizations WHERE org_code IS NOT NULL ORDER BY org_code")
    assert [r[0] for r in codes] == ["TU-1", "TU-2", "TU-3", "ZH-1", "ZH-2", "ZH-3"]
    # Importing the same file again changes nothing.
    boss = harness.client(BRANCH, language_code="ru")
    await boss.send_document(ROSTER.encode(), "roster.csv")
    assert tuple(await db.fetchone("SELECT COUNT(*) FROM districts WHERE name = 'Орталық ауданы'")) == (2,)
    assert tuple(await db.fetchone("SELECT COUNT(*) FROM organizations")) == (3 + 6,)


async def test_a_region_admin_sees_and_exports_only_their_region(harness):
    await three_levels(harness)
    boss = await admin(harness, REGION_ADMIN)
    seen = shown(await boss.send("/stats"))
    assert all(name in seen for name in ("Талас ауданы", "Мерке ауданы", "Орталық ауданы"))
    assert "Сарыағаш" not in seen and "Түлкібас" not in seen and "Сайрам" not in seen
    calls = await boss.send("/codes")
    rows = list(csv.reader(io.StringIO(documents(calls)[0].document.data.decode("utf-8-sig"))))
    assert rows[0] == ["region", "district", "organization", "code", "org_code"]
    assert {r[2] for r in rows[1:]} == set(ZHAMBYL_ORGS) and {r[0] for r in rows[1:]} == {ZHAMBYL}
    calls = await boss.press_data(AdminCb(action="exp", month="2026-11").pack(), nowhere(REGION_ADMIN))
    workbook = load(io.BytesIO(documents(calls)[0].document.data))
    names = {row[1] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert names == set(ZHAMBYL_ORGS)
    digest = shown(await boss.send("/digest"))
    assert ZHAMBYL in digest and "Ванновка" not in digest and "Түлкібас" not in digest


async def test_forged_buttons_for_the_other_region_are_refused(harness):
    await three_levels(harness)
    boss = await admin(harness, REGION_ADMIN)
    db = harness.app.db
    other = (await db.fetchone("SELECT d.id FROM districts d JOIN regions g ON g.id = d.region_id "
                               "WHERE g.name = ? AND d.name = 'Орталық ауданы'", (TURKISTAN,)))[0]
    kentau = (await db.fetchone("SELECT id FROM organizations WHERE name = 'Кентау колледжі'"))[0]
    code = (await db.fetchone("SELECT invite_code FROM organizations WHERE id = ?", (kentau,)))[0]
    for cb in (AdminCb(action="code_d", district=other), AdminCb(action="code_op", district=other, page=0),
               AdminCb(action="code_o", org=kentau), AdminCb(action="code_ok", org=kentau),
               AdminCb(action="ro_d", month="2026-10", district=other),
               AdminCb(action="ro_o", month="2026-10", org=kentau),
               AdminCb(action="org_o", org=kentau), AdminCb(action="org_rc", org=kentau)):
        calls = await boss.press_data(cb.pack(), nowhere(REGION_ADMIN))
        assert not any(name in shown(calls) for name in TURKISTAN_ORGS), cb
    assert (await db.fetchone("SELECT invite_code FROM organizations WHERE id = ?", (kentau,)))[0] == code
    # The same district name in their own region is theirs.
    own = (await db.fetchone("SELECT d.id FROM districts d JOIN regions g ON g.id = d.region_id "
                             "WHERE g.name = ? AND d.name = 'Орталық ауданы'", (ZHAMBYL,)))[0]
    assert "Тараз емханасы" in shown(await boss.press_data(AdminCb(action="code_d", district=own).pack(),
                                                           nowhere(REGION_ADMIN)))


async def _tick(harness, clock, moment: datetime) -> list[SendMessage]:
    clock.set(moment)
    before = len(harness.session.requests)
    await run_due_work(harness.app, harness.bot, moment)
    return [c for c in harness.session.requests[before:] if isinstance(c, SendMessage)]


async def test_the_escalation_climbs_to_the_region_after_n_days_in_its_admins_language(harness, clock):
    clock.set(at("2026-11-20 10:00"))
    await three_levels(harness)
    await admin(harness, REGION_ADMIN, locale="kk")
    days = harness.app.config.calendar.region_escalation_days
    # October was due on 5 November: the districts' escalation on the 6th, the region's N days later.
    sent = await _tick(harness, clock, at("2026-12-06 09:00"))
    assert REGION_ADMIN not in {c.chat_id for c in sent}
    sent = await _tick(harness, clock, at(f"2026-12-{6 + days:02d} 09:00"))
    to_region = [c.text for c in sent if c.chat_id == REGION_ADMIN and ZHAMBYL in c.text]
    assert len(to_region) == 1
    text = to_region[0]
    assert "Талас ауданы" in text and "Мерке ауданы" in text and "Орталық ауданы" in text
    assert "Сарыағаш" not in text and "Сайрам" not in text
    assert "аудандар" in text  # in Kazakh
    again = await _tick(harness, clock, at(f"2026-12-{7 + days:02d} 09:30"))
    assert not [c for c in again if c.chat_id == REGION_ADMIN and ZHAMBYL in c.text]


async def test_the_branch_admin_adds_a_region_admin_in_admins(harness):
    await three_levels(harness)
    boss = harness.client(BRANCH, language_code="ru")
    await boss.send("/admins")
    await boss.press("➕ Добавить администратора")
    await boss.send("7200")
    await boss.press(f"Область: {ZHAMBYL}")
    assert "7200" in boss.reply
    grant = await harness.app.repos.admins.grant(7200)
    assert grant is not None and grant.scope == "region"
    assert grant.region_id == await harness.app.repos.orgs.region_by_name(ZHAMBYL)
    await boss.send("/admins")
    assert f"область: {ZHAMBYL}" in boss.reply
    newcomer = await admin(harness, 7200)
    seen = shown(await newcomer.send("/stats"))
    assert "Талас ауданы" in seen and "Сарыағаш" not in seen


async def test_bastau_export_of_one_region_and_of_a_district_named_in_two(harness, config, tmp_path, capsys):
    await three_levels(harness)
    out = tmp_path / "zhambyl.xlsx"
    assert await export_command(config, "2026-11", out, False, None, "ru", ZHAMBYL) == 0
    assert {r[1] for r in load(out).worksheets[0].iter_rows(min_row=2, values_only=True)} == set(ZHAMBYL_ORGS)
    assert await export_command(config, "2026-11", out, False, "Орталық ауданы", "ru") == 2
    assert "add --region" in capsys.readouterr().err
    assert await export_command(config, "2026-11", out, False, "Орталық ауданы", "ru", TURKISTAN) == 0
    assert {r[1] for r in load(out).worksheets[0].iter_rows(min_row=2, values_only=True)} == {"Кентау колледжі"}


async def test_the_branch_sees_progress_by_region_then_by_district(harness):
    await three_levels(harness)
    boss = harness.client(BRANCH, language_code="ru")
    digest = shown(await boss.send("/digest"))
    assert "По областям" in digest and f"{ZHAMBYL}: 0/3" in digest and f"{TURKISTAN}: 0/3" in digest
    stats = shown(await boss.send("/stats"))
    assert stats.index(f"<b>{ZHAMBYL}</b>: 0/3") < stats.index("Талас ауданы") < stats.index(f"<b>{TURKISTAN}</b>")


async def test_a_region_admin_reopens_reports_of_their_region_only(harness, clock):
    await three_levels(harness)
    db = harness.app.db
    for name in (ZHAMBYL_ORGS[0], TURKISTAN_ORGS[0]):
        org = (await db.fetchone("SELECT id FROM organizations WHERE name = ?", (name,)))[0]
        await harness.app.repos.reports.submit(org, "2026-10", None, {"members_total": 5}, False, clock.now())
    boss = await admin(harness, REGION_ADMIN)
    await boss.press_data(AdminCb(action="ro_m", month="2026-10").pack(), nowhere(REGION_ADMIN))
    assert "Талас ауданы" in boss.buttons() and "Сарыағаш ауданы" not in boss.buttons()
    await boss.press("Талас ауданы")
    assert ZHAMBYL_ORGS[0] in boss.buttons()


async def test_bootstrap_region_and_district_admins_from_config(config, clock):
    entries = (*config.admins, AdminEntry(telegram_id=7300, scope="region", region=ZHAMBYL),
               AdminEntry(telegram_id=7301, scope="district", district="Орталық ауданы", region=TURKISTAN))
    harness = await Harness.create(config.model_copy(update={"admins": entries}), clock)
    try:
        await three_levels(harness)
        regional = shown(await (await admin(harness, 7300)).send("/stats"))
        assert "Мерке ауданы" in regional and "Түлкібас" not in regional
        district = await admin(harness, 7301)
        calls = await district.press_data(AdminCb(action="exp", month="2026-11").pack(), nowhere(7301))
        sheet = load(io.BytesIO(documents(calls)[0].document.data)).worksheets[0]
        assert {r[1] for r in sheet.iter_rows(min_row=2, values_only=True)} == {"Кентау колледжі"}
    finally:
        await harness.close()


def test_a_region_admin_needs_its_region_in_config():
    with pytest.raises(pydantic.ValidationError, match="region admin needs 'region'"):
        AdminEntry(telegram_id=1, scope="region")
    with pytest.raises(pydantic.ValidationError, match="has no 'district'"):
        AdminEntry(telegram_id=1, scope="region", region="X", district="Y")
