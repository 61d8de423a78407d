"""The last resort: log the failure and tell the user in their language that nothing is lost."""
from __future__ import annotations

import logging

from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n

from bot.i18n import N_, telegram_locale
from db.queries.users import User

log = logging.getLogger(__name__)

SORRY = N_("Sorry, something went wrong. Your confirmed answers are saved; please try again.")


async def on_error(event: ErrorEvent, i18n: I18n, user: User | None = None, **_) -> bool:
    """Runs outside the i18n middleware's context, so the locale is chosen here."""
    log.error("update %s failed", event.update.update_id, exc_info=event.exception)
    update = event.update
    sender = (update.message or update.callback_query or update.edited_message)
    locale = (user.locale if user else None) or telegram_locale(getattr(sender, "from_user", None)) \
        or i18n.default_locale
    text = i18n.gettext(SORRY, locale=locale)
    try:
        if update.message:
            await update.message.answer(text)
        elif update.callback_query:
            await update.callback_query.answer(text, show_alert=True)
    except Exception:  # the error report itself must not raise
        log.exception("could not tell the user about the failure")
    return True
