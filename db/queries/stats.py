"""Who has reported: per organization, per district, for one month and a scope."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import NamedTuple, Sequence

from db.database import Database


class OrgStatus(NamedTuple):
    """A named tuple, not a dataclass: thousands are built per query (3x cheaper to make)."""
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

# The month's reporters as a list probed per organization: the chair is looked up only for the
# organizations that are missing (a LEFT JOIN on reports looked up all 10,000 first: 22 -> 15 ms).
_MISSING = (
    "SELECT o.id, o.name, d.id, d.name, u.id, u.full_name, u.phone, u.locale, COALESCE(u.active, 0), 0, 0 "
    "FROM organizations o JOIN districts d ON d.id = o.district_id "
    "LEFT JOIN users u ON u.org_id = o.id "
    "WHERE (:district IS NULL OR o.district_id = :district) "
    "AND o.id NOT IN (SELECT org_id FROM reports WHERE month = :month) "
    "ORDER BY d.name, o.name"
)

# Per district: organizations, reports, late ones; keyed by "is the scope the whole branch". Branch-wide,
# the month's reports are counted from the covering (month, org_id, late) index instead of probing
# 10,000 organizations (27 -> 6 ms); for one district the probes are the cheaper way.
_PROGRESS = {
    True: "SELECT d.id, d.name, o.total, COALESCE(f.submitted, 0), COALESCE(f.late, 0) FROM districts d "
          "JOIN (SELECT district_id, COUNT(*) AS total FROM organizations GROUP BY district_id) o "
          "ON o.district_id = d.id "
          "LEFT JOIN (SELECT o.district_id, COUNT(*) AS submitted, SUM(r.late) AS late FROM reports r "
          "JOIN organizations o ON o.id = r.org_id WHERE r.month = :month GROUP BY o.district_id) f "
          "ON f.district_id = d.id ORDER BY d.name",
    False: "SELECT d.id, d.name, COUNT(o.id), COUNT(r.id), COALESCE(SUM(r.late), 0) "
           "FROM districts d JOIN organizations o ON o.district_id = d.id "
           "LEFT JOIN reports r ON r.org_id = o.id AND r.month = :month "
           "WHERE d.id = :district GROUP BY d.id ORDER BY d.name",
}
# Month totals from report_numbers / report_options (migration 0006), keyed by "is the scope the whole
# branch". One sum per key walks its (month, key) range in index order: no sort of ~70,000 numbers.
_NUMBERS = {
    True: "SELECT t.key, (SELECT SUM(n.value) FROM report_numbers n WHERE n.month = :month AND n.key_id = t.id) "
          "FROM tallied_keys t WHERE t.kind = 'number' AND t.key IN (SELECT value FROM json_each(:keys))",
    False: "SELECT t.key, (SELECT SUM(n.value) FROM report_numbers n WHERE n.month = :month AND n.key_id = t.id "
           "AND n.org_id IN (SELECT id FROM organizations WHERE district_id = :district)) "
           "FROM tallied_keys t WHERE t.kind = 'number' AND t.key IN (SELECT value FROM json_each(:keys))",
}
_OPTIONS = {
    True: "SELECT t.key, n.option, COUNT(*) FROM tallied_keys t "
          "CROSS JOIN report_options n ON n.month = :month AND n.key_id = t.id "
          "WHERE t.kind = 'option' AND t.key IN (SELECT value FROM json_each(:keys)) GROUP BY t.id, n.option",
    False: "SELECT t.key, n.option, COUNT(*) FROM tallied_keys t "
           "CROSS JOIN report_options n ON n.month = :month AND n.key_id = t.id "
           "WHERE t.kind = 'option' AND t.key IN (SELECT value FROM json_each(:keys)) "
           "AND n.org_id IN (SELECT id FROM organizations WHERE district_id = :district) GROUP BY t.id, n.option",
}
# Rows of newly tallied keys from the existing reports: the same selection as the triggers of 0006,
# in primary-key order (4x faster than in report order). CROSS JOIN: each answer is parsed once.
_BACKFILL = {
    "number": "INSERT INTO report_numbers(month, key_id, org_id, value) "
              "SELECT r.month, t.id, r.org_id, CAST(j.value AS INTEGER) "
              "FROM reports r CROSS JOIN json_each(r.answers) j "
              "CROSS JOIN tallied_keys t ON t.key = j.key AND t.kind = 'number' "
              "WHERE t.key IN (SELECT value FROM json_each(:keys)) AND j.type IN ('integer', 'real', 'text') "
              "ORDER BY 1, 2, 3",
    "option": "INSERT INTO report_options(month, key_id, option, org_id) "
              "SELECT DISTINCT r.month, t.id, p.value, r.org_id "
              "FROM reports r CROSS JOIN json_each(r.answers) j "
              "CROSS JOIN tallied_keys t ON t.key = j.key AND t.kind = 'option' CROSS JOIN json_each(j.value) p "
              "WHERE t.key IN (SELECT value FROM json_each(:keys)) AND j.type = 'array' "
              "ORDER BY 1, 2, 3, 4",
}


def _status(row) -> OrgStatus:
    return OrgStatus(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], bool(row[8]),
                     bool(row[9]), bool(row[10]))


class StatsRepo:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._tallied: set[tuple[str, str]] = set()  # (kind, key) known to be in tallied_keys

    async def statuses(self, month: str, district_id: int | None = None) -> list[OrgStatus]:
        """Every organization of the scope with its chair and whether it reported for the month."""
        rows = await self.db.fetchall(_STATUS + "ORDER BY d.name, o.name",
                                      {"month": month, "district": district_id})
        return [_status(r) for r in rows]

    async def missing(self, month: str, district_id: int | None = None) -> list[OrgStatus]:
        """Organizations of the scope with no submitted report for the month."""
        rows = await self.db.fetchall(_MISSING, {"month": month, "district": district_id})
        return [_status(r) for r in rows]

    async def progress(self, month: str, district_id: int | None = None) -> list[DistrictProgress]:
        rows = await self.db.fetchall(_PROGRESS[district_id is None], {"month": month, "district": district_id})
        return [DistrictProgress(*r) for r in rows]

    async def numeric_totals(self, month: str, keys: Sequence[str],
                             district_id: int | None = None) -> dict[str, int]:
        """key -> the sum of that numeric answer over the month's reports of the scope."""
        await self._tally("number", keys)
        rows = await self.db.fetchall(_NUMBERS[district_id is None],
                                      {"month": month, "district": district_id, "keys": json.dumps(list(keys))})
        return {r[0]: r[1] for r in rows if r[1] is not None}

    async def option_counts(self, month: str, keys: Sequence[str],
                            district_id: int | None = None) -> dict[tuple[str, str], int]:
        """(field key, option key) -> how many organizations chose that option in a multi answer."""
        await self._tally("option", keys)
        rows = await self.db.fetchall(_OPTIONS[district_id is None],
                                      {"month": month, "district": district_id, "keys": json.dumps(list(keys))})
        return {(r[0], r[1]): r[2] for r in rows}

    async def ensure_tallied(self, kind: str, keys: Sequence[str]) -> None:
        """For readers of report_numbers / report_options elsewhere (db/queries/dashboard.py)."""
        await self._tally(kind, keys)

    async def _tally(self, kind: str, keys: Sequence[str]) -> None:
        """Make sure report_numbers / report_options hold `keys` (see migration 0006): a key asked
        for the first time is registered and back-filled from every report, in one transaction."""
        new = [key for key in dict.fromkeys(keys) if (kind, key) not in self._tallied]
        if not new:
            return
        async with self.db.transaction() as tx:
            known = {r[0] for r in await tx.fetchall("SELECT key FROM tallied_keys WHERE kind = ?", (kind,))}
            added = json.dumps([key for key in new if key not in known])
            await tx.execute("INSERT INTO tallied_keys(key, kind) SELECT value, ? FROM json_each(?)", (kind, added))
            await tx.execute(_BACKFILL[kind], {"keys": added})
        self._tallied.update((kind, key) for key in new)

    async def report_count(self, month: str, district_id: int | None = None) -> int:
        row = await self.db.fetchone(
            "SELECT COUNT(*) FROM reports r JOIN organizations o ON o.id = r.org_id "
            "WHERE r.month = :month AND (:district IS NULL OR o.district_id = :district)",
            {"month": month, "district": district_id})
        return row[0]
