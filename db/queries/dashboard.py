"""Reads of the Mini App's dashboard (bot/features/webapp): one report by id, month series for trends.

Trends read report_numbers / report_options (migration 0006), kept by StatsRepo: callers make sure the
keys are tallied first (`StatsRepo.ensure_tallied`). Like-for-like sums join a month's numbers to the
previous month's on (key, organization), so only organizations that reported in both months count.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from db.database import Database


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
    """One key of one month: the total and count over every report, and like-for-like with the month before."""
    month: str
    key: str
    total: int
    reports: int
    same_orgs: int = 0      # organizations that reported this key in both months
    same_now: int = 0       # their sum this month
    same_before: int = 0    # their sum the month before


_REPORT = ("SELECT r.id, r.org_id, o.district_id, r.month, r.answers, r.late, r.submitted_at FROM reports r "
           "JOIN organizations o ON o.id = r.org_id ")

# (cur, prev) month pairs as a JSON array of two-element arrays.
_PAIRS = ("WITH pairs(cur, prev) AS (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') "
          "FROM json_each(:pairs)), keys AS (SELECT id, key FROM tallied_keys WHERE kind = :kind "
          "AND key IN (SELECT value FROM json_each(:keys))) ")
_SCOPE = "AND (:district IS NULL OR {col} IN (SELECT id FROM organizations WHERE district_id = :district)) "

_TOTALS = (_PAIRS + "SELECT p.cur, k.key, SUM(n.value), COUNT(*) FROM pairs p CROSS JOIN keys k "
           "CROSS JOIN report_numbers n ON n.month = p.cur AND n.key_id = k.id "
           "WHERE 1 " + _SCOPE.format(col="n.org_id") + "GROUP BY p.cur, k.key")
_SAME = (_PAIRS + "SELECT p.cur, k.key, COUNT(*), SUM(a.value), SUM(b.value) FROM pairs p CROSS JOIN keys k "
         "CROSS JOIN report_numbers a ON a.month = p.cur AND a.key_id = k.id "
         "CROSS JOIN report_numbers b ON b.month = p.prev AND b.key_id = k.id AND b.org_id = a.org_id "
         "WHERE 1 " + _SCOPE.format(col="a.org_id") + "GROUP BY p.cur, k.key")
_OPTIONS = (_PAIRS + "SELECT p.cur, k.key, n.option, COUNT(*) FROM pairs p CROSS JOIN keys k "
            "CROSS JOIN report_options n ON n.month = p.cur AND n.key_id = k.id "
            "WHERE 1 " + _SCOPE.format(col="n.org_id") + "GROUP BY p.cur, k.key, n.option")
_ANY_OPTION = (_PAIRS + "SELECT p.cur, COUNT(DISTINCT n.org_id) FROM pairs p CROSS JOIN keys k "
               "CROSS JOIN report_options n ON n.month = p.cur AND n.key_id = k.id "
               "WHERE 1 " + _SCOPE.format(col="n.org_id") + "GROUP BY p.cur")
_COUNTS = ("SELECT r.month, COUNT(*) FROM reports r WHERE r.month IN (SELECT value FROM json_each(:months)) "
           + _SCOPE.format(col="r.org_id") + "GROUP BY r.month")


def _report(row: Any) -> ReportRow | None:
    if row is None:
        return None
    return ReportRow(row[0], row[1], row[2], row[3], json.loads(row[4]), bool(row[5]), row[6])


class DashboardRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def report(self, report_id: int) -> ReportRow | None:
        return _report(await self.db.fetchone(_REPORT + "WHERE r.id = ?", (report_id,)))

    async def report_of(self, org_id: int, month: str) -> ReportRow | None:
        return _report(await self.db.fetchone(_REPORT + "WHERE r.org_id = ? AND r.month = ?", (org_id, month)))

    async def report_counts(self, months: Sequence[str], district_id: int | None) -> dict[str, int]:
        """month -> reports submitted in the scope."""
        rows = await self.db.fetchall(_COUNTS, {"months": json.dumps(list(months)), "district": district_id})
        return {r[0]: r[1] for r in rows}

    async def number_series(self, pairs: Sequence[tuple[str, str]], keys: Sequence[str],
                            district_id: int | None) -> list[NumberPoint]:
        """For each (month, previous month) pair and numeric key: totals and the like-for-like sums."""
        params = {"pairs": json.dumps([list(p) for p in pairs]), "keys": json.dumps(list(keys)),
                  "kind": "number", "district": district_id}
        same = {(r[0], r[1]): (r[2], r[3] or 0, r[4] or 0) for r in await self.db.fetchall(_SAME, params)}
        out = []
        for row in await self.db.fetchall(_TOTALS, params):
            orgs, now, before = same.get((row[0], row[1]), (0, 0, 0))
            out.append(NumberPoint(row[0], row[1], row[2] or 0, row[3], orgs, now, before))
        return out

    async def option_series(self, months: Sequence[str], keys: Sequence[str],
                            district_id: int | None) -> tuple[dict[tuple[str, str, str], int], dict[str, int]]:
        """(month, key, option) -> organizations that chose it; and month -> organizations with any option."""
        params = {"pairs": json.dumps([[m, m] for m in months]), "keys": json.dumps(list(keys)),
                  "kind": "option", "district": district_id}
        chosen = {(r[0], r[1], r[2]): r[3] for r in await self.db.fetchall(_OPTIONS, params)}
        anyone = {r[0]: r[1] for r in await self.db.fetchall(_ANY_OPTION, params)}
        return chosen, anyone

    async def deferred_reminders(self, action: str, since: str, until: str) -> list[tuple[int, str, str, str]]:
        """(org id, month, day, deferred_to) of «Remind now» requests made in quiet hours (the audit log
        is their queue: see bot/features/webapp/remind.py) due between `since` and `until` (ISO UTC)."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT CAST(substr(object_ref, 5) AS INTEGER), json_extract(details, '$.month'), "
            "json_extract(details, '$.day'), json_extract(details, '$.deferred_to') FROM audit_log "
            "WHERE action = ? AND json_extract(details, '$.deferred_to') BETWEEN ? AND ? ORDER BY 4, 1",
            (action, since, until))
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    async def deferred_reminder_exists(self, action: str, org_id: int, day: str) -> bool:
        row = await self.db.fetchone(
            "SELECT 1 FROM audit_log WHERE action = ? AND object_ref = ? AND json_extract(details, '$.day') = ? "
            "AND json_extract(details, '$.deferred_to') IS NOT NULL LIMIT 1", (action, f"org:{org_id}", day))
        return row is not None
