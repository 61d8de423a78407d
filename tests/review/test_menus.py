"""Command menus follow the language chosen in the bot, not the Telegram app's (issue 12)."""
from __future__ import annotations

from aiogram.methods import SetMyCommands

from tests.support.people import SAIRAM_ADMIN, admin, register


def chat_menus(calls, chat_id: int) -> list[dict[str, str]]:
    """The menus set for one chat by these calls: command -> description."""
    return [{c.command: c.description for c in call.commands} for call in calls
            if isinstance(call, SetMyCommands) and getattr(call.scope, "chat_id", None) == chat_id]


async def test_a_chairs_menu_follows_the_language_chosen_in_the_bot(harness):
    before = len(harness.session.requests)
    chair = await register(harness, 1001, "kk", "Құтарыс")  # the Telegram app would be in Russian just as well
    menus = chat_menus(harness.session.requests[before:], 1001)
    assert menus and menus[-1]["myreports"] == "Менің есептерім" and "stats" not in menus[-1]
    await chair.send("/language")
    calls = await chair.press("Русский")
    assert chat_menus(calls, 1001)[-1]["myreports"] == "Мои отчёты"


async def test_an_admins_menu_is_reset_after_language(harness):
    district = await admin(harness, SAIRAM_ADMIN, locale="ru")
    await district.send("/language")
    calls = await district.press("Қазақша")
    (menu,) = chat_menus(calls, SAIRAM_ADMIN)
    assert "stats" in menu and "admins" not in menu  # a district admin's menu, not a chair's
    assert menu["help"] == harness.app.i18n.gettext("Help", locale="kk") != "Help"
