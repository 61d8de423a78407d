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


async def set_menu_buttons(app: AppContext, bot: Bot) -> int:
    """One web_app menu button per reachable admin (active, with a scope in the roster); returns how many."""
    url = f"{app.config.web.public_url}/app/"
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
