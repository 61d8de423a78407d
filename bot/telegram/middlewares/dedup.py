from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

from bot.domain.clock import Clock
from db.database import Database
from db.queries.common import iso

log = logging.getLogger(__name__)


class DedupMiddleware(BaseMiddleware):
    """Telegram re-sends updates it thinks were not delivered; each update_id is handled once."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        if isinstance(event, Update):
            cur = await self.db.execute(
                "INSERT OR IGNORE INTO processed_updates(update_id, processed_at) VALUES (?, ?)",
                (event.update_id, iso(self.clock.now())))
            if cur.rowcount == 0:
                log.info("update %s already handled, skipped", event.update_id)
                return None
        return await handler(event, data)
