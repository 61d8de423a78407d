"""The Mini App's menu button in every known admin's chat, in the admin's language (setChatMenuButton)."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import MenuButtonWebApp, WebAppInfo

from bot.domain.admins import AdminDirectory
from bot.i18n import N_

if TYPE_CHECKING:
    from bot.context import AppContext

log = logging.getLogger(__name__)
BUTTON = N_("📊 Dashboard")  # translated per admin
DEFAULT_BUTTON = N_("📝 Report form")  # every other chat (chairs): in the bot's default language


async def set_menu_buttons(app: AppContext, bot: Bot) -> int:
    """The Mini App as every chat's menu button (chairs open their report form with it), and one per
    reachable admin (active, with a scope in the roster) in the admin's language; returns how many admins."""
    url = f"{app.config.web.public_url}/app/"
    text = app.i18n.gettext(DEFAULT_BUTTON, locale=app.config.bot.default_locale)
    try:
        await bot.set_chat_menu_button(menu_button=MenuButtonWebApp(text=text, web_app=WebAppInfo(url=url)))
    except TelegramAPIError as exc:
        log.warning("default menu button not set: %s", exc)
    done = 0
    for admin in await AdminDirectory.of(app.config, app.repos).reachable():
        text = app.i18n.gettext(BUTTON, locale=admin.locale)
        try:
            await bot.set_chat_menu_button(chat_id=admin.user_id,
                                           menu_button=MenuButtonWebApp(text=text, web_app=WebAppInfo(url=url)))
        except TelegramAPIError as exc:
            log.warning("menu button for admin %s not set: %s", admin.user_id, exc)
            continue
        done += 1
    return done
