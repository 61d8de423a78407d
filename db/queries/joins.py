"""Requests to join as chair from users who have no invite code."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.database import Database
from db.queries.common import inserted_id, iso


@dataclass(frozen=True)
class JoinRequest:
    id: int
    user_id: int
    org_id: int
    org_name: str
    district_id: int
    district: str
    full_name: str
    status: str  # 'pending', 'approved', 'rejected'
    decided_by: int | None
    decided_at: str | None


_SELECT = (
    "SELECT j.id, j.user_id, j.org_id, o.name, o.district_id, d.name, j.full_name, j.status, "
    "j.decided_by, j.decided_at FROM join_requests j JOIN organizations o ON o.id = j.org_id "
    "JOIN districts d ON d.id = o.district_id "
)


class JoinsRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, request_id: int) -> JoinRequest | None:
        row = await self.db.fetchone(_SELECT + "WHERE j.id = ?", (request_id,))
        return JoinRequest(*row) if row else None

    async def pending_of(self, user_id: int) -> JoinRequest | None:
        row = await self.db.fetchone(_SELECT + "WHERE j.user_id = ? AND j.status = 'pending'", (user_id,))
        return JoinRequest(*row) if row else None

    async def create(self, user_id: int, org_id: int, full_name: str, now: datetime) -> int:
        cur = await self.db.execute(
            "INSERT INTO join_requests(user_id, org_id, full_name, created_at) VALUES (?,?,?,?) RETURNING id",
            (user_id, org_id, full_name, iso(now)))
        return inserted_id(cur)

    async def decide(self, request_id: int, status: str, admin_id: int, now: datetime) -> bool:
        """Claim a pending request for a decision; False when someone decided it first."""
        cur = await self.db.execute(
            "UPDATE join_requests SET status = ?, decided_by = ?, decided_at = ? WHERE id = ? AND status = 'pending'",
            (status, admin_id, iso(now), request_id))
        return cur.rowcount > 0

    async def undo(self, request_id: int) -> None:
        """Back to pending (the approval could not be carried out)."""
        await self.db.execute(
            "UPDATE join_requests SET status = 'pending', decided_by = NULL, decided_at = NULL WHERE id = ?",
            (request_id,))
