"""Who has reported: per organization, per district, for one month and a scope."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Sequence

from db.database import Database


@dataclass(frozen=True)
class OrgStatus:
    org_id: int
    org_name: str
    district_id: int
    district: str
    chair_id: int | None
    chair_name: str | None
    chair_phone: str | None
    chair_locale: str | None
    chair_active: bool
    submitted: bool
    late: bool


@dataclass(frozen=True)
class DistrictProgress:
    district_id: int
    district: str
    total: int
    submitted: int
    late: int

    @property
    def missing(self) -> int:
        return self.total - self.submitted


_STATUS = (
    "SELECT o.id, o.name, d.id, d.name, u.id, u.full_name, u.phone, u.locale, COALESCE(u.active, 0), "
    "r.id IS NOT NULL, COALESCE(r.late, 0) "
    "FROM organizations o JOIN districts d ON d.id = o.district_id "
    "LEFT JOIN users u ON u.org_id = o.id "
    "LEFT JOIN reports r ON r.org_id = o.id AND r.month = :month "
    "WHERE (:district IS NULL OR o.district_id = :district) "
)


def _status(row) -> OrgStatus:
    return OrgStatus(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], bool(row[8]),
                     bool(row[9]), bool(row[10]))


class StatsRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def statuses(self, month: str, district_id: int | None = None) -> list[OrgStatus]:
        """Every organization of the scope with its chair and whether it reported for the month."""
        rows = await self.db.fetchall(_STATUS + "ORDER BY d.name, o.name",
                                      {"month": month, "district": district_id})
        return [_status(r) for r in rows]

    async def missing(self, month: str, district_id: int | None = None) -> list[OrgStatus]:
        """Organizations of the scope with no submitted report for the month."""
        rows = await self.db.fetchall(_STATUS + "AND r.id IS NULL ORDER BY d.name, o.name",
                                      {"month": month, "district": district_id})
        return [_status(r) for r in rows]

    async def progress(self, month: str, district_id: int | None = None) -> list[DistrictProgress]:
        rows = await self.db.fetchall(
            "SELECT d.id, d.name, COUNT(o.id), COUNT(r.id), COALESCE(SUM(r.late), 0) "
            "FROM districts d JOIN organizations o ON o.district_id = d.id "
            "LEFT JOIN reports r ON r.org_id = o.id AND r.month = :month "
            "WHERE (:district IS NULL OR d.id = :district) GROUP BY d.id ORDER BY d.name",
            {"month": month, "district": district_id})
        return [DistrictProgress(*r) for r in rows]

    async def numeric_totals(self, month: str, keys: Sequence[str],
                             district_id: int | None = None) -> dict[str, int]:
        """key -> the sum of that numeric answer over the month's reports of the scope."""
        rows = await self.db.fetchall(
            "SELECT j.key, SUM(CAST(j.value AS INTEGER)) FROM reports r "
            "JOIN organizations o ON o.id = r.org_id, json_each(r.answers) j "
            "WHERE r.month = :month AND (:district IS NULL OR o.district_id = :district) "
            "AND j.key IN (SELECT value FROM json_each(:keys)) AND j.type IN ('integer', 'real', 'text') "
            "GROUP BY j.key",
            {"month": month, "district": district_id, "keys": json.dumps(list(keys))})
        return {r[0]: r[1] for r in rows}

    async def option_counts(self, month: str, keys: Sequence[str],
                            district_id: int | None = None) -> dict[tuple[str, str], int]:
        """(field key, option key) -> how many organizations chose that option in a multi answer."""
        rows = await self.db.fetchall(
            "SELECT j.key, p.value, COUNT(DISTINCT r.org_id) FROM reports r "
            "JOIN organizations o ON o.id = r.org_id, json_each(r.answers) j, json_each(j.value) p "
            "WHERE r.month = :month AND (:district IS NULL OR o.district_id = :district) "
            "AND j.key IN (SELECT value FROM json_each(:keys)) AND j.type = 'array' "
            "GROUP BY j.key, p.value",
            {"month": month, "district": district_id, "keys": json.dumps(list(keys))})
        return {(r[0], r[1]): r[2] for r in rows}

    async def report_count(self, month: str, district_id: int | None = None) -> int:
        row = await self.db.fetchone(
            "SELECT COUNT(*) FROM reports r JOIN organizations o ON o.id = r.org_id "
            "WHERE r.month = :month AND (:district IS NULL OR o.district_id = :district)",
            {"month": month, "district": district_id})
        return row[0]
