"""The table `processed_updates`: the update ids already handled (Telegram may deliver one twice)."""
from __future__ import annotations

from datetime import datetime

from db.database import Database
from db.queries.common import iso


class UpdatesRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def first_time(self, update_id: int, now: datetime) -> bool:
        """Record the update as handled; False when it already was."""
        cur = await self.db.execute(
            "INSERT OR IGNORE INTO processed_updates(update_id, processed_at) VALUES (?, ?)", (update_id, iso(now)))
        return cur.rowcount > 0
