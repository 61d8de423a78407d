from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.database import Database
from db.dialect import SQLITE
from db.queries.common import iso
from db.queries.inbox import mark_handled


@dataclass(frozen=True)
class Report:
    org_id: int
    month: str
    answers: dict[str, Any]
    late: bool
    submitted_at: str
    reopened_until: str | None
    review: str = "submitted"        # 'submitted' (waiting), 'accepted' or 'returned' (migration 0011)
    review_comment: str | None = None


@dataclass(frozen=True)
class Draft:
    org_id: int
    month: str
    user_id: int
    answers: dict[str, Any]
    cursor: str | None


@dataclass(frozen=True)
class ExportRow:
    org_id: int
    district: str
    organization: str
    chair_name: str | None
    chair_phone: str | None
    answers: dict[str, Any] | None  # None: no report for the month
    late: bool
    region: str | None = None
    submitted_name: str | None = None   # who filed it, as named then (the chair may have changed since)
    sector: str = ""
    chair_deputy: bool | None = None
    chair_council: bool | None = None
    chair_elected: str | None = None
    submitted_at: str | None = None
    review: str | None = None


# Drafts kept in memory (see ReportsRepo); beyond it the least recently loaded are re-read when needed.
CACHED_DRAFTS = 20_000
_NO_DRAFT = None


