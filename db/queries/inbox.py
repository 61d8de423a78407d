"""The inbox: every update, stored before Telegram is told it was received, handled, then marked done.

`HANDLING` names the update the current task is handling (set by bot/telegram/inbox.py). A repository
whose write is the whole effect of a non-idempotent step (a report answer moves the draft's cursor)
calls `mark_handled(tx, now)` inside that write's transaction: the effect and the done mark commit
together, so a crash never replays an update whose effect is already stored.

In a cluster (bot/cluster/) a row also names the process handling it (`claimed_by`) and when that
process last said it is still at it (`claimed_at`, else `received_at`): the leading worker takes over
rows not done whose claim is older than a threshold, one process per row (`claim`). A single process
(`--role all`) stores no claim and writes exactly as before.
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

    async def store(self, rows: list[Stored], now: datetime, owner: str | None = None) -> set[int]:
        """Store a batch in one transaction (claimed by `owner` in a cluster); returns the ids that were
        new (the others are known)."""
        if not rows:
            return set()
        new: set[int] = set()
        async with self.db.transaction() as tx:
            for row in rows:
                if owner is None:
                    cur = await tx.execute(
                        "INSERT OR IGNORE INTO inbox(update_id, chat_key, payload, received_at) VALUES (?, ?, ?, ?)",
                        (row.update_id, row.chat_key, row.payload, iso(now)))
                else:
                    cur = await tx.execute(
                        "INSERT OR IGNORE INTO inbox(update_id, chat_key, payload, received_at, claimed_by) "
                        "VALUES (?, ?, ?, ?, ?)", (row.update_id, row.chat_key, row.payload, iso(now), owner))
                if cur.rowcount:
                    new.add(row.update_id)
        return new

    async def stale(self, before: datetime, limit: int) -> list[Stored]:
        """Rows not done whose claim (or arrival) is older than `before`, oldest first."""
        rows = await self.db.fetchall(
            "SELECT update_id, chat_key, payload FROM inbox WHERE done_at IS NULL "
            "AND COALESCE(claimed_at, received_at) < ? ORDER BY update_id LIMIT ?", (iso(before), limit))
        return [Stored(r[0], r[1], r[2]) for r in rows]

    async def claim(self, update_id: int, owner: str, now: datetime, before: datetime) -> bool:
        """Take a stale row over; False when it is done or another process claimed it meanwhile."""
        cur = await self.db.execute(
            "UPDATE inbox SET claimed_by = ?, claimed_at = ? WHERE update_id = ? AND done_at IS NULL "
            "AND COALESCE(claimed_at, received_at) < ?", (owner, iso(now), update_id, iso(before)))
        return cur.rowcount > 0

    async def refresh_claims(self, owner: str, now: datetime) -> int:
        """`owner` is still at its rows not done: their claims are renewed."""
        cur = await self.db.execute("UPDATE inbox SET claimed_at = ? WHERE claimed_by = ? AND done_at IS NULL",
                                    (iso(now), owner))
        return cur.rowcount

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
