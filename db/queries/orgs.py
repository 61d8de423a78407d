from __future__ import annotations

from dataclasses import dataclass

from db.database import Database


@dataclass(frozen=True)
class Organization:
    id: int
    name: str
    district_id: int
    district: str
    sector: str
    members: int
    invite_code: str


_SELECT = (
    "SELECT o.id, o.name, o.district_id, d.name AS district, o.sector, o.members, o.invite_code "
    "FROM organizations o JOIN districts d ON d.id = o.district_id "
)


def _org(row) -> Organization | None:
    return Organization(*row) if row else None


class OrgsRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, org_id: int) -> Organization | None:
        return _org(await self.db.fetchone(_SELECT + "WHERE o.id = ?", (org_id,)))

    async def by_code(self, code: str) -> Organization | None:
        return _org(await self.db.fetchone(_SELECT + "WHERE o.invite_code = ?", (code,)))

    async def all(self, district_id: int | None = None) -> list[Organization]:
        if district_id is None:
            rows = await self.db.fetchall(_SELECT + "ORDER BY d.name, o.name")
        else:
            rows = await self.db.fetchall(_SELECT + "WHERE o.district_id = ? ORDER BY o.name", (district_id,))
        return [Organization(*r) for r in rows]

    async def districts(self) -> list[tuple[int, str]]:
        rows = await self.db.fetchall("SELECT id, name FROM districts ORDER BY name")
        return [(r["id"], r["name"]) for r in rows]

    async def district_by_name(self, name: str) -> int | None:
        row = await self.db.fetchone("SELECT id FROM districts WHERE name = ?", (name,))
        return row["id"] if row else None
