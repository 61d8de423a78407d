"""/admins and /audit: a branch admin adds and removes admins; roles are checked on every update."""
from __future__ import annotations

import csv
import io
import json
from typing import Any

from aiogram.methods import AnswerCallbackQuery, SendDocument, TelegramMethod
from openpyxl import load_workbook

from bot.telegram.admin import AdminCb
from tests.support.mocked import sent_text

BRANCH, SAIRAM_ADMIN = 900, 901


# Helpers shared by the admin tests -------------------------------------------------------------

def nowhere(user_id: int) -> dict[str, Any]:
    """A message to hang a forged callback on, for users who never saw an admin keyboard."""
    return {"message_id": 1, "date": 0, "chat": {"id": user_id, "type": "private"}, "text": "…"}


def document_text(call: SendDocument) -> str:
    data = call.document.data
    if call.document.filename.endswith(".xlsx"):
        workbook = load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(str(v) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True)
                         for v in row if v is not None)
    return data.decode("utf-8-sig")


def shown(calls: list[TelegramMethod]) -> str:
    """Everything the user could see from these calls: texts, alerts, button labels, documents."""
    out = []
    for call in calls:
        text = sent_text(call)
        if text:
            out.append(text)
        markup = getattr(call, "reply_markup", None)
        for row in getattr(markup, "inline_keyboard", None) or getattr(markup, "keyboard", None) or []:
            out.extend(b.text for b in row)
        if isinstance(call, SendDocument):
            out.append(document_text(call))
    return "\n".join(out)


def documents(calls: list[TelegramMethod]) -> list[SendDocument]:
    return [c for c in calls if isinstance(c, SendDocument)]


def alert(calls: list[TelegramMethod]) -> str:
    return " ".join(c.text or "" for c in calls if isinstance(c, AnswerCallbackQuery))


async def district_id(harness, name: str) -> int:
    return await harness.app.repos.orgs.district_by_name(name)


async def org_id(harness, name: str) -> int:
    row = await harness.app.db.fetchone("SELECT id FROM organizations WHERE name = ?", (name,))
    return row[0]


async def add_db_admin(harness, user_id: int, district: str | None, locale: str = "ru"):
    """An admin added in the bot (not from config), who has chosen a language."""
    district_ref = await district_id(harness, district) if district else None
    await harness.app.repos.admins.put(user_id, "district" if district else "branch", district_ref, BRANCH,
                                       harness.clock.now())
    client = harness.client(user_id, language_code=locale)
    await client.send("/start")
    await client.press("Русский" if locale == "ru" else "Қазақша")
    return client


async def admin(harness, user_id: int, locale: str = "ru"):
    client = harness.client(user_id, language_code=locale)
    await client.send("/start")
    await client.press("Русский" if locale == "ru" else "Қазақша")
    return client


async def audit_entries(harness) -> list[dict[str, Any]]:
    rows = await harness.app.db.fetchall("SELECT actor_id, actor_role, action, object_ref, details, at "
                                         "FROM audit_log ORDER BY id")
    return [{"actor": r[0], "role": r[1], "action": r[2], "object": r[3], "details": json.loads(r[4]), "at": r[5]}
            for r in rows]


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


# The stories --------------------------------------------------------------------------------------

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
    from tests.onboarding.test_registration import register

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
