"""Renames, moves and archives (issue 11): a re-import matches by org_code and says what was renamed and
moved, keeping the history; organizations left out of a full roster are archived on the admin's
confirmation: no reminders, not missing, past exports unchanged."""
from __future__ import annotations

import io

from aiogram.methods import SendMessage
from openpyxl import load_workbook

from bot.features.reminders.due_work import run_due_work
from bot.telegram.admin import AdminCb
from tests.support.harness import at
from tests.support.people import BRANCH, admin, nowhere, org_id, register
from tests.support.seen import audit_entries, documents, shown

HEADER = "district,organization,sector,members,org_code\n"
SEEDED = ("Сайрам ауданы,Құтарыс,social,400,\nСайрам ауданы,Қайнарбұлақ,agriculture,500,\n"
          "Байзақ ауданы,Мектеп №5,social,120,\n")
FIRST = HEADER + SEEDED + ("Талас ауданы,Ақкөл,social,100,T-1\nТалас ауданы,Жаңа жол,social,50,T-2\n"
                           "Мерке ауданы,Мерке мектебі,social,60,M-1\n")
# Ақкөл renamed (same org_code), Жаңа жол moved to Мерке ауданы, Мерке мектебі left out (closed).
SECOND = HEADER + SEEDED + "Талас ауданы,Ақкөл ауылы,social,100,T-1\nМерке ауданы,Жаңа жол,social,50,T-2\n"


async def export_names(client, month: str) -> dict[str, tuple]:
    calls = await client.press_data(AdminCb(action="exp", month=month).pack(), nowhere(client.user_id))
    sheet = load_workbook(io.BytesIO(documents(calls)[0].document.data)).worksheets[0]
    return {row[1]: row for row in list(sheet.iter_rows(values_only=True))[1:]}


async def test_a_reimport_renames_and_moves_then_the_left_out_are_archived(harness, clock):
    clock.set(at("2026-10-27 10:00"))
    boss = await admin(harness, BRANCH)
    await boss.send_document(FIRST.encode(), "roster.csv")
    await register(harness, 1001, "ru", "Ақкөл", name="Нұрова Әсел")
    await register(harness, 1002, "kk", "Мерке мектебі", name="Омаров Ерлан")
    await register(harness, 1003, "ru", "Құтарыс", name="Асанов Айбек")
    reports = harness.app.repos.reports
    for chair, org in ((1001, "Ақкөл"), (1002, "Мерке мектебі")):
        await reports.submit(await org_id(harness, org), "2026-10", chair, {"members_total": 10}, False, clock.now())
    akkol, zhana, merke = [await org_id(harness, n) for n in ("Ақкөл", "Жаңа жол", "Мерке мектебі")]
    october = await export_names(boss, "2026-10")

    clock.set(at("2026-11-26 10:00"))
    await boss.send_document(SECOND.encode(), "roster.csv")
    said = shown(boss.last_calls)
    assert "Переименованы: Ақкөл → Ақкөл ауылы (Талас ауданы)" in said
    assert "Перенесены в другой район: Жаңа жол: Талас ауданы → Мерке ауданы" in said
    assert "Организаций в боте, которых нет в файле: 1" in said and "Мерке мектебі (Мерке ауданы)" in said
    # The same organizations, history kept.
    assert await org_id(harness, "Ақкөл ауылы") == akkol and await org_id(harness, "Жаңа жол") == zhana
    assert (await reports.get(akkol, "2026-10")) is not None
    assert (await harness.app.repos.users.get(1001)).org_id == akkol
    entry = (await audit_entries(harness))[-1]
    assert entry["details"]["renamed"] == 1 and entry["details"]["moved"] == 1 and entry["details"]["absent"] == 1

    await boss.press("🗄 Отправить в архив отсутствующие (1)")
    assert "Отправлено в архив: организаций — 1, районов — 0." in boss.reply
    assert (await harness.app.repos.orgs.get(merke)).archived
    # Not missing, not counted, no reminders.
    assert merke not in {s.org_id for s in await harness.app.repos.stats.missing("2026-11")}
    stats = shown(await boss.send("/stats"))
    assert "Мерке ауданы: 0/1" in stats
    moment = at("2026-11-26 10:05")
    before = len(harness.session.requests)
    await run_due_work(harness.app, harness.bot, moment)
    reminded = {c.chat_id for c in harness.session.requests[before:] if isinstance(c, SendMessage)}
    assert 1003 in reminded and 1002 not in reminded
    # Its code no longer registers anyone.
    assert await harness.app.repos.orgs.by_code((await harness.app.repos.orgs.get(merke)).invite_code) is None
    # October's export is as it was (the archived organization's report with it); November's leaves it out.
    past = await export_names(boss, "2026-10")
    assert past["Мерке мектебі"] == october["Мерке мектебі"]
    assert past["Ақкөл ауылы"][2:] == october["Ақкөл"][2:]
    assert "Мерке мектебі" not in await export_names(boss, "2026-11")


async def test_an_archived_organization_listed_again_comes_back(harness, clock):
    boss = await admin(harness, BRANCH)
    await boss.send_document(FIRST.encode(), "roster.csv")
    await boss.send_document(SECOND.encode(), "roster.csv")
    await boss.press("🗄 Отправить в архив отсутствующие (1)")
    await boss.send_document(FIRST.replace("Ақкөл,", "Ақкөл ауылы,").encode(), "roster.csv")
    assert "Возвращены из архива: Мерке мектебі (Мерке ауданы)" in shown(boss.last_calls)
    assert not (await harness.app.repos.orgs.get(await org_id(harness, "Мерке мектебі"))).archived


async def test_a_district_left_without_organizations_is_archived_too(harness):
    boss = await admin(harness, BRANCH)
    await boss.send_document(FIRST.encode(), "roster.csv")
    await boss.send_document((HEADER + SEEDED + "Талас ауданы,Ақкөл,social,100,T-1\n"
                              "Талас ауданы,Жаңа жол,social,50,T-2\n").encode(), "roster.csv")
    await boss.press("🗄 Отправить в архив отсутствующие (1)")
    assert "районов — 1" in boss.reply
    assert "Мерке ауданы" not in dict(await harness.app.repos.orgs.districts()).values()
    assert "Мерке ауданы" not in shown(await boss.send("/stats"))
