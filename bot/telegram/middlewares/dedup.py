from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

from bot.domain.clock import Clock
from db.database import Database
from db.queries.updates import UpdatesRepo

log = logging.getLogger(__name__)


class DedupMiddleware(BaseMiddleware):
    """Telegram re-sends updates it thinks were not delivered; each update_id is handled once."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.updates = UpdatesRepo(db)
        self.clock = clock

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        if isinstance(event, Update) and not await self.updates.first_time(event.update_id, self.clock.now()):
            log.info("update %s already handled, skipped", event.update_id)
            return None
        return await handler(event, data)
