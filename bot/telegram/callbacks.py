"""The message a button was pressed under."""
from __future__ import annotations

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _


async def callback_message(query: CallbackQuery) -> Message | None:
    """The message of this callback; when Telegram no longer gives it (None, or an InaccessibleMessage
    of an old chat), the press is refused with a notice and None returned."""
    if isinstance(query.message, Message):
        return query.message
    await query.answer(_("This button is no longer active."), show_alert=True)
    return None
