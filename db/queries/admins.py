"""Admins added in the bot (bootstrap admins live in config.toml), and reads for admin tools."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.database import Database
from db.queries.common import iso


@dataclass(frozen=True)
class AdminRow:
    user_id: int
    scope: str
    district_id: int | None
    district: str | None
    added_by: int | None


@dataclass(frozen=True)
class ExportRow:
    org_id: int
    district: str
    organization: str
    chair_name: str | None
    chair_phone: str | None
    answers: dict[str, Any] | None  # None: no report for the month
    late: bool


class AdminsRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def all(self) -> list[AdminRow]:
        rows = await self.db.fetchall(
            "SELECT a.user_id, a.scope, a.district_id, d.name, a.added_by FROM admins a "
            "LEFT JOIN districts d ON d.id = a.district_id ORDER BY a.scope, d.name, a.user_id")
        return [AdminRow(*r) for r in rows]

    async def get(self, user_id: int) -> AdminRow | None:
        row = await self.db.fetchone(
            "SELECT a.user_id, a.scope, a.district_id, d.name, a.added_by FROM admins a "
            "LEFT JOIN districts d ON d.id = a.district_id WHERE a.user_id = ?", (user_id,))
        return AdminRow(*row) if row else None

    async def put(self, user_id: int, scope: str, district_id: int | None, added_by: int, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO admins(user_id, scope, district_id, added_by, added_at) VALUES (?,?,?,?,?) "
            "ON CONFLICT(user_id) DO UPDATE SET scope = excluded.scope, district_id = excluded.district_id, "
            "added_by = excluded.added_by, added_at = excluded.added_at",
            (user_id, scope, district_id, added_by, iso(now)))

    async def remove(self, user_id: int) -> bool:
        cur = await self.db.execute("DELETE FROM admins WHERE user_id = ?", (user_id,))
        return cur.rowcount > 0

    async def district_name(self, district_id: int) -> str | None:
        row = await self.db.fetchone("SELECT name FROM districts WHERE id = ?", (district_id,))
        return row[0] if row else None

    async def export_rows(self, month: str, district_id: int | None = None) -> list[ExportRow]:
        """Every organization of the scope with its chair and its report for the month, if any."""
        rows = await self.db.fetchall(
            "SELECT o.id, d.name, o.name, u.full_name, u.phone, r.answers, COALESCE(r.late, 0) "
            "FROM organizations o JOIN districts d ON d.id = o.district_id "
            "LEFT JOIN users u ON u.org_id = o.id "
            "LEFT JOIN reports r ON r.org_id = o.id AND r.month = :month "
            "WHERE (:district IS NULL OR o.district_id = :district) ORDER BY d.name, o.name",
            {"month": month, "district": district_id})
        return [ExportRow(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]) if r[5] is not None else None,
                          bool(r[6])) for r in rows]

    async def submitted_orgs(self, month: str, district_id: int) -> list[tuple[int, str, str | None]]:
        """(org id, name, reopened_until) of the district's organizations that reported for the month."""
        rows = await self.db.fetchall(
            "SELECT o.id, o.name, r.reopened_until FROM reports r JOIN organizations o ON o.id = r.org_id "
            "WHERE r.month = ? AND o.district_id = ? ORDER BY o.name", (month, district_id))
        return [(r[0], r[1], r[2]) for r in rows]