class ReportsRepo:
    """Reports and drafts. Drafts are cached write-through, which is correct by construction: `bastau
    run` holds the database's writer lock (db/lock.py), so this process is the drafts' only writer;
    a draft read once is answered from memory, and every change reaches SQLite (committed) before
    the cache takes it. A draft write is the whole effect of a report step, so it also marks the
    update being handled done in the same transaction (db/queries/inbox.py): a crash never replays
    an answer onto the next question. On PostgreSQL several processes write drafts: none is cached."""

    def __init__(self, db: Database, cached_drafts: int = CACHED_DRAFTS) -> None:
        self.db = db
        self.cached_drafts = cached_drafts if db.dialect == SQLITE else 0
        # (org_id, month) -> (user_id, answers as stored JSON, cursor), or _NO_DRAFT
        self._drafts: dict[tuple[int, str], tuple[int, str, str | None] | None] = {}

    def _remember_draft(self, key: tuple[int, str], value: tuple[int, str, str | None] | None) -> None:
        if not self.cached_drafts:
            return
        if key not in self._drafts and len(self._drafts) >= self.cached_drafts:
            del self._drafts[next(iter(self._drafts))]
        self._drafts[key] = value

    async def get(self, org_id: int, month: str) -> Report | None:
        row = await self.db.fetchone(
            "SELECT org_id, month, answers, late, submitted_at, reopened_until, review, review_comment "
            "FROM reports WHERE org_id = ? AND month = ?", (org_id, month))
        if row is None:
            return None
        return Report(row[0], row[1], json.loads(row[2]), bool(row[3]), row[4], row[5], row[6], row[7])

    async def months_of(self, org_id: int) -> dict[str, bool]:
        """month -> late, for every submitted report of the organization."""
        rows = await self.db.fetchall("SELECT month, late FROM reports WHERE org_id = ?", (org_id,))
        return {r[0]: bool(r[1]) for r in rows}

    async def reviews_of(self, org_id: int) -> dict[str, str]:
        """month -> review status ('submitted', 'accepted', 'returned') of every report of the organization."""
        rows = await self.db.fetchall("SELECT month, review FROM reports WHERE org_id = ?", (org_id,))
        return {r[0]: r[1] for r in rows}

    async def set_review(self, org_id: int, month: str, review: str, comment: str | None, admin_id: int,
                         now: datetime) -> bool:
        """Mark the month's report accepted or returned (with the admin's comment); False when there is none."""
        cur = await self.db.execute(
            "UPDATE reports SET review = ?, review_comment = ?, reviewed_by = ?, reviewed_at = ? "
            "WHERE org_id = ? AND month = ?", (review, comment, admin_id, iso(now), org_id, month))
        return cur.rowcount > 0

    async def draft_months_of(self, org_id: int) -> set[str]:
        rows = await self.db.fetchall("SELECT month FROM drafts WHERE org_id = ?", (org_id,))
        return {r[0] for r in rows}

    async def get_draft(self, org_id: int, month: str) -> Draft | None:
        key = (org_id, month)
        if key in self._drafts:
            cached = self._drafts[key]
        else:
            row = await self.db.fetchone(
                "SELECT user_id, answers, cursor FROM drafts WHERE org_id = ? AND month = ?", key)
            cached = (row[0], row[1], row[2]) if row else _NO_DRAFT
            if key in self._drafts:  # a write landed while we read: it is newer
                cached = self._drafts[key]
            else:
                self._remember_draft(key, cached)
        if cached is None:
            return None
        user_id, answers, cursor = cached
        return Draft(org_id, month, user_id, json.loads(answers), cursor)  # a fresh copy for every reader

    async def save_draft(self, org_id: int, month: str, user_id: int, answers: dict[str, Any],
                         cursor: str | None, now: datetime) -> None:
        stored = json.dumps(answers, ensure_ascii=False)
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO drafts(org_id, month, user_id, answers, cursor, updated_at) VALUES (?,?,?,?,?,?) "
                "ON CONFLICT(org_id, month) DO UPDATE SET user_id = excluded.user_id, answers = excluded.answers, "
                "cursor = excluded.cursor, updated_at = excluded.updated_at",
                (org_id, month, user_id, stored, cursor, iso(now)))
            await mark_handled(tx, now)
        self._remember_draft((org_id, month), (user_id, stored, cursor))

    async def delete_draft(self, org_id: int, month: str) -> None:
        await self.db.execute("DELETE FROM drafts WHERE org_id = ? AND month = ?", (org_id, month))
        self._remember_draft((org_id, month), _NO_DRAFT)

    async def submit(self, org_id: int, month: str, user_id: int | None, answers: dict[str, Any],
                     late: bool, now: datetime) -> None:
        """Store the report and drop the draft in one transaction. A re-submission (an edit)
        keeps the first submission's time and late flag, and waits for review again (a returned
        report keeps its comment until it is reviewed again)."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO reports(org_id, month, answers, late, submitted_by, submitted_name, submitted_at, "
                "updated_at) VALUES (?,?,?,?,?,(SELECT full_name FROM users WHERE id = ?),?,?) "
                "ON CONFLICT(org_id, month) DO UPDATE SET answers = excluded.answers, "
                "submitted_by = excluded.submitted_by, submitted_name = excluded.submitted_name, "
                "updated_at = excluded.updated_at, review = 'submitted'",
                (org_id, month, json.dumps(answers, ensure_ascii=False), int(late), user_id, user_id, iso(now),
                 iso(now)))
            await tx.execute("DELETE FROM drafts WHERE org_id = ? AND month = ?", (org_id, month))
            await mark_handled(tx, now)
        self._remember_draft((org_id, month), _NO_DRAFT)  # committed

    async def reopen(self, org_id: int, month: str, until: str) -> bool:
        cur = await self.db.execute(
            "UPDATE reports SET reopened_until = ? WHERE org_id = ? AND month = ?", (until, org_id, month))
        return cur.rowcount > 0

    async def export_rows(self, month: str, district_id: int | None = None,
                          region_id: int | None = None) -> list[ExportRow]:
        """Every organization of the scope with its chair and its report for the month, if any; an
        archived one only when it has a report for the month (its history)."""
        rows = await self.db.fetchall(
            "SELECT o.id, d.name, o.name, u.full_name, u.phone, r.answers, COALESCE(r.late, 0), g.name, "
            "r.submitted_name, o.sector, o.chair_deputy, o.chair_council, o.chair_elected, r.submitted_at, r.review "
            "FROM organizations o JOIN districts d ON d.id = o.district_id LEFT JOIN regions g ON g.id = d.region_id "
            "LEFT JOIN users u ON u.org_id = o.id AND u.deputy = 0 "
            "LEFT JOIN reports r ON r.org_id = o.id AND r.month = :month "
            "WHERE (:district IS NULL OR o.district_id = :district) AND (:region IS NULL OR d.region_id = :region) "
            "AND (o.archived_at IS NULL OR r.id IS NOT NULL) ORDER BY g.name NULLS FIRST, d.name, o.name",
            {"month": month, "district": district_id, "region": region_id})
        return [ExportRow(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]) if r[5] is not None else None,
                          bool(r[6]), r[7], r[8], r[9], None if r[10] is None else bool(r[10]),
                          None if r[11] is None else bool(r[11]), r[12], r[13], r[14]) for r in rows]

    async def submitted_orgs(self, month: str, district_id: int) -> list[tuple[int, str, str | None]]:
        """(org id, name, reopened_until) of the district's organizations that reported for the month."""
        rows = await self.db.fetchall(
            "SELECT o.id, o.name, r.reopened_until FROM reports r JOIN organizations o ON o.id = r.org_id "
            "WHERE r.month = ? AND o.district_id = ? ORDER BY o.name", (month, district_id))
        return [(r[0], r[1], r[2]) for r in rows]

    async def reviewed_orgs(self, month: str, district_id: int) -> list[tuple[int, str, str]]:
        """(org id, name, review status) of the district's organizations that reported for the month."""
        rows = await self.db.fetchall(
            "SELECT o.id, o.name, r.review FROM reports r JOIN organizations o ON o.id = r.org_id "
            "WHERE r.month = ? AND o.district_id = ? ORDER BY o.name", (month, district_id))
        return [(r[0], r[1], r[2]) for r in rows]
