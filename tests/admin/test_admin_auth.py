"""Authorization matrix: every admin command, document and button, from people who may not use it.
Refused, nothing changed in the database, and nothing of another district shown."""
from __future__ import annotations

import pytest
from aiogram.methods import AnswerCallbackQuery

from bot.telegram.admin import AdminCb
from tests.support.people import BRANCH, add_db_admin, admin, district_id, nowhere, org_id, register
from tests.support.roster import code_of
from tests.support.seen import documents, shown, snapshot

SAIRAM_NAMES = ("Сайрам", "Құтарыс", "Қайнарбұлақ")
BAIZAQ_NAMES = ("Байзақ", "Мектеп №5")
ROSTER = "district,organization,sector,members\nТалас ауданы,Жаңа ұйым,social,10\n".encode()


async def forged_callbacks(harness, month: str = "2026-10") -> list[str]:
    """Admin buttons naming objects of Сайрам ауданы, and a few of no object at all."""
    sairam = await district_id(harness, "Сайрам ауданы")
    kutarys = await org_id(harness, "Құтарыс")
    request = (await harness.app.db.fetchone("SELECT id FROM join_requests"))[0]
    cbs = [AdminCb(action="adm_add"), AdminCb(action="adm_scope", district=sairam, ref=7777),
           AdminCb(action="adm_scope", district=0, ref=7777), AdminCb(action="adm_scope_pg", ref=7777),
           AdminCb(action="adm_rm", ref=7003), AdminCb(action="audit", page=0),
           AdminCb(action="code_dp"), AdminCb(action="code_d", district=sairam),
           AdminCb(action="code_op", district=sairam, page=0), AdminCb(action="code_o", org=kutarys),
           AdminCb(action="code_ok", org=kutarys),
           AdminCb(action="join_ok", ref=request), AdminCb(action="join_no", ref=request),
           AdminCb(action="ro_d", month=month, district=sairam), AdminCb(action="ro_dp", month=month, district=sairam),
           AdminCb(action="ro_o", month=month, org=kutarys),
           AdminCb(action="rv_d", month=month, district=sairam), AdminCb(action="rv_dp", month=month, district=sairam),
           AdminCb(action="rv_o", month=month, org=kutarys), AdminCb(action="rv_ok", month=month, org=kutarys),
           AdminCb(action="rv_ret", month=month, org=kutarys), AdminCb(action="nonsense", org=kutarys)]
    return [cb.pack() for cb in cbs]


OUTSIDER_ONLY = [AdminCb(action="code_new"), AdminCb(action="exp", month="2026-10"),
                 AdminCb(action="exp", month="2026-10", page=1), AdminCb(action="ro_m", month="2026-10"),
                 AdminCb(action="ro_yes"), AdminCb(action="ro_no"), AdminCb(action="st_p", month="2026-10")]
COMMANDS = ["/admins", "/audit", "/codes", "/export", "/stats", "/reopen"]
STALE_BUTTON = "This button is no longer active."  # the fallback's answer (bot/telegram/fallback.py)


@pytest.fixture
async def world(harness, clock):
    """A chair of Құтарыс with a report for October, a DB admin of Сайрам, a pending join request for
    Қайнарбұлақ, and the October due date passed (so reopening would be possible)."""
    await register(harness, 1001, "ru", "Құтарыс")
    await harness.app.repos.reports.submit(await org_id(harness, "Құтарыс"), "2026-10", 1001,
                                           {"members_total": 400}, False, clock.now())
    await add_db_admin(harness, 7003, "Сайрам ауданы")
    guest = harness.client(5001, language_code="ru")
    await guest.send("/start")
    await guest.press("Русский")
    await guest.press("У меня нет кода")
    await guest.press("Сайрам ауданы")
    await guest.press("Қайнарбұлақ")
    await guest.send("Сейтов Ерлан")
    return harness


async def attempt_everything(harness, client, callbacks: list[str]) -> list:
    calls = []
    for command in COMMANDS:
        calls += await client.send(command)
    calls += await client.send_document(ROSTER, "roster.csv")
    stale = harness.app.i18n.gettext(STALE_BUTTON, locale=client.language_code)
    for data in callbacks:
        pressed = await client.press_data(data, nowhere(client.user_id))
        answers = [c.text for c in pressed if isinstance(c, AnswerCallbackQuery)]
        # Answered by a handler of ours: not silence, and not the fallback for buttons nobody takes.
        assert answers, f"{data}: the press was not answered"
        assert stale not in answers, f"{data}: no handler took the press, only the fallback answered"
        calls += pressed
    return calls


@pytest.mark.parametrize("who", ["stranger", "chair"])
async def test_strangers_and_chairs_are_refused_everything(world, who):
    harness = world
    if who == "stranger":
        client = harness.client(5002, language_code="ru")
        await client.send("/start")
        await client.press("Русский")
    else:
        client = harness.client(1001, language_code="ru")
    before = await snapshot(harness)
    callbacks = await forged_callbacks(harness) + [cb.pack() for cb in OUTSIDER_ONLY]
    calls = await attempt_everything(harness, client, callbacks)
    assert await snapshot(harness) == before
    assert not documents(calls)
    seen = shown(calls)
    assert "нет прав" in seen
    for name in BAIZAQ_NAMES + ("Қайнарбұлақ", "Сейтов"):
        assert name not in seen, name


