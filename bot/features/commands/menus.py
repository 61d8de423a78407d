"""The command menus: the chairs' menu per language for everyone, and each admin's own (their chat's
scope, BotCommandScopeChat) with the admin commands added; set at start and when an admin is added.
A user who chooses a language in the bot (/language, registration) gets their chat's menu in it, since
Telegram would otherwise pick the menu by the app's language, not the bot's.

A command cannot open a Mini App (BotCommand has no web_app), so the chairs' «Fill in as a form» is not
here: it is the chat's menu button (bot/features/webapp/menu.py), the inline button under the main menu
(/start, bot/features/onboarding/start.py) and under every reminder (bot/telegram/keyboards.py)."""
from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat
from aiogram.utils.i18n import I18n

from bot.config import LOCALES, Settings
from bot.domain.admins import AdminDirectory
from bot.i18n import N_
from db.repos import Repos

log = logging.getLogger(__name__)

Entry = tuple[str, str]  # (command, description msgid)

START: Entry = ("start", N_("Main menu"))
GENERAL: tuple[Entry, ...] = (
    ("language", N_("Change the language")),
    ("help", N_("Help")),
    ("cancel", N_("Cancel the current action")),
)
CHAIR_COMMANDS: tuple[Entry, ...] = (
    START,
    ("report", N_("File this month's report")),
    ("myreports", N_("My reports")),
    *GENERAL,
)
ADMIN_COMMANDS: tuple[Entry, ...] = (
    START,
    ("stats", N_("This month at a glance")),
    ("export", N_("Export a month's reports")),
    ("codes", N_("Invite codes")),
    ("org", N_("An organization: its card, replacing the chair")),
    ("reopen", N_("Reopen a submitted report")),
    ("broadcast", N_("Send a message to chairs")),
    ("broadcasts", N_("Latest broadcasts")),
    ("digest", N_("The weekly digest now")),
    *GENERAL,
)
BRANCH_COMMANDS: tuple[Entry, ...] = (
    ("admins", N_("Add and remove administrators")),
    ("audit", N_("The log of administrators' actions")),
)


def _menu(i18n: I18n, locale: str, entries: tuple[Entry, ...]) -> list[BotCommand]:
    return [BotCommand(command=name, description=i18n.gettext(text, locale=locale)) for name, text in entries]


def chair_menu(i18n: I18n, locale: str) -> list[BotCommand]:
    return _menu(i18n, locale, CHAIR_COMMANDS)


def admin_menu(i18n: I18n, locale: str, branch: bool) -> list[BotCommand]:
    return _menu(i18n, locale, ADMIN_COMMANDS + (BRANCH_COMMANDS if branch else ()))


async def set_commands(bot: Bot, i18n: I18n, config: Settings, repos: Repos | None = None) -> None:
    """At start: the chairs' menu in each language and by default, then every admin's own menu."""
    for locale in LOCALES:
        await bot.set_my_commands(chair_menu(i18n, locale), language_code=locale)
    await bot.set_my_commands(chair_menu(i18n, config.bot.default_locale))
    if repos is not None:
        for admin in await AdminDirectory.of(config, repos).all():
            await set_admin_commands(bot, i18n, admin.locale, admin.user_id, admin.is_branch)


async def set_admin_commands(bot: Bot, i18n: I18n, locale: str, user_id: int, branch: bool) -> None:
    try:
        await bot.set_my_commands(admin_menu(i18n, locale, branch), scope=BotCommandScopeChat(chat_id=user_id))
    except TelegramAPIError as exc:  # an admin who has never opened the bot has no chat yet
        log.info("no command menu for admin %s: %s", user_id, exc)


async def set_chat_commands(bot: Bot, i18n: I18n, locale: str, user_id: int, admin: bool, branch: bool) -> None:
    """The user's own menu in the language chosen in the bot: an admin's, or the chairs'."""
    if admin:
        await set_admin_commands(bot, i18n, locale, user_id, branch)
        return
    try:
        await bot.set_my_commands(chair_menu(i18n, locale), scope=BotCommandScopeChat(chat_id=user_id))
    except TelegramAPIError as exc:
        log.info("no command menu for %s: %s", user_id, exc)


async def clear_admin_commands(bot: Bot, user_id: int) -> None:
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=user_id))
    except TelegramAPIError as exc:
        log.info("could not clear the command menu of %s: %s", user_id, exc)
