"""The last resort: log the failure and tell the user in their language that nothing is lost."""
from __future__ import annotations

import logging

from aiogram.types import ErrorEvent
from aiogram.utils.i18n import gettext as _

log = logging.getLogger(__name__)


async def on_error(event: ErrorEvent) -> bool:
    log.exception("update %s failed", event.update.update_id, exc_info=event.exception)
    text = _("Sorry, something went wrong. Your confirmed answers are saved; please try again.")
    try:
        if event.update.message:
            await event.update.message.answer(text)
        elif event.update.callback_query:
            await event.update.callback_query.answer(text, show_alert=True)
    except Exception:  # the error report itself must not raise
        log.exception("could not tell the user about the failure")
    return True
