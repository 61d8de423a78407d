"""The report's two ways offered to a chair under the main menu: the chat dialog and «Fill in as a form».

Inline buttons, in a message of their own: the menu's reply keyboard cannot carry the form, since a
web_app button there opens the page without initData, so the page could not know who the chair is."""
from __future__ import annotations

from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain.roles import Role
from bot.telegram.keyboards import mini_app_url, open_report_keyboard


async def offer_report_ways(message: Message, role: Role, config: Settings) -> None:
    """Only for a chair, and only with the Mini App's public address (`[web] public_url`)."""
    form_url = mini_app_url(config.web.public_url)
    if role.kind == "chair" and form_url:
        await message.answer(_("The month's report: in the chat, one question at a time, or the whole report "
                               "on one page as a form."), reply_markup=open_report_keyboard(form_url))
