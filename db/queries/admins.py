"""The table `admins`: admins added in the bot (bootstrap admins live in config.toml; bot/domain/admins.py
puts both together)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.database import Database
from db.queries.common import iso


@dataclass(frozen=True)
class AdminGrant:
    """The user's row in the `admins` table (admins added in the bot)."""
    scope: str
    district_id: int | None
    region_id: int | None = None  # a region admin's region


@dataclass(frozen=True)
class AdminRow:
    user_id: int
    scope: str
    district_id: int | None
    district: str | None
    added_by: int | None
    region_id: int | None = None
    region: str | None = None


_ROWS = ("SELECT a.user_id, a.scope, a.district_id, d.name, a.added_by, a.region_id, g.name FROM admins a "
         "LEFT JOIN districts d ON d.id = a.district_id LEFT JOIN regions g ON g.id = a.region_id ")


class AdminsRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def all(self) -> list[AdminRow]:
        rows = await self.db.fetchall(_ROWS + "ORDER BY a.scope, g.name NULLS FIRST, d.name NULLS FIRST, a.user_id")
        return [AdminRow(*r) for r in rows]

    async def get(self, user_id: int) -> AdminRow | None:
        row = await self.db.fetchone(_ROWS + "WHERE a.user_id = ?", (user_id,))
        return AdminRow(*row) if row else None

    async def grant(self, user_id: int) -> AdminGrant | None:
        row = await self.db.fetchone("SELECT scope, district_id, region_id FROM admins WHERE user_id = ?", (user_id,))
        return AdminGrant(row["scope"], row["district_id"], row["region_id"]) if row else None

    async def put(self, user_id: int, scope: str, district_id: int | None, added_by: int, now: datetime,
                  region_id: int | None = None) -> None:
        await self.db.execute(
            "INSERT INTO admins(user_id, scope, district_id, region_id, added_by, added_at) VALUES (?,?,?,?,?,?) "
            "ON CONFLICT(user_id) DO UPDATE SET scope = excluded.scope, district_id = excluded.district_id, "
            "region_id = excluded.region_id, added_by = excluded.added_by, added_at = excluded.added_at",
            (user_id, scope, district_id, region_id, added_by, iso(now)))

    async def remove(self, user_id: int) -> bool:
        cur = await self.db.execute("DELETE FROM admins WHERE user_id = ?", (user_id,))
        return cur.rowcount > 0
