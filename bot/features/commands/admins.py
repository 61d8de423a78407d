"""The command menu of each admin's own chat (BotCommandScopeChat): the chairs' commands plus the admin ones."""
from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat
from aiogram.utils.i18n import I18n

from bot.config import Settings
from bot.domain.admins import AdminDirectory
from bot.i18n import N_
from db.repos import Repos

log = logging.getLogger(__name__)

ADMIN_COMMANDS = (
    ("start", N_("Main menu")),
    ("stats", N_("This month at a glance")),
    ("export", N_("Export a month's reports")),
    ("codes", N_("Invite codes")),
    ("reopen", N_("Reopen a submitted report")),
    ("broadcast", N_("Send a message to chairs")),
    ("broadcasts", N_("Latest broadcasts")),
    ("digest", N_("The weekly digest now")),
    ("language", N_("Change the language")),
    ("help", N_("Help")),
    ("cancel", N_("Cancel the current action")),
)
BRANCH_COMMANDS = (
    ("admins", N_("Add and remove administrators")),
    ("audit", N_("The log of administrators' actions")),
)


def admin_commands(i18n: I18n, locale: str, branch: bool) -> list[BotCommand]:
    entries = ADMIN_COMMANDS + (BRANCH_COMMANDS if branch else ())
    return [BotCommand(command=name, description=i18n.gettext(text, locale=locale)) for name, text in entries]


async def set_admin_commands(bot: Bot, i18n: I18n, config: Settings, repos: Repos, user_id: int, branch: bool) -> None:
    user = await repos.users.get(user_id)
    locale = (user.locale if user else None) or config.bot.default_locale
    try:
        await bot.set_my_commands(admin_commands(i18n, locale, branch), scope=BotCommandScopeChat(chat_id=user_id))
    except TelegramAPIError as exc:  # an admin who has never opened the bot has no chat yet
        log.info("no command menu for admin %s: %s", user_id, exc)


async def clear_admin_commands(bot: Bot, user_id: int) -> None:
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=user_id))
    except TelegramAPIError as exc:
        log.info("could not clear the command menu of %s: %s", user_id, exc)


async def set_all_admin_commands(bot: Bot, i18n: I18n, config: Settings, repos: Repos) -> None:
    for admin in await AdminDirectory.of(config, repos).all():
        await set_admin_commands(bot, i18n, config, repos, admin.user_id, admin.is_branch)
