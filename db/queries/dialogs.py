"""Dialogs under way (the FSM table, see db/storage.py) and which boot last asked each one again."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.database import Database
from db.queries.common import iso


@dataclass(frozen=True)
class Waiting:
    key: str      # the storage key, fsm:<chat>:<user>:<destiny>
    state: str    # e.g. ReportDialog:filling


class DialogsRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def waiting(self) -> list[Waiting]:
        rows = await self.db.fetchall("SELECT key, state FROM fsm WHERE state IS NOT NULL ORDER BY key")
        return [Waiting(r[0], r[1]) for r in rows]

    async def claim_reprompt(self, key: str, boot: str, now: datetime) -> bool:
        """True once per boot and dialog: this boot may ask that dialog its question again."""
        cur = await self.db.execute(
            "INSERT INTO reprompts(fsm_key, boot, at) VALUES (?, ?, ?) ON CONFLICT(fsm_key) DO UPDATE SET "
            "boot = excluded.boot, at = excluded.at WHERE reprompts.boot <> excluded.boot",
            (key, boot, iso(now)))
        return cur.rowcount > 0
