"""The command menu, set per language at start."""
from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand
from aiogram.utils.i18n import I18n

from bot.config import LOCALES, Settings
from bot.features.commands.admins import set_all_admin_commands
from bot.i18n import N_
from db.repos import Repos

CHAIR_COMMANDS = (
    ("start", N_("Main menu")),
    ("report", N_("File this month's report")),
    ("myreports", N_("My reports")),
    ("language", N_("Change the language")),
    ("help", N_("Help")),
    ("cancel", N_("Cancel the current action")),
)


def commands_for(i18n: I18n, locale: str) -> list[BotCommand]:
    return [BotCommand(command=name, description=i18n.gettext(text, locale=locale)) for name, text in CHAIR_COMMANDS]


async def set_commands(bot: Bot, i18n: I18n, config: Settings, repos: Repos | None = None) -> None:
    for locale in LOCALES:
        await bot.set_my_commands(commands_for(i18n, locale), language_code=locale)
    await bot.set_my_commands(commands_for(i18n, config.bot.default_locale))
    if repos is not None:
        await set_all_admin_commands(bot, i18n, config, repos)
