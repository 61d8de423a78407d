"""The message under a pressed inline button. Telegram leaves it out (None) or gives only its id
(InaccessibleMessage) when the message is too old or deleted."""
from __future__ import annotations

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _


def message_of(query: CallbackQuery) -> Message | None:
    """The message of the pressed button; None when Telegram no longer gives it (too old, or inline)."""
    return query.message if isinstance(query.message, Message) else None


async def callback_message(query: CallbackQuery) -> Message | None:
    """The button's message; None, after telling the user the button no longer works, if there is none."""
    message = message_of(query)
    if message is None:
        await query.answer(_("This button is no longer active."), show_alert=True)
    return message
