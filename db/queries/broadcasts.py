"""Broadcasts and the delivery state of each recipient."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from db.database import Database
from db.queries.common import inserted_id, iso

# Recipient states. SENDING is written before the Bot API call, so after a crash
# it means "maybe delivered": it is sent again, the only possible duplicate.
PENDING, SENDING, SENT, BLOCKED, FAILED, CANCELLED = "pending", "sending", "sent", "blocked", "failed", "cancelled"
RUNNING, DONE = "running", "done"


@dataclass(frozen=True)
class Broadcast:
    id: int
    created_by: int
    admin_chat_id: int
    district_id: int | None
    audience: str
    from_chat_id: int
    message_id: int
    status: str
    progress_message_id: int | None
    created_at: str
    finished_at: str | None


@dataclass(frozen=True)
class Receipt:
    """How many recipients are in each state."""
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    cancelled: int = 0
    left: int = 0  # pending or sending

    @property
    def total(self) -> int:
        return self.sent + self.blocked + self.failed + self.cancelled + self.left


@dataclass(frozen=True)
class Recipient:
    chat_id: int
    state: str
    attempts: int


# (state, attempts, error, broadcast_id, chat_id)
StateUpdate = tuple[str, int, str | None, int, int]


def _broadcast(row: aiosqlite.Row) -> Broadcast:
    return Broadcast(row["id"], row["created_by"], row["admin_chat_id"], row["district_id"], row["audience"],
                     row["from_chat_id"], row["message_id"], row["status"], row["progress_message_id"],
                     row["created_at"], row["finished_at"])


def _receipt(rows: Iterable) -> Receipt:
    counts = {state: n for state, n in rows}
    return Receipt(sent=counts.get(SENT, 0), blocked=counts.get(BLOCKED, 0), failed=counts.get(FAILED, 0),
                   cancelled=counts.get(CANCELLED, 0), left=counts.get(PENDING, 0) + counts.get(SENDING, 0))


class BroadcastsRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, *, created_by: int, admin_chat_id: int, district_id: int | None, audience: str,
                     from_chat_id: int, message_id: int, chat_ids: Sequence[int], now: datetime) -> int:
        """A running broadcast with every recipient pending, in the given order (repeats dropped)."""
        unique = list(dict.fromkeys(chat_ids))
        async with self.db.transaction() as tx:
            cur = await tx.execute(
                "INSERT INTO broadcasts(created_by, admin_chat_id, district_id, audience, from_chat_id, "
                "message_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (created_by, admin_chat_id, district_id, audience, from_chat_id, message_id, iso(now)))
            broadcast_id = inserted_id(cur)
            await tx.executemany(
                "INSERT INTO broadcast_recipients(broadcast_id, position, chat_id) VALUES (?, ?, ?)",
                [(broadcast_id, n, chat_id) for n, chat_id in enumerate(unique)])
        return broadcast_id

    async def get(self, broadcast_id: int) -> Broadcast | None:
        row = await self.db.fetchone("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
        return _broadcast(row) if row else None

    async def running(self) -> list[Broadcast]:
        rows = await self.db.fetchall("SELECT * FROM broadcasts WHERE status = ? ORDER BY id", (RUNNING,))
        return [_broadcast(r) for r in rows]

    async def recent(self, district_id: int | None, limit: int = 10) -> list[Broadcast]:
        """The latest broadcasts; with a district, only those limited to it."""
        rows = await self.db.fetchall(
            "SELECT * FROM broadcasts WHERE (:district IS NULL OR district_id = :district) "
            "ORDER BY id DESC LIMIT :limit", {"district": district_id, "limit": limit})
        return [_broadcast(r) for r in rows]

    async def set_progress_message(self, broadcast_id: int, message_id: int) -> None:
        await self.db.execute("UPDATE broadcasts SET progress_message_id = ? WHERE id = ?",
                              (message_id, broadcast_id))

    async def unfinished(self, broadcast_id: int) -> list[Recipient]:
        """Recipients still to deliver (pending, or sending when a crash interrupted), in order."""
        rows = await self.db.fetchall(
            "SELECT chat_id, state, attempts FROM broadcast_recipients "
            "WHERE broadcast_id = ? AND state IN (?, ?) ORDER BY position", (broadcast_id, PENDING, SENDING))
        return [Recipient(r[0], r[1], r[2]) for r in rows]

    async def recipients(self, broadcast_id: int) -> list[tuple[int, str, str | None]]:
        """(chat_id, state, error) of everyone, in order."""
        rows = await self.db.fetchall(
            "SELECT chat_id, state, error FROM broadcast_recipients WHERE broadcast_id = ? ORDER BY position",
            (broadcast_id,))
        return [(r[0], r[1], r[2]) for r in rows]

    async def save_states(self, updates: Sequence[StateUpdate]) -> None:
        """Write several recipients' states in one transaction (results and the next 'sending' marks)."""
        if updates:
            await self.db.executemany(
                "UPDATE broadcast_recipients SET state = ?, attempts = ?, error = ? "
                "WHERE broadcast_id = ? AND chat_id = ?", updates)

    async def receipt(self, broadcast_id: int) -> Receipt:
        return _receipt(await self.db.fetchall(
            "SELECT state, COUNT(*) FROM broadcast_recipients WHERE broadcast_id = ? GROUP BY state",
            (broadcast_id,)))

    async def receipts(self, broadcast_ids: Sequence[int]) -> dict[int, Receipt]:
        out = {}
        for broadcast_id in broadcast_ids:
            out[broadcast_id] = await self.receipt(broadcast_id)
        return out

    async def finish(self, broadcast_id: int, status: str, now: datetime, cancelled_by: int | None = None) -> None:
        """Close the broadcast; when cancelled, whoever was not reached is marked cancelled."""
        async with self.db.transaction() as tx:
            if status == CANCELLED:
                await tx.execute(
                    "UPDATE broadcast_recipients SET state = ? WHERE broadcast_id = ? AND state IN (?, ?)",
                    (CANCELLED, broadcast_id, PENDING, SENDING))
            await tx.execute(
                "UPDATE broadcasts SET status = ?, finished_at = ?, cancelled_by = ? WHERE id = ?",
                (status, iso(now), cancelled_by, broadcast_id))
