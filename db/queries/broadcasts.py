"""Broadcasts and the delivery state of each recipient.

Recipients are claimed before delivery (migration 0015): a worker takes the next few unfinished
recipients nobody holds (`claim`), and delivers only those; its claims are renewed with every state it
writes (`save_states` with its Holder) and released when it stops (`release`). A claim older than
CLAIM_LEASE belongs to a worker that died: another takes it over. So two workers delivering the same
broadcast never send to the same recipient, except one whose call was in flight when its worker died.
On SQLite one process delivers (the writer lock, db/lock.py): the claims it finds at its start are a
dead process's, given back at once (`release_dead`) instead of after their lease.
PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent claims take disjoint rows without waiting on each other;
SQLite: the claim is one statement of its one writer.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from db.database import Database
from db.dialect import POSTGRESQL
from db.queries.common import inserted_id, iso

# Recipient states. SENDING is written before the Bot API call, so after a crash
# it means "maybe delivered": it is sent again, the only possible duplicate.
PENDING, SENDING, SENT, BLOCKED, FAILED, CANCELLED = "pending", "sending", "sent", "blocked", "failed", "cancelled"
RUNNING, DONE = "running", "done"
CLAIM_LEASE = timedelta(seconds=60)  # a worker silent for that long (no claim, no state written) is dead


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


@dataclass(frozen=True)
class Holder:
    """A worker delivering one broadcast: `worker` names it uniquely among the processes."""
    broadcast_id: int
    worker: str


# The next unfinished recipients in delivery order that nobody holds, or whose holder is silent since
# :stale (never the asking worker's own: those are in its queue), while the broadcast runs.
_CLAIM = ("UPDATE broadcast_recipients SET claimed_by = :worker, claimed_at = :now "
          "WHERE broadcast_id = :id AND position IN (SELECT position FROM broadcast_recipients "
          "WHERE broadcast_id = :id AND state IN ('pending', 'sending') "
          "AND (claimed_by IS NULL OR (claimed_by <> :worker AND claimed_at < :stale)) "
          "AND EXISTS (SELECT 1 FROM broadcasts WHERE id = :id AND status = 'running') "
          "ORDER BY position LIMIT :limit) "
          "RETURNING position, chat_id, state, attempts")
# PostgreSQL: the rows are picked once, in a materialized CTE. As a subquery of the UPDATE the planner may
# re-run it (a semi-join's inner side), and each run, re-checking the rows just claimed, would lock the next
# :limit, until the whole broadcast was claimed.
_CLAIM_PG = ("WITH picked AS MATERIALIZED (SELECT position FROM broadcast_recipients "
             "WHERE broadcast_id = :id AND state IN ('pending', 'sending') "
             "AND (claimed_by IS NULL OR (claimed_by <> :worker AND claimed_at < :stale)) "
             "AND EXISTS (SELECT 1 FROM broadcasts WHERE id = :id AND status = 'running') "
             "ORDER BY position LIMIT :limit FOR UPDATE SKIP LOCKED) "
             "UPDATE broadcast_recipients SET claimed_by = :worker, claimed_at = :now "
             "WHERE broadcast_id = :id AND position IN (SELECT position FROM picked) "
             "RETURNING position, chat_id, state, attempts")
_RENEW = ("UPDATE broadcast_recipients SET claimed_at = :now WHERE broadcast_id = :id AND claimed_by = :worker "
          "AND state IN ('pending', 'sending')")


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
        self._claim = _CLAIM_PG if db.dialect == POSTGRESQL else _CLAIM

    async def create(self, *, created_by: int, admin_chat_id: int, district_id: int | None, audience: str,
                     from_chat_id: int, message_id: int, chat_ids: Sequence[int], now: datetime) -> int:
        """A running broadcast with every recipient pending, in the given order (repeats dropped)."""
        unique = list(dict.fromkeys(chat_ids))
        async with self.db.transaction() as tx:
            cur = await tx.execute(
                "INSERT INTO broadcasts(created_by, admin_chat_id, district_id, audience, from_chat_id, "
                "message_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
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

    async def is_running(self, broadcast_id: int) -> bool:
        return await self.db.fetchone("SELECT 1 FROM broadcasts WHERE id = ? AND status = ?",
                                      (broadcast_id, RUNNING)) is not None

    async def set_progress_message(self, broadcast_id: int, message_id: int) -> None:
        await self.db.execute("UPDATE broadcasts SET progress_message_id = ? WHERE id = ?",
                              (message_id, broadcast_id))

    async def claim(self, holder: Holder, limit: int, now: datetime) -> list[Recipient]:
        """Up to `limit` recipients for this worker to deliver (pending, or sending when a crash interrupted),
        in delivery order; none once the broadcast is no longer running."""
        params = {"id": holder.broadcast_id, "worker": holder.worker, "now": iso(now),
                  "stale": iso(now - CLAIM_LEASE), "limit": limit}
        async with self.db.transaction() as tx:
            rows = await tx.fetchall(self._claim, params)
        return [Recipient(r[1], r[2], r[3]) for r in sorted(rows, key=lambda r: r[0])]

    async def renew(self, holder: Holder, now: datetime) -> None:
        """The worker is alive: its claims stay its own for another CLAIM_LEASE."""
        await self.db.execute(_RENEW, {"id": holder.broadcast_id, "worker": holder.worker, "now": iso(now)})

    async def release(self, holder: Holder) -> None:
        """Give back the worker's unfinished recipients (it stops; another worker or the next start
        delivers them)."""
        await self.db.execute(
            "UPDATE broadcast_recipients SET claimed_by = NULL, claimed_at = NULL WHERE broadcast_id = ? "
            "AND claimed_by = ? AND state IN ('pending', 'sending')", (holder.broadcast_id, holder.worker))

    async def release_dead(self) -> None:
        """At a process's start, before it resumes broadcasts: on SQLite every claim is a dead process's
        (nothing else may write the file); on PostgreSQL live workers may hold some, left to their lease."""
        if self.db.dialect != POSTGRESQL:
            await self.db.execute(
                "UPDATE broadcast_recipients SET claimed_by = NULL, claimed_at = NULL WHERE claimed_by IS NOT NULL "
                "AND state IN ('pending', 'sending') AND broadcast_id IN (SELECT id FROM broadcasts WHERE status = ?)",
                (RUNNING,))

    async def unfinished_count(self, broadcast_id: int) -> int:
        row = await self.db.fetchone("SELECT COUNT(*) FROM broadcast_recipients WHERE broadcast_id = ? "
                                     "AND state IN ('pending', 'sending')", (broadcast_id,))
        return row[0] if row else 0

    async def recipients(self, broadcast_id: int) -> list[tuple[int, str, str | None]]:
        """(chat_id, state, error) of everyone, in order."""
        rows = await self.db.fetchall(
            "SELECT chat_id, state, error FROM broadcast_recipients WHERE broadcast_id = ? ORDER BY position",
            (broadcast_id,))
        return [(r[0], r[1], r[2]) for r in rows]

    async def save_states(self, updates: Sequence[StateUpdate], holder: Holder | None = None,
                          now: datetime | None = None) -> None:
        """Write several recipients' states in one transaction (results and the next 'sending' marks);
        with the writing worker's holder and the time, its claims are renewed in the same transaction."""
        if not updates:
            return
        async with self.db.transaction() as tx:
            await tx.executemany(
                "UPDATE broadcast_recipients SET state = ?, attempts = ?, error = ? "
                "WHERE broadcast_id = ? AND chat_id = ?", updates)
            if holder is not None and now is not None:
                await tx.execute(_RENEW, {"id": holder.broadcast_id, "worker": holder.worker, "now": iso(now)})

    async def receipt(self, broadcast_id: int) -> Receipt:
        return _receipt(await self.db.fetchall(
            "SELECT state, COUNT(*) FROM broadcast_recipients WHERE broadcast_id = ? GROUP BY state",
            (broadcast_id,)))

    async def receipts(self, broadcast_ids: Sequence[int]) -> dict[int, Receipt]:
        out = {}
        for broadcast_id in broadcast_ids:
            out[broadcast_id] = await self.receipt(broadcast_id)
        return out

    async def finish(self, broadcast_id: int, status: str, now: datetime, cancelled_by: int | None = None) -> bool:
        """Close the running broadcast; when cancelled, whoever was not reached is marked cancelled. False
        when it was no longer running (another worker closed it first)."""
        async with self.db.transaction() as tx:
            closed = await tx.execute(
                "UPDATE broadcasts SET status = ?, finished_at = ?, cancelled_by = ? WHERE id = ? AND status = ?",
                (status, iso(now), cancelled_by, broadcast_id, RUNNING))
            if closed.rowcount and status == CANCELLED:
                await tx.execute(
                    "UPDATE broadcast_recipients SET state = ? WHERE broadcast_id = ? AND state IN (?, ?)",
                    (CANCELLED, broadcast_id, PENDING, SENDING))
        return closed.rowcount > 0
