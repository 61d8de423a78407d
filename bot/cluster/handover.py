"""Broadcasts in a web process: recorded here, delivered by the leading worker.

The admin's confirm button records the broadcast (status running) and calls `start`; in a web process
`start` delivers nothing: the leader picks running broadcasts up within `PICKUP_S`
(bot/cluster/worker.py). A stop pressed here finds no job here and marks the broadcast cancelled in
the database (BroadcastEngine.cancel); the leader sees that and stops taking recipients."""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from aiogram import Bot

from bot.features.broadcast.engine import BroadcastEngine
from db.queries.broadcasts import Receipt

if TYPE_CHECKING:
    from bot.context import AppContext


class HandOverBroadcasts(BroadcastEngine):
    @classmethod
    def of(cls, app: AppContext) -> HandOverBroadcasts:
        return cls(app.repos, app.i18n, app.config.broadcast, app.clock, default_locale=app.config.bot.default_locale)

    def start(self, broadcast_id: int, bot: Bot) -> asyncio.Task[Receipt]:
        """The receipt as it stands; the leader delivers."""
        return asyncio.create_task(self.repos.broadcasts.receipt(broadcast_id), name=f"broadcast-{broadcast_id}")

    async def on_startup(self, bot: Bot) -> None:
        """Nothing to resume here: the leader does."""
