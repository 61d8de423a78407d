"""The inbox: every update, stored before Telegram is told it was received, handled, then marked done.

`HANDLING` names the update the current task is handling (set by bot/telegram/inbox.py). A repository
whose write is the whole effect of a non-idempotent step (a report answer moves the draft's cursor)
calls `mark_handled(tx, now)` inside that write's transaction: the effect and the done mark commit
together, so a crash never replays an update whose effect is already stored.
"""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from db.database import Database, Tx
from db.queries.common import iso

HANDLING: ContextVar[int | None] = ContextVar("inbox_handling", default=None)


@dataclass(frozen=True)
class Stored:
    update_id: int
    chat_key: str | None
    payload: str


async def mark_handled(tx: Tx, now: datetime) -> None:
    """Mark the update this task is handling done, inside the caller's transaction (no-op outside)."""
    update_id = HANDLING.get()
    if update_id is not None:
        await tx.execute("UPDATE inbox SET done_at = ? WHERE update_id = ? AND done_at IS NULL",
                         (iso(now), update_id))


class InboxRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def store(self, rows: list[Stored], now: datetime) -> set[int]:
        """Store a batch in one transaction; returns the ids that were new (the others are known)."""
        if not rows:
            return set()
        new: set[int] = set()
        async with self.db.transaction() as tx:
            for row in rows:
                cur = await tx.execute(
                    "INSERT OR IGNORE INTO inbox(update_id, chat_key, payload, received_at) VALUES (?, ?, ?, ?)",
                    (row.update_id, row.chat_key, row.payload, iso(now)))
                if cur.rowcount:
                    new.add(row.update_id)
        return new

    async def pending(self) -> list[Stored]:
        """Updates stored but not handled (a crash came first), oldest first."""
        rows = await self.db.fetchall(
            "SELECT update_id, chat_key, payload FROM inbox WHERE done_at IS NULL ORDER BY update_id")
        return [Stored(r[0], r[1], r[2]) for r in rows]

    async def mark_done(self, update_id: int, now: datetime) -> None:
        await self.db.execute("UPDATE inbox SET done_at = ? WHERE update_id = ? AND done_at IS NULL",
                              (iso(now), update_id))

    async def is_done(self, update_id: int) -> bool:
        row = await self.db.fetchone("SELECT done_at FROM inbox WHERE update_id = ?", (update_id,))
        return row is not None and row[0] is not None

    async def prune(self, before: datetime) -> int:
        """Forget handled updates done before `before`; returns how many."""
        cur = await self.db.execute("DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?", (iso(before),))
        return cur.rowcount
