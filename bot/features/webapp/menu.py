"""The Mini App as Telegram's menu button (setChatMenuButton): the bot's default for every chat (chairs
open their report form with it), and in each admin's chat the dashboard, in the admin's language.

`MenuButtons.sync` runs at start and then every minute with the web server's loop: an admin added in the
bot gets the button within a minute, one who changes language gets it relabelled, one removed gets the
default back.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import MenuButtonDefault, MenuButtonWebApp, WebAppInfo

from bot.domain.admins import AdminDirectory
from bot.i18n import N_
from bot.telegram.keyboards import DASHBOARD, mini_app_url

if TYPE_CHECKING:
    from bot.context import AppContext

log = logging.getLogger(__name__)
BUTTON = DASHBOARD  # translated per admin
DEFAULT_BUTTON = N_("📝 Report form")  # every other chat (chairs): in the bot's default language


class MenuButtons:
    def __init__(self, app: AppContext) -> None:
        self.app = app
        self.url = mini_app_url(app.config.web.public_url) or ""
        self._default_set = False
        self._admins: dict[int, str] = {}  # admin's user id -> the language of the button their chat has

    def _button(self, msgid: str, locale: str) -> MenuButtonWebApp:
        return MenuButtonWebApp(text=self.app.i18n.gettext(msgid, locale=locale), web_app=WebAppInfo(url=self.url))

    async def sync(self, bot: Bot) -> int:
        """Set what changed since the last run; returns how many admin chats have the dashboard's button."""
        if not self._default_set:
            try:
                await bot.set_chat_menu_button(menu_button=self._button(DEFAULT_BUTTON,
                                                                        self.app.config.bot.default_locale))
                self._default_set = True
            except TelegramAPIError as exc:
                log.warning("default menu button not set: %s", exc)
        admins = {a.user_id: a.locale for a in await AdminDirectory.of(self.app.config, self.app.repos).reachable()}
        for user_id in [u for u in self._admins if u not in admins]:
            try:
                await bot.set_chat_menu_button(chat_id=user_id, menu_button=MenuButtonDefault())
            except TelegramAPIError as exc:
                log.warning("menu button of former admin %s not reset: %s", user_id, exc)
            del self._admins[user_id]
        for user_id, locale in admins.items():
            if self._admins.get(user_id) == locale:
                continue
            try:
                await bot.set_chat_menu_button(chat_id=user_id, menu_button=self._button(BUTTON, locale))
            except TelegramAPIError as exc:
                log.warning("menu button for admin %s not set: %s", user_id, exc)
                continue
            self._admins[user_id] = locale
        return len(self._admins)
