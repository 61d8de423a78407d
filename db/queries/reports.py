from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.database import Database
from db.queries.common import iso


@dataclass(frozen=True)
class Report:
    org_id: int
    month: str
    answers: dict[str, Any]
    late: bool
    submitted_at: str
    reopened_until: str | None


@dataclass(frozen=True)
class Draft:
    org_id: int
    month: str
    user_id: int
    answers: dict[str, Any]
    cursor: str | None


class ReportsRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, org_id: int, month: str) -> Report | None:
        row = await self.db.fetchone(
            "SELECT org_id, month, answers, late, submitted_at, reopened_until FROM reports "
            "WHERE org_id = ? AND month = ?", (org_id, month))
        if row is None:
            return None
        return Report(row[0], row[1], json.loads(row[2]), bool(row[3]), row[4], row[5])

    async def months_of(self, org_id: int) -> dict[str, bool]:
        """month -> late, for every submitted report of the organization."""
        rows = await self.db.fetchall("SELECT month, late FROM reports WHERE org_id = ?", (org_id,))
        return {r[0]: bool(r[1]) for r in rows}

    async def draft_months_of(self, org_id: int) -> set[str]:
        rows = await self.db.fetchall("SELECT month FROM drafts WHERE org_id = ?", (org_id,))
        return {r[0] for r in rows}

    async def get_draft(self, org_id: int, month: str) -> Draft | None:
        row = await self.db.fetchone(
            "SELECT org_id, month, user_id, answers, cursor FROM drafts WHERE org_id = ? AND month = ?",
            (org_id, month))
        if row is None:
            return None
        return Draft(row[0], row[1], row[2], json.loads(row[3]), row[4])

    async def save_draft(self, org_id: int, month: str, user_id: int, answers: dict[str, Any],
                         cursor: str | None, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO drafts(org_id, month, user_id, answers, cursor, updated_at) VALUES (?,?,?,?,?,?) "
            "ON CONFLICT(org_id, month) DO UPDATE SET user_id = excluded.user_id, answers = excluded.answers, "
            "cursor = excluded.cursor, updated_at = excluded.updated_at",
            (org_id, month, user_id, json.dumps(answers, ensure_ascii=False), cursor, iso(now)))

    async def delete_draft(self, org_id: int, month: str) -> None:
        await self.db.execute("DELETE FROM drafts WHERE org_id = ? AND month = ?", (org_id, month))

    async def submit(self, org_id: int, month: str, user_id: int, answers: dict[str, Any],
                     late: bool, now: datetime) -> None:
        """Store the report and drop the draft in one transaction. A re-submission (an edit)
        keeps the first submission's time and late flag."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO reports(org_id, month, answers, late, submitted_by, submitted_at, updated_at) "
                "VALUES (?,?,?,?,?,?,?) ON CONFLICT(org_id, month) DO UPDATE SET "
                "answers = excluded.answers, submitted_by = excluded.submitted_by, "
                "updated_at = excluded.updated_at",
                (org_id, month, json.dumps(answers, ensure_ascii=False), int(late), user_id, iso(now), iso(now)))
            await tx.execute("DELETE FROM drafts WHERE org_id = ? AND month = ?", (org_id, month))

    async def reopen(self, org_id: int, month: str, until: str) -> bool:
        cur = await self.db.execute(
            "UPDATE reports SET reopened_until = ? WHERE org_id = ? AND month = ?", (until, org_id, month))
        return cur.rowcount > 0
