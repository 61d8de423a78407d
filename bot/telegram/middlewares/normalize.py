"""Text hygiene at the door: every text a user sends is normalized before any handler sees it."""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Message, MessageEntity, TelegramObject, Update
from aiogram.utils.i18n import gettext as _

from bot.domain.text import UnsafeText, normalize_text, normalize_with_offsets
from bot.i18n import N_

log = logging.getLogger(__name__)


class NormalizeMiddleware(BaseMiddleware):
    """An outer middleware on updates (after the locale one): the text and caption of a message (its
    entities moved along) and the data of a button press go through `normalize_text`. aiogram's
    objects are frozen, so handlers get normalized copies. A text with a control character is
    refused here, with an answer in the user's language; no handler runs and nothing is written."""

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        if isinstance(event, Update):
            try:
                event = clean_update(event)
            except UnsafeText as exc:
                log.info("update %s refused: it holds %s", event.update_id, exc.code)
                await refuse(event)
                return None
        return await handler(event, data)


def clean_update(update: Update) -> Update:
    if update.message is not None:
        message = clean_message(update.message)
        return update if message is update.message else update.model_copy(update={"message": message})
    query = update.callback_query
    if query is not None and query.data:
        data = normalize_text(query.data)
        if data != query.data:
            return update.model_copy(update={"callback_query": query.model_copy(update={"data": data})})
    return update


def clean_message(message: Message) -> Message:
    changes: dict[str, Any] = {}
    for text_key, entities_key in (("text", "entities"), ("caption", "caption_entities")):
        text = getattr(message, text_key)
        if not text:
            continue
        entities: list[MessageEntity] = getattr(message, entities_key) or []
        cuts = [n for e in entities for n in (e.offset, e.offset + e.length)]
        clean, moved = normalize_with_offsets(text, cuts) if entities else (normalize_text(text), [])
        if clean == text:
            continue
        changes[text_key] = clean
        if entities:
            changes[entities_key] = [e.model_copy(update={"offset": start, "length": end - start})
                                     for e, start, end in zip(entities, moved[::2], moved[1::2], strict=True)]
    return message.model_copy(update=changes) if changes else message


REFUSED = N_("Your message holds an invisible special character (for example from a copied text), "
           "so it cannot be taken. Please type it again without it.")


async def refuse(update: Update) -> None:
    if update.message is not None:
        await update.message.answer(_(REFUSED))
    elif update.callback_query is not None:
        await update.callback_query.answer(_(REFUSED), show_alert=True)
