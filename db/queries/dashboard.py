"""Reads of the Mini App's dashboard (bot/features/webapp): one report by id, month series for trends.

Trends read report_numbers / report_options (migration 0006), kept by StatsRepo: callers make sure the
keys are tallied first (`StatsRepo.ensure_tallied`). Like-for-like sums join a month's numbers to the
previous month's on (key, organization), so only organizations that reported in both months count.
A month's figures are kept in memory until the writes counted for it in month_writes (migration 0010)
move: at national scale computing all 12 months takes seconds, the open month alone tens of ms.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from db.database import Database
from db.dialect import POSTGRESQL, SQLITE, inner_joins, json_field, json_texts
from db.queries.stats import OrgStatus


@dataclass(frozen=True)
class ReportRow:
    id: int
    org_id: int
    district_id: int
    month: str
    answers: dict[str, Any]
    late: bool
    submitted_at: str


@dataclass(frozen=True)
class NumberPoint:
    """One numeric key of one month: the total and count over every report, and like-for-like with the
    month before (only organizations that answered the key in both months)."""
    total: int
    reports: int
    same_orgs: int = 0
    same_now: int = 0
    same_before: int = 0


@dataclass(frozen=True)
class MonthFigures:
    reports: int
    numbers: dict[str, NumberPoint]
    options: dict[tuple[str, str], int]  # (key, option) -> organizations that chose it
    any_option: int                      # organizations that chose at least one option of the keys


_REPORT = ("SELECT r.id, r.org_id, o.district_id, r.month, r.answers, r.late, r.submitted_at FROM reports r "
           "JOIN organizations o ON o.id = r.org_id ")

# Each figure has two forms, keyed by "is the scope the whole branch": branch-wide, one walk of the month's
# (month, key) range; for one district, probes of its few organizations in the primary key.
_KEYS = ("WITH keys AS (SELECT id, key FROM tallied_keys WHERE kind = :kind "
         f"AND key IN ({json_texts(SQLITE, ':keys')})) ")
_ORGS = "organizations o CROSS JOIN keys k CROSS JOIN "
_FIGURES: dict[bool, dict[str, str]] = {
    True: {
        "reports": "SELECT COUNT(*) FROM reports WHERE month = :month",
        "totals": _KEYS + "SELECT k.key, SUM(n.value), COUNT(*) FROM keys k "
                  "CROSS JOIN report_numbers n ON n.month = :month AND n.key_id = k.id GROUP BY k.key",
        "same": _KEYS + "SELECT k.key, COUNT(*), SUM(a.value), SUM(b.value) FROM keys k "
                "CROSS JOIN report_numbers a ON a.month = :month AND a.key_id = k.id "
                "CROSS JOIN report_numbers b ON b.month = :prev AND b.key_id = k.id AND b.org_id = a.org_id "
                "GROUP BY k.key",
        "options": _KEYS + "SELECT k.key, n.option, COUNT(*) FROM keys k "
                   "CROSS JOIN report_options n ON n.month = :month AND n.key_id = k.id GROUP BY k.key, n.option",
        "any": _KEYS + "SELECT COUNT(DISTINCT n.org_id) FROM keys k "
               "CROSS JOIN report_options n ON n.month = :month AND n.key_id = k.id",
    },
    False: {
        "reports": "SELECT COUNT(*) FROM organizations o CROSS JOIN reports r ON r.org_id = o.id AND r.month = :month "
                   "WHERE o.district_id = :district",
        "totals": _KEYS + "SELECT k.key, SUM(n.value), COUNT(*) FROM " + _ORGS +
                  "report_numbers n ON n.month = :month AND n.key_id = k.id AND n.org_id = o.id "
                  "WHERE o.district_id = :district GROUP BY k.key",
        "same": _KEYS + "SELECT k.key, COUNT(*), SUM(a.value), SUM(b.value) FROM " + _ORGS +
                "report_numbers a ON a.month = :month AND a.key_id = k.id AND a.org_id = o.id "
                "CROSS JOIN report_numbers b ON b.month = :prev AND b.key_id = k.id AND b.org_id = o.id "
                "WHERE o.district_id = :district GROUP BY k.key",
        "options": _KEYS + "SELECT k.key, n.option, COUNT(*) FROM " + _ORGS +
                   "report_options n ON n.month = :month AND n.key_id = k.id AND n.org_id = o.id "
                   "WHERE o.district_id = :district GROUP BY k.key, n.option",
        "any": _KEYS + "SELECT COUNT(DISTINCT o.id) FROM " + _ORGS +
               "report_options n ON n.month = :month AND n.key_id = k.id AND n.org_id = o.id "
               "WHERE o.district_id = :district",
    },
}

# A region's figures: the district's queries over the region's districts.
_REGION_FIGURES = {name: sql.replace("o.district_id = :district",
                                     "o.district_id IN (SELECT id FROM districts WHERE region_id = :region)")
                   for name, sql in _FIGURES[False].items()}

# PostgreSQL: the same figures, the keys read from the JSON parameter as jsonb, plain inner joins.
_PG_FIGURES = {scope: {name: inner_joins(sql.replace(json_texts(SQLITE, ":keys"), json_texts(POSTGRESQL, ":keys")))
                       for name, sql in figures.items()}
               for scope, figures in (("branch", _FIGURES[True]), ("district", _FIGURES[False]),
                                      ("region", _REGION_FIGURES))}
_ALL_FIGURES = {
    SQLITE: {"branch": _FIGURES[True], "district": _FIGURES[False], "region": _REGION_FIGURES},
    POSTGRESQL: _PG_FIGURES,
}


def _deferred_sql(dialect: str) -> tuple[str, str]:
    """The «Remind now» requests deferred to quiet hours, read from the audit log's JSON details: the
    ones due in a window, and whether one exists for an organization and day."""
    month, day, deferred = (json_field(dialect, "details", name) for name in ("month", "day", "deferred_to"))
    org = ("CAST(substr(object_ref, 5) AS INTEGER)" if dialect == SQLITE
           else "CAST(substr(object_ref, 5) AS BIGINT)")
    return (f"SELECT DISTINCT {org}, {month}, {day}, {deferred} FROM audit_log "
            f"WHERE action = ? AND {deferred} BETWEEN ? AND ? ORDER BY 4, 1",
            f"SELECT 1 FROM audit_log WHERE action = ? AND object_ref = ? AND {day} = ? "
            f"AND {deferred} IS NOT NULL LIMIT 1")


CACHED_FIGURES = 4000  # (scope, month, keys) entries: 200 districts x 13 months fit with room


def _report(row: Any) -> ReportRow | None:
    if row is None:
        return None
    return ReportRow(row[0], row[1], row[2], row[3], json.loads(row[4]), bool(row[5]), row[6])


# Every organization of the scope with its chair and whether (and how late) it reported for the month.
_STATUSES = (
    "SELECT o.id, o.name, d.id, d.name, u.id, u.full_name, u.phone, u.locale, COALESCE(u.active, 0), "
    "r.id IS NOT NULL, COALESCE(r.late, 0) "
    "FROM organizations o JOIN districts d ON d.id = o.district_id "
    "LEFT JOIN users u ON u.org_id = o.id AND u.deputy = 0 "
    "LEFT JOIN reports r ON r.org_id = o.id AND r.month = :month "
    "WHERE (:district IS NULL OR o.district_id = :district) ORDER BY d.name, o.name")


# The first organizations of the scope without a report for the month, with their chair: the page lists
# a few hundred (the districts' drill-down has the rest); the chairs are looked up for those only.
_MISSING_FIRST = (
    "SELECT m.id, m.name, d.id, d.name, u.id, u.full_name, u.phone, u.locale, COALESCE(u.active, 0), 0, 0 "
    "FROM (SELECT o.id, o.name, o.district_id FROM organizations o JOIN districts d ON d.id = o.district_id "
    "WHERE (:district IS NULL OR o.district_id = :district) AND (:region IS NULL OR d.region_id = :region) "
    "AND o.archived_at IS NULL "
    "AND o.id NOT IN (SELECT org_id FROM reports WHERE month = :month) ORDER BY d.name, o.name LIMIT :limit) m "
    "JOIN districts d ON d.id = m.district_id LEFT JOIN users u ON u.org_id = m.id AND u.deputy = 0 "
    "ORDER BY d.name, m.name")


# Per district of the scope: the month's reports returned for correction and those accepted (review,
# migration 0013); archived organizations left out, as in the progress counts (db/queries/stats.py).
_REVIEWS = (
    "SELECT o.district_id, SUM(CASE WHEN r.review = 'returned' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN r.review = 'accepted' THEN 1 ELSE 0 END) "
    "FROM reports r JOIN organizations o ON o.id = r.org_id "
    "WHERE r.month = :month AND r.review IN ('returned', 'accepted') AND o.archived_at IS NULL "
    "AND (:district IS NULL OR o.district_id = :district) "
    "AND (:region IS NULL OR o.district_id IN (SELECT id FROM districts WHERE region_id = :region)) "
    "GROUP BY o.district_id")


class DashboardRepo:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._sql = _ALL_FIGURES[db.dialect]
        self._deferred, self._deferred_exists = _deferred_sql(db.dialect)
        self._figures: dict[tuple[Any, ...], tuple[tuple[Any, ...], MonthFigures]] = {}

    async def statuses(self, month: str, district_id: int | None) -> list[OrgStatus]:
        rows = await self.db.fetchall(_STATUSES, {"month": month, "district": district_id})
        return [OrgStatus(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]), bool(r[9]), bool(r[10]))
                for r in rows]

    async def missing_first(self, month: str, district_id: int | None, limit: int,
                            region_id: int | None = None) -> list[OrgStatus]:
        rows = await self.db.fetchall(_MISSING_FIRST, {"month": month, "district": district_id, "limit": limit,
                                                       "region": region_id})
        return [OrgStatus(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]), bool(r[9]), bool(r[10]))
                for r in rows]

    async def reviews(self, month: str, district_id: int | None,
                      region_id: int | None = None) -> dict[int, tuple[int, int]]:
        """district id -> (returned, accepted) reports of the month; districts with neither are left out."""
        rows = await self.db.fetchall(_REVIEWS, {"month": month, "district": district_id, "region": region_id})
        return {r[0]: (int(r[1]), int(r[2])) for r in rows}

    async def report(self, report_id: int) -> ReportRow | None:
        return _report(await self.db.fetchone(_REPORT + "WHERE r.id = ?", (report_id,)))

    async def report_of(self, org_id: int, month: str) -> ReportRow | None:
        return _report(await self.db.fetchone(_REPORT + "WHERE r.org_id = ? AND r.month = ?", (org_id, month)))

    async def figures(self, pairs: Sequence[tuple[str, str]], number_keys: Sequence[str],
                      option_keys: Sequence[str], district_id: int | None,
                      region_id: int | None = None) -> dict[str, MonthFigures]:
        """month -> its figures in the scope (None: the whole branch), numbers compared with the month paired
        with it. Answered from memory while no report of the two months and no organization's district changed."""
        writes = await self._writes()
        out = {}
        for month, prev in pairs:
            stamp = (writes.get(month), writes.get(prev), writes.get("*"))
            key = (district_id, region_id, month, prev, tuple(number_keys), tuple(option_keys))
            cached = self._figures.get(key)
            if cached is None or cached[0] != stamp:
                cached = (stamp, await self._compute(month, prev, number_keys, option_keys, district_id, region_id))
                if key not in self._figures and len(self._figures) >= CACHED_FIGURES:
                    del self._figures[next(iter(self._figures))]
                self._figures[key] = cached
            out[month] = cached[1]
        return out

    async def _writes(self) -> dict[str, int]:
        """month -> writes to its reports, '*' -> to the organizations (migration 0010)."""
        return {r[0]: r[1] for r in await self.db.fetchall("SELECT month, n FROM month_writes")}

    async def _compute(self, month: str, prev: str, number_keys: Sequence[str], option_keys: Sequence[str],
                       district_id: int | None, region_id: int | None = None) -> MonthFigures:
        scope = "district" if district_id is not None else "region" if region_id is not None else "branch"
        sql = self._sql[scope]
        base = {"month": month, "prev": prev, "district": district_id, "region": region_id}
        numbers = {**base, "kind": "number", "keys": json.dumps(list(number_keys))}
        options = {**base, "kind": "option", "keys": json.dumps(list(option_keys))}
        reports = await self.db.fetchone(sql["reports"], base)
        same = {r[0]: (r[1], r[2] or 0, r[3] or 0) for r in await self.db.fetchall(sql["same"], numbers)}
        points = {}
        for r in await self.db.fetchall(sql["totals"], numbers):
            points[r[0]] = NumberPoint(r[1] or 0, r[2], *same.get(r[0], (0, 0, 0)))
        chosen = {(r[0], r[1]): r[2] for r in await self.db.fetchall(sql["options"], options)}
        anyone = await self.db.fetchone(sql["any"], options)
        return MonthFigures(reports[0] if reports else 0, points, chosen, anyone[0] if anyone else 0)

    async def deferred_reminders(self, action: str, since: str, until: str) -> list[tuple[int, str, str, str]]:
        """(org id, month, day, deferred_to) of «Remind now» requests made in quiet hours (the audit log
        is their queue: see bot/features/webapp/remind.py) due between `since` and `until` (ISO UTC)."""
        rows = await self.db.fetchall(self._deferred, (action, since, until))
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    async def deferred_reminder_exists(self, action: str, org_id: int, day: str) -> bool:
        row = await self.db.fetchone(self._deferred_exists, (action, f"org:{org_id}", day))
        return row is not None
