"""Who has reported: per organization, per district, for one month and a scope."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from db.database import Database
from db.dialect import POSTGRESQL, SQLITE, inner_joins, json_ints, json_texts


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
    region_id: int | None = None
    region: str | None = None

    @property
    def missing(self) -> int:
        return self.total - self.submitted


# The month's reporters as a list probed per organization: the chair is looked up only for the
# organizations that are missing (a LEFT JOIN on reports would look up every organization first).
# District names come once per district from _DISTRICTS instead of once per row (decoding a copy
# per missing organization was a large share of the call at national scale).
_DISTRICTS = "SELECT id, name FROM districts WHERE :district IS NULL OR id = :district"
_MISSING = (
    "SELECT o.id, o.name, d.id, u.id, u.full_name, u.phone, u.locale, u.active "
    "FROM organizations o JOIN districts d ON d.id = o.district_id "
    "LEFT JOIN users u ON u.org_id = o.id AND u.deputy = 0 "
    "WHERE (:district IS NULL OR o.district_id = :district) AND o.archived_at IS NULL "
    "AND (:region IS NULL OR d.region_id = :region) "
    "AND o.id NOT IN (SELECT org_id FROM reports WHERE month = :month) "
    "ORDER BY d.name, o.name"
)

# Per district: organizations, reports, late ones (archived organizations left out); keyed by "is the
# scope more than one district" (the branch, or a region). Branch-wide,
# the month's reports are counted from the covering (month, org_id, late) index instead of probing
# every organization; for one district the probes are the cheaper way (figures in bench/README.md).
_PROGRESS = {
    True: "SELECT d.id, d.name, o.total, COALESCE(f.submitted, 0), COALESCE(f.late, 0), d.region_id, g.name "
          "FROM districts d LEFT JOIN regions g ON g.id = d.region_id "
          "JOIN (SELECT district_id, COUNT(*) AS total FROM organizations WHERE archived_at IS NULL "
          "GROUP BY district_id) o ON o.district_id = d.id "
          "LEFT JOIN (SELECT o.district_id, COUNT(*) AS submitted, SUM(r.late) AS late FROM reports r "
          "JOIN organizations o ON o.id = r.org_id WHERE r.month = :month AND o.archived_at IS NULL "
          "GROUP BY o.district_id) f ON f.district_id = d.id "
          "WHERE (:region IS NULL OR d.region_id = :region) ORDER BY g.name NULLS FIRST, d.name",
    False: "SELECT d.id, d.name, COUNT(o.id), COUNT(r.id), COALESCE(SUM(r.late), 0), d.region_id, g.name "
           "FROM districts d LEFT JOIN regions g ON g.id = d.region_id "
           "JOIN organizations o ON o.district_id = d.id AND o.archived_at IS NULL "
           "LEFT JOIN reports r ON r.org_id = o.id AND r.month = :month "
           "WHERE d.id = :district GROUP BY d.id, g.name ORDER BY d.name",
}
# Month totals from report_numbers / report_options (migration 0006), keyed by "is the scope the whole
# branch". One sum per key walks its (month, key) range in index order: no sort of ~70,000 numbers.
_NUMBERS = {
    True: "SELECT t.key, (SELECT SUM(n.value) FROM report_numbers n WHERE n.month = :month AND n.key_id = t.id) "
          "FROM tallied_keys t WHERE t.kind = 'number' AND t.key IN (SELECT value FROM json_each(:keys))",
    False: "SELECT t.key, (SELECT SUM(n.value) FROM report_numbers n WHERE n.month = :month AND n.key_id = t.id "
           "AND n.org_id IN (SELECT o.id FROM organizations o WHERE (:district IS NULL OR o.district_id = :district) "
           "AND (:region IS NULL OR o.district_id IN (SELECT id FROM districts WHERE region_id = :region)))) "
           "FROM tallied_keys t WHERE t.kind = 'number' AND t.key IN (SELECT value FROM json_each(:keys))",
}
_OPTIONS = {
    True: "SELECT t.key, n.option, COUNT(*) FROM tallied_keys t "
          "CROSS JOIN report_options n ON n.month = :month AND n.key_id = t.id "
          "WHERE t.kind = 'option' AND t.key IN (SELECT value FROM json_each(:keys)) GROUP BY t.id, n.option",
    False: "SELECT t.key, n.option, COUNT(*) FROM tallied_keys t "
           "CROSS JOIN report_options n ON n.month = :month AND n.key_id = t.id "
           "WHERE t.kind = 'option' AND t.key IN (SELECT value FROM json_each(:keys)) "
           "AND n.org_id IN (SELECT o.id FROM organizations o WHERE (:district IS NULL OR o.district_id = :district) "
           "AND (:region IS NULL OR o.district_id IN (SELECT id FROM districts WHERE region_id = :region))) "
           "GROUP BY t.id, n.option",
}
# A newly tallied key is registered with backfill_below past the last report (migration 0008), then
# back-filled from the existing reports, _CHUNK at a time going down their ids, each step its own
# short write transaction, its rows in primary-key order. OR IGNORE: a report written since the
# registration already has its rows from the triggers of 0006, computed from the same answers.
# CROSS JOIN: each answer is parsed once.
_CHUNK = 150
_REGISTER = ("INSERT OR IGNORE INTO tallied_keys(key, kind, backfill_below) "
             "SELECT value, :kind, (SELECT MAX(id) + 1 FROM reports) FROM json_each(:keys)")
_KNOWN = ("SELECT key, backfill_below FROM tallied_keys WHERE kind = :kind "
          "AND key IN (SELECT value FROM json_each(:keys))")
_PENDING = ("SELECT id, backfill_below FROM tallied_keys WHERE kind = :kind "
            "AND key IN (SELECT value FROM json_each(:keys)) AND backfill_below IS NOT NULL")
_STEP = "(SELECT id, month, org_id, answers FROM reports WHERE id < :below ORDER BY id DESC LIMIT :chunk) r "
_BACKFILL = {
    "number": "INSERT OR IGNORE INTO report_numbers(month, key_id, org_id, value) "
              "SELECT r.month, t.id, r.org_id, CAST(j.value AS INTEGER) "
              "FROM " + _STEP + "CROSS JOIN json_each(r.answers) j "
              "CROSS JOIN tallied_keys t ON t.key = j.key AND t.kind = 'number' "
              "WHERE t.id IN (SELECT value FROM json_each(:ids)) AND j.type IN ('integer', 'real', 'text') "
              "ORDER BY 1, 2, 3",
    "option": "INSERT OR IGNORE INTO report_options(month, key_id, option, org_id) "
              "SELECT DISTINCT r.month, t.id, p.value, r.org_id "
              "FROM " + _STEP + "CROSS JOIN json_each(r.answers) j "
              "CROSS JOIN tallied_keys t ON t.key = j.key AND t.kind = 'option' CROSS JOIN json_each(j.value) p "
              "WHERE t.id IN (SELECT value FROM json_each(:ids)) AND j.type = 'array' "
              "ORDER BY 1, 2, 3, 4",
}
# The lowest id of the step just done; NULL (complete) when the step found no reports.
_ADVANCE = ("UPDATE tallied_keys SET backfill_below = (SELECT MIN(r.id) FROM " + _STEP + ") "
            "WHERE id IN (SELECT value FROM json_each(:ids))")

# PostgreSQL: the same statements over jsonb. A key is registered with the reports table locked against
# writes (SHARE): a report written meanwhile would have its id below backfill_below and yet be invisible
# to the back-fill (not committed) and have no rows from the triggers (they ran before the key existed).
# A back-fill step locks its keys' rows (FOR UPDATE): concurrent processes go down the ids one after the
# other. tally_integer() is SQLite's CAST AS INTEGER of a JSON number or string (migration 0006).
_PG_KEYS = json_texts(POSTGRESQL, ":keys")
_PG_IDS = json_ints(POSTGRESQL, ":ids")
_PG_ANSWERS = "CROSS JOIN LATERAL jsonb_each(CAST(r.answers AS jsonb)) j "
_PG_BACKFILL = {
    "number": "INSERT INTO report_numbers(month, key_id, org_id, value) "
              "SELECT r.month, t.id, r.org_id, tally_integer(j.value) FROM " + _STEP + _PG_ANSWERS +
              "JOIN tallied_keys t ON t.key = j.key AND t.kind = 'number' "
              f"WHERE t.id IN ({_PG_IDS}) AND jsonb_typeof(j.value) IN ('number', 'string') "
              "ORDER BY 1, 2, 3 ON CONFLICT DO NOTHING",
    "option": "INSERT INTO report_options(month, key_id, option, org_id) "
              "SELECT DISTINCT r.month, t.id, p.value, r.org_id FROM " + _STEP + _PG_ANSWERS +
              "JOIN tallied_keys t ON t.key = j.key AND t.kind = 'option' "
              "CROSS JOIN LATERAL jsonb_array_elements_text("
              "CASE WHEN jsonb_typeof(j.value) = 'array' THEN j.value ELSE '[]'::jsonb END) p(value) "
              f"WHERE t.id IN ({_PG_IDS}) ORDER BY 1, 2, 3, 4 ON CONFLICT DO NOTHING",
}


def _on_postgresql(sql: str) -> str:
    return inner_joins(sql.replace(json_texts(SQLITE, ":keys"), _PG_KEYS).replace(json_texts(SQLITE, ":ids"), _PG_IDS))


@dataclass(frozen=True)
class _Statements:
    numbers: dict[bool, str]
    options: dict[bool, str]
    known: str
    register: str
    pending: str
    backfill: dict[str, str]
    advance: str
    before_register: str | None = None


_SQL = {
    SQLITE: _Statements(_NUMBERS, _OPTIONS, _KNOWN, _REGISTER, _PENDING, _BACKFILL, _ADVANCE),
    POSTGRESQL: _Statements(
        numbers={scope: _on_postgresql(sql) for scope, sql in _NUMBERS.items()},
        options={scope: _on_postgresql(sql) for scope, sql in _OPTIONS.items()},
        known=_on_postgresql(_KNOWN),
        register="INSERT INTO tallied_keys(key, kind, backfill_below) "
                 "SELECT k, CAST(:kind AS TEXT), (SELECT MAX(id) + 1 FROM reports) "
                 "FROM jsonb_array_elements_text(CAST(:keys AS jsonb)) k ON CONFLICT DO NOTHING",
        pending=_on_postgresql(_PENDING) + " ORDER BY id FOR UPDATE",
        backfill=_PG_BACKFILL,
        advance=_on_postgresql(_ADVANCE),
        before_register="LOCK TABLE reports IN SHARE MODE"),
}


def _status(row) -> OrgStatus:
    return OrgStatus(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], bool(row[8]),
                     bool(row[9]), bool(row[10]))


class StatsRepo:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.sql = _SQL[db.dialect]
        self._complete: set[tuple[str, str]] = set()  # (kind, key) whose back-fill is done (in the DB too)

    async def missing(self, month: str, district_id: int | None = None,
                      region_id: int | None = None) -> list[OrgStatus]:
        """Organizations of the scope (not archived) with no submitted report for the month."""
        scope = {"month": month, "district": district_id, "region": region_id}
        names = {r[0]: r[1] for r in await self.db.fetchall(_DISTRICTS, scope)}
        return [OrgStatus(r[0], r[1], r[2], names[r[2]], r[3], r[4], r[5], r[6], r[7] == 1, False, False)
                for r in await self.db.fetchall(_MISSING, scope)]

    async def progress(self, month: str, district_id: int | None = None,
                       region_id: int | None = None) -> list[DistrictProgress]:
        rows = await self.db.fetchall(_PROGRESS[district_id is None],
                                      {"month": month, "district": district_id, "region": region_id})
        return [DistrictProgress(*r) for r in rows]

    async def numeric_totals(self, month: str, keys: Sequence[str],
                             district_id: int | None = None, region_id: int | None = None) -> dict[str, int]:
        """key -> the sum of that numeric answer over the month's reports of the scope."""
        await self._tally("number", keys)
        rows = await self.db.fetchall(self.sql.numbers[district_id is None and region_id is None],
                                      {"month": month, "district": district_id, "region": region_id,
                                       "keys": json.dumps(list(keys))})
        return {r[0]: r[1] for r in rows if r[1] is not None}

    async def option_counts(self, month: str, keys: Sequence[str],
                            district_id: int | None = None,
                            region_id: int | None = None) -> dict[tuple[str, str], int]:
        """(field key, option key) -> how many organizations chose that option in a multi answer."""
        await self._tally("option", keys)
        rows = await self.db.fetchall(self.sql.options[district_id is None and region_id is None],
                                      {"month": month, "district": district_id, "region": region_id,
                                       "keys": json.dumps(list(keys))})
        return {(r[0], r[1]): r[2] for r in rows}

    async def ensure_tallied(self, kind: str, keys: Sequence[str]) -> None:
        """For readers of report_numbers / report_options elsewhere (db/queries/dashboard.py)."""
        await self._tally(kind, keys)

    async def _tally(self, kind: str, keys: Sequence[str]) -> None:
        """Make sure report_numbers / report_options hold `keys` (migrations 0006, 0008): a key asked
        for the first time is registered, then back-filled in short steps; a restart finds the keys
        complete with one read, or carries on where an interrupted back-fill stopped."""
        wanted = [key for key in dict.fromkeys(keys) if (kind, key) not in self._complete]
        if not wanted:
            return
        names = json.dumps(wanted)
        known = {r[0]: r[1] for r in await self.db.fetchall(self.sql.known, {"kind": kind, "keys": names})}
        if len(known) < len(wanted):
            async with self.db.transaction() as tx:
                if self.sql.before_register:
                    await tx.execute(self.sql.before_register)
                new = json.dumps([k for k in wanted if k not in known])
                await tx.execute(self.sql.register, {"kind": kind, "keys": new})
        if len(known) < len(wanted) or any(below is not None for below in known.values()):
            while await self._backfill_step(kind, names):
                pass
        self._complete.update((kind, key) for key in wanted)

    async def _backfill_step(self, kind: str, names: str) -> bool:
        """Back-fill the next _CHUNK reports for the pending keys among `names`; False when none is pending."""
        async with self.db.transaction() as tx:
            pending = await tx.fetchall(self.sql.pending, {"kind": kind, "keys": names})
            if not pending:
                return False
            below = max(r[1] for r in pending)  # keys registered together go down together
            step = {"below": below, "chunk": _CHUNK, "ids": json.dumps([r[0] for r in pending if r[1] == below])}
            await tx.execute(self.sql.backfill[kind], step)
            await tx.execute(self.sql.advance, step)
        return True

    async def report_count(self, month: str, district_id: int | None = None, region_id: int | None = None) -> int:
        row = await self.db.fetchone(
            "SELECT COUNT(*) FROM reports r JOIN organizations o ON o.id = r.org_id "
            "WHERE r.month = :month AND (:district IS NULL OR o.district_id = :district) "
            "AND (:region IS NULL OR o.district_id IN (SELECT id FROM districts WHERE region_id = :region))",
            {"month": month, "district": district_id, "region": region_id})
        return row[0] if row else 0

    async def review_counts(self, month: str, district_id: int | None = None,
                            region_id: int | None = None) -> dict[str, int]:
        """review status ('submitted', 'accepted', 'returned') -> the month's reports of the scope in it."""
        rows = await self.db.fetchall(
            "SELECT r.review, COUNT(*) FROM reports r JOIN organizations o ON o.id = r.org_id "
            "JOIN districts d ON d.id = o.district_id "
            "WHERE r.month = :month AND (:district IS NULL OR o.district_id = :district) "
            "AND (:region IS NULL OR d.region_id = :region) GROUP BY r.review",
            {"month": month, "district": district_id, "region": region_id})
        return {r[0]: r[1] for r in rows}