async def refused_everything_outside(harness, outsider, outside: str = "вне вашего района") -> None:
    """Every forged press of an admin outside Сайрам: downloading their own codes is audited, nothing
    else changes, no Сайрам name is shown, and the refusals say why."""
    before = await snapshot(harness)
    calls = await attempt_everything(harness, outsider, await forged_callbacks(harness))
    after = await snapshot(harness)
    new_audit = after.pop("audit_log")[len(before["audit_log"]):]
    before.pop("audit_log")
    assert after == before
    assert [row[4] for row in new_audit] == ["codes.download"]
    seen = shown(calls)
    for name in SAIRAM_NAMES + ("Сейтов",):
        assert name not in seen, name
    assert outside in seen and "только администраторы областного филиала" in seen


async def test_a_district_admin_cannot_touch_another_district(world):
    harness = world
    baizaq = await add_db_admin(harness, 7004, "Байзақ ауданы")
    await refused_everything_outside(harness, baizaq)
    # What they may do shows their own district only.
    for data in [cb.pack() for cb in OUTSIDER_ONLY]:
        calls = await baizaq.press_data(data, nowhere(7004))
        for name in SAIRAM_NAMES:
            assert name not in shown(calls), (data, name)
    assert "Мектеп №5" in shown(await baizaq.press_data(AdminCb(action="exp", month="2026-10").pack(),
                                                        nowhere(7004)))


async def test_a_district_admin_cannot_decide_another_districts_join_request(world):
    harness = world
    baizaq = await add_db_admin(harness, 7004, "Байзақ ауданы")
    request = (await harness.app.db.fetchone("SELECT id FROM join_requests"))[0]
    await baizaq.press_data(AdminCb(action="join_ok", ref=request).pack(), nowhere(7004))
    assert "вне вашего района" in baizaq.reply
    status = await harness.app.db.fetchone("SELECT status FROM join_requests WHERE id = ?", (request,))
    assert status[0] == "pending"
    assert (await harness.app.repos.users.get(5001)).org_id is None


async def test_old_codes_keep_working_after_refusals(world):
    """A refused 'new code' leaves the organization's code as it was."""
    harness = world
    code = await code_of(harness.app.db, "Құтарыс")
    baizaq = await add_db_admin(harness, 7004, "Байзақ ауданы")
    await baizaq.press_data(AdminCb(action="code_ok", org=await org_id(harness, "Құтарыс")).pack(), nowhere(7004))
    assert await code_of(harness.app.db, "Құтарыс") == code


async def test_branch_admin_commands_reach_everything(world):
    """The same forged buttons work for the branch admin, so the refusals above are about the role."""
    harness = world
    boss = await admin(harness, BRANCH)
    await boss.press_data(AdminCb(action="code_d", district=await district_id(harness, "Сайрам ауданы")).pack(),
                          nowhere(BRANCH))
    assert "Құтарыс" in shown(boss.last_calls)
    await boss.press_data(AdminCb(action="exp", month="2026-10").pack(), nowhere(BRANCH))
    assert "Мектеп №5" in shown(boss.last_calls) and "Құтарыс" in shown(boss.last_calls)


async def test_a_district_admin_without_a_known_district_sees_nothing(harness):
    """E.g. a district misspelt in config.toml: never the whole region."""
    await harness.app.db.execute("INSERT INTO admins(user_id, scope, district_id, added_at) "
                                 "VALUES (7010, 'district', NULL, '2026-11-01T00:00:00')")
    lost = await admin(harness, 7010)
    calls = []
    for command in ("/stats", "/codes", "/export", "/reopen"):
        calls += await lost.send(command)
    calls += await lost.press("октябрь 2026", message=next(
        m for m in reversed(lost.bot_messages()) if "октябрь 2026" in str(m.get("reply_markup"))
        and "exp" in str(m.get("reply_markup"))))
    seen = shown(calls)
    for name in SAIRAM_NAMES + BAIZAQ_NAMES:
        assert name not in seen, name


async def test_a_region_admin_cannot_touch_another_regions_district(world):
    """Байзақ ауданы in Жамбыл облысы, Сайрам ауданы in Түркістан облысы: the forged buttons of Сайрам
    from a Жамбыл region admin are refused like a district admin's."""
    harness = world
    db = harness.app.db
    for region, district in (("Жамбыл облысы", "Байзақ ауданы"), ("Түркістан облысы", "Сайрам ауданы")):
        await db.execute("INSERT INTO regions(name) VALUES (?)", (region,))
        await db.execute("UPDATE districts SET region_id = (SELECT id FROM regions WHERE name = ?) WHERE name = ?",
                         (region, district))
    zhambyl = await harness.app.repos.orgs.region_by_name("Жамбыл облысы")
    await harness.app.repos.admins.put(7020, "region", None, BRANCH, harness.clock.now(), region_id=zhambyl)
    regional = await admin(harness, 7020)
    await refused_everything_outside(harness, regional, outside="вне вашей области")
    # Their own region's export is theirs.
    assert "Мектеп №5" in shown(await regional.press_data(AdminCb(action="exp", month="2026-10").pack(),
                                                          nowhere(7020)))
