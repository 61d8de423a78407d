"""The sent-log of scheduled messages (reminders, escalations, digests).

Never twice, never lost: a message's key (kind, period, recipient, step) is written as 'claimed'
BEFORE the message goes out and finished ('sent', 'blocked', 'failed') after it. Only one run can
claim a key, so a job that runs twice, overlapping ticks or a second start send nothing again. A
claim that is never finished (the process died after claiming) is taken over once it is older
than CLAIM_TIMEOUT and the message is sent again: a crash between sending and recording costs at
most one duplicate, never a lost message. A transient failure releases the claim (retried at a
later tick); a permanent one is recorded as 'failed' and not retried.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from db.database import Database
from db.queries.common import iso

CLAIM_TIMEOUT = timedelta(minutes=15)
Outcome = Literal["sent", "blocked", "failed"]


@dataclass(frozen=True)
class SentKey:
    kind: str
    period: str
    recipient: int
    step: str


@dataclass(frozen=True)
class SentRow:
    kind: str
    period: str
    recipient: int
    step: str
    status: str


class SentRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def taken(self, kind: str, period: str, step: str, now: datetime) -> set[int]:
        """Recipients of this message that are finished or claimed by a live run."""
        rows = await self.db.fetchall(
            "SELECT recipient FROM sent_log WHERE kind = ? AND period = ? AND step = ? "
            "AND (status != 'claimed' OR claimed_at > ?)",
            (kind, period, step, iso(now - CLAIM_TIMEOUT)))
        return {r[0] for r in rows}

    async def claim(self, key: SentKey, now: datetime) -> bool:
        """True when this run may send the message: the key was free or its claim abandoned."""
        cur = await self.db.execute(
            "INSERT INTO sent_log(kind, period, recipient, step, status, claimed_at) "
            "VALUES (?, ?, ?, ?, 'claimed', ?) "
            "ON CONFLICT(kind, period, recipient, step) DO UPDATE SET claimed_at = excluded.claimed_at "
            "WHERE sent_log.status = 'claimed' AND sent_log.claimed_at <= ?",
            (key.kind, key.period, key.recipient, key.step, iso(now), iso(now - CLAIM_TIMEOUT)))
        return cur.rowcount == 1

    async def finish(self, key: SentKey, outcome: Outcome, now: datetime, detail: str | None = None) -> None:
        await self.db.execute(
            "UPDATE sent_log SET status = ?, finished_at = ?, detail = ? "
            "WHERE kind = ? AND period = ? AND recipient = ? AND step = ?",
            (outcome, iso(now), detail, key.kind, key.period, key.recipient, key.step))

    async def release(self, key: SentKey) -> None:
        """Give a claim back after a transient failure, so that a later run tries again."""
        await self.db.execute(
            "DELETE FROM sent_log WHERE kind = ? AND period = ? AND recipient = ? AND step = ? "
            "AND status = 'claimed'", (key.kind, key.period, key.recipient, key.step))

    async def rows(self, kind: str | None = None) -> list[SentRow]:
        rows = await self.db.fetchall(
            "SELECT kind, period, recipient, step, status FROM sent_log WHERE (:kind IS NULL OR kind = :kind) "
            "ORDER BY claimed_at, kind, period, recipient, step", {"kind": kind})
        return [SentRow(*r) for r in rows]
