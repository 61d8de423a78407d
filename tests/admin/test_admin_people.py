"""/admins and /audit: a branch admin adds and removes admins; roles are checked on every update."""
from __future__ import annotations

from bot.telegram.admin import AdminCb
from tests.support.people import BRANCH, SAIRAM_ADMIN, add_db_admin, admin, nowhere, register
from tests.support.seen import audit_entries, documents


async def test_branch_admin_adds_a_district_admin_who_then_sees_only_their_district(harness):
    boss = await admin(harness, BRANCH)
    await boss.send("/admins")
    assert "900" in boss.reply and "901" in boss.reply and "config.toml" in boss.reply
    assert not [b for b in boss.buttons() if "900" in b or "901" in b], "bootstrap admins have no remove button"
    await boss.press("Добавить администратора")
    await boss.send("12ab")
    assert "из цифр" in boss.reply
    await boss.send("7001")
    assert "Байзақ ауданы" in boss.buttons() and "Сайрам ауданы" in boss.buttons()
    await boss.press("Байзақ ауданы")
    assert "7001" in boss.reply and "Байзақ ауданы" in boss.reply
    row = await harness.app.repos.admins.get(7001)
    assert (row.scope, row.district) == ("district", "Байзақ ауданы")

    newcomer = await admin(harness, 7001)
    assert "📊 Статистика" in newcomer.reply_keyboard() and "👥 Администраторы" not in newcomer.reply_keyboard()
    await newcomer.send("/stats")
    assert "Байзақ ауданы" in newcomer.reply and "Сайрам" not in newcomer.reply
    await newcomer.send("/admins")
    assert "только администраторы областного филиала" in newcomer.reply

    entries = await audit_entries(harness)
    assert entries[-1]["action"] == "admin.add" and entries[-1]["actor"] == BRANCH
    assert entries[-1]["role"] == "branch" and entries[-1]["object"] == "user:7001"
    assert entries[-1]["details"] == {"scope": "district", "district": "Байзақ ауданы"}


async def test_a_removed_admin_loses_access_at_once(harness):
    boss = await admin(harness, BRANCH)
    former = await add_db_admin(harness, 7002, "Сайрам ауданы")
    await former.send("/stats")
    assert "Сайрам ауданы" in former.reply
    await boss.send("/admins")
    await boss.press("Удалить 7002")
    assert await harness.app.repos.admins.get(7002) is None
    assert "7002" not in boss.bot_messages()[-1]["text"]
    # The keyboard drawn while they were an admin no longer works, and commands are unknown to them.
    await former.send("/stats")
    assert "Сайрам" not in former.reply
    await former.press_data(AdminCb(action="exp", month="2026-11").pack(), nowhere(7002))
    assert "нет прав" in former.reply and not documents(former.last_calls)
    assert (await audit_entries(harness))[-1]["action"] == "admin.remove"


async def test_bootstrap_admins_cannot_be_removed_or_redefined_in_the_bot(harness):
    boss = await admin(harness, BRANCH)
    await boss.send("/admins")
    await boss.press_data(AdminCb(action="adm_rm", ref=SAIRAM_ADMIN).pack())
    assert "config.toml" in boss.reply
    await boss.press_data(AdminCb(action="adm_scope", ref=SAIRAM_ADMIN).pack())
    assert "нет прав" in boss.reply
    await boss.press("Добавить")
    await boss.send("901")
    assert "config.toml" in boss.reply
    assert await harness.app.repos.admins.all() == []
    assert await audit_entries(harness) == []


async def test_audit_log_is_paged_newest_first(harness, clock):
    from bot.domain.audit import audit

    for n in range(12):
        await audit(harness.app.db, clock, BRANCH, "test.action", f"org:{n}", {"n": n}, role="branch")
    boss = await admin(harness, BRANCH, locale="kk")
    await boss.send("/audit")
    first = boss.reply
    assert "2 беттің 1-беті" in first and "(облыстық филиал әкімшісі)" in first and "org:11" in first and "org:2" in first and "org:1\n" not in first
    await boss.press("Ескілері")
    assert "org:1" in boss.reply and "org:0" in boss.reply and "org:11" not in boss.reply
    await boss.press("Жаңалары")
    assert "org:11" in boss.reply


async def test_admins_get_their_own_command_menu(harness):
    from aiogram.methods import DeleteMyCommands, SetMyCommands

    await admin(harness, SAIRAM_ADMIN, locale="kk")
    await harness.dp.emit_startup(bot=harness.bot, **harness.dp.workflow_data)
    per_chat = {c.scope.chat_id: [cmd.command for cmd in c.commands] for c in harness.session.requests
                if isinstance(c, SetMyCommands) and c.scope is not None and c.scope.type == "chat"}
    assert {"stats", "export", "codes", "reopen", "admins", "audit"} <= set(per_chat[BRANCH])
    assert "stats" in per_chat[SAIRAM_ADMIN] and "admins" not in per_chat[SAIRAM_ADMIN]
    kk_menu = next(c for c in harness.session.requests if isinstance(c, SetMyCommands) and c.scope is not None
                   and c.scope.type == "chat" and c.scope.chat_id == SAIRAM_ADMIN)
    assert "Осы айдың қысқаша жағдайы" in [cmd.description for cmd in kk_menu.commands]

    boss = await admin(harness, BRANCH)
    await boss.send("/admins")
    await boss.press("Добавить администратора")
    await boss.send("7005")
    calls = await boss.press("Вся область")
    (menu,) = [c for c in calls if isinstance(c, SetMyCommands)]
    assert menu.scope.chat_id == 7005 and "audit" in [cmd.command for cmd in menu.commands]
    await boss.send("/admins")
    calls = await boss.press("Удалить 7005")
    assert [c.scope.chat_id for c in calls if isinstance(c, DeleteMyCommands)] == [7005]


async def test_help_and_main_menu_show_admin_entries_to_admins_only(harness):
    boss = await admin(harness, BRANCH)
    await boss.send("/start")
    assert {"📊 Статистика", "📤 Выгрузка", "🔑 Коды приглашения", "👥 Администраторы"} <= set(boss.reply_keyboard())
    await boss.send("/help")
    assert "/export" in boss.reply and "/audit" in boss.reply
    await boss.send("📜 Журнал действий")
    assert "Журнал действий" in boss.reply
    district = await admin(harness, SAIRAM_ADMIN, locale="kk")
    await district.send("/start")
    assert "📊 Статистика" in district.reply_keyboard() and "👥 Әкімшілер" not in district.reply_keyboard()
    chair = await register(harness, 1001, "ru", "Құтарыс")
    await chair.send("/help")
    assert "/export" not in chair.reply
    await chair.send("/start")
    assert chair.reply_keyboard() and "📊 Статистика" not in chair.reply_keyboard()


async def test_a_menu_button_while_asked_for_a_user_id_is_obeyed(harness):
    boss = await admin(harness, BRANCH)
    await boss.send("/admins")
    await boss.press("Добавить администратора")
    await boss.send("📊 Статистика")
    assert "Сдали: 0 из 3" in boss.reply and "из цифр" not in boss.reply
