"""The message under a pressed inline button. Telegram leaves it out (None) or gives only its id
(InaccessibleMessage) when the message is too old or deleted: then the press is answered as stale."""
from __future__ import annotations

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _


async def callback_message(query: CallbackQuery) -> Message | None:
    """The button's message; None, after telling the user the button no longer works, if there is none."""
    if isinstance(query.message, Message):
        return query.message
    await query.answer(_("This button is no longer active."), show_alert=True)
    return None
