"""A chair handed over (issue 11): the admin replaces the chair from /org, the old code stops at once,
the new chair's registration closes the previous chair's account (told in their language), and every
report stays with the organization under the name of whoever filed it."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.telegram.admin import AdminCb
from tests.support.harness import at
from tests.support.people import BRANCH, SAIRAM_ADMIN, admin, nowhere, org_id, register
from tests.support.report import file_quickly
from tests.support.roster import code_of
from tests.support.seen import audit_entries, documents, shown

FAREWELL = {"kk": "жаңа төрағасы ботқа тіркелді", "ru": "зарегистрировался новый председатель"}
NOT_A_CHAIR = {"kk": "тіркелген төрағалары тапсырады", "ru": "сдают зарегистрированные председатели"}


async def export_rows(client, month: str) -> dict[str, list]:
    """The reports sheet of a month's export, by organization, as the branch admin gets it."""
    calls = await client.press_data(AdminCb(action="exp", month=month).pack(), nowhere(client.user_id))
    sheet = load_workbook(io.BytesIO(documents(calls)[0].document.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    return {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}


async def replace_from_org(client, name: str) -> str:
    """/org NAME, «Replace the chair», confirm: the new code shown to the admin."""
    await client.send(f"/org {name}")
    await client.press("Заменить председателя")
    await client.press("✅ Да, заменить председателя")
    return client.reply


async def test_a_chair_is_handed_over_and_the_history_stays(harness, clock):
    clock.set(at("2026-10-27 10:00"))
    chair_a = await register(harness, 1001, "kk", "Құтарыс", name="Асанов Айбек")
    await file_quickly(harness, chair_a, "kk")                       # October, by A
    old_code = await code_of(harness.app.db, "Құтарыс")
    clock.set(at("2026-11-26 10:00"))
    district = await admin(harness, SAIRAM_ADMIN)
    shown_code = await replace_from_org(district, "Құтарыс")
    new_code = await code_of(harness.app.db, "Құтарыс")
    assert new_code != old_code and new_code in shown_code
    entry = (await audit_entries(harness))[-1]
    assert entry["action"] == "org.replace_chair" and entry["details"]["chair"] == 1001
    # The old code stops working at once.
    stranger = harness.client(5005, language_code="ru")
    await stranger.send("/start")
    await stranger.press("Русский")
    await stranger.send(old_code)
    assert (await harness.app.repos.users.get(5005)).org_id is None
    # B registers with the new code: A is unbound and told, in Kazakh.
    before = len(harness.session.requests)
    chair_b = await register(harness, 1002, "ru", "Құтарыс", name="Петрова Анна")
    told = [c.text for c in harness.session.requests[before:] if getattr(c, "chat_id", None) == 1001]
    assert any(FAREWELL["kk"] in text for text in told), told
    assert (await harness.app.repos.users.get(1001)).org_id is None
    assert (await harness.app.repos.users.get(1002)).org_id == await org_id(harness, "Құтарыс")
    # A's /report no longer works.
    await chair_a.send("/report")
    assert NOT_A_CHAIR["kk"] in chair_a.reply
    await file_quickly(harness, chair_b, "ru")                       # November, by B
    # B's quick answers break the members continuity with A's October: the warning, then confirmed anyway.
    assert "Всё равно подтвердить" in str(chair_b.last_calls)
    await chair_b.press("✅ Всё равно подтвердить")
    boss = await admin(harness, BRANCH)
    october, november = await export_rows(boss, "2026-10"), await export_rows(boss, "2026-11")
    assert october["Құтарыс"]["Кто сдал"] == "Асанов Айбек"
    assert november["Құтарыс"]["Кто сдал"] == "Петрова Анна"
    assert november["Құтарыс"]["Председатель"] == october["Құтарыс"]["Председатель"] == "Петрова Анна"


async def test_a_district_admin_cannot_replace_the_chair_of_another_district(harness):
    await register(harness, 1003, "ru", "Мектеп №5")
    district = await admin(harness, SAIRAM_ADMIN)
    code = await code_of(harness.app.db, "Мектеп №5")
    seen = shown(await district.send("/org Мектеп"))
    assert "Мектеп №5" not in seen and "Среди ваших организаций нет" in seen
    school = await org_id(harness, "Мектеп №5")
    for action in ("org_o", "org_rc", "org_rc_ok"):
        calls = await district.press_data(AdminCb(action=action, org=school).pack(), nowhere(SAIRAM_ADMIN))
        assert "Мектеп №5" not in shown(calls) and "вне вашего района" in shown(calls)
    assert await code_of(harness.app.db, "Мектеп №5") == code
    assert (await harness.app.repos.users.get(1003)).org_id == school


async def test_a_join_request_is_approved_as_a_replacement(harness):
    district = await admin(harness, SAIRAM_ADMIN)
    guest = harness.client(5003, language_code="ru")
    await guest.send("/start")
    await guest.press("Русский")
    await guest.press("У меня нет кода")
    await guest.press("Сайрам ауданы")
    await guest.press("Құтарыс")
    await guest.send("Сейтов Ерлан")
    request = district.bot_messages()[-1]
    await register(harness, 1001, "kk", "Құтарыс", name="Асанов Айбек")  # a chair registers meanwhile
    await district.press("Одобрить", message=request)
    assert "уже есть председатель" in district.reply
    before = len(harness.session.requests)
    await district.press("Заменить нынешнего председателя")
    kutarys = await org_id(harness, "Құтарыс")
    assert (await harness.app.repos.users.get(5003)).org_id == kutarys
    assert (await harness.app.repos.users.get(1001)).org_id is None
    told = [c.text for c in harness.session.requests[before:] if getattr(c, "chat_id", None) == 1001]
    assert any(FAREWELL["kk"] in text for text in told), told
    assert (await audit_entries(harness))[-1]["action"] == "join.replace"
