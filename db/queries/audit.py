"""The audit log of admin actions: append and read back, newest first."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.database import Database
from db.queries.common import inserted_id, iso


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor_id: int
    actor_role: str
    action: str
    object_ref: str
    details: dict[str, Any]


class AuditRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, at: datetime, actor_id: int, actor_role: str, action: str, object_ref: str,
                  details: dict[str, Any]) -> int:
        cur = await self.db.execute(
            "INSERT INTO audit_log(at, actor_id, actor_role, action, object_ref, details) VALUES (?,?,?,?,?,?) "
            "RETURNING id",
            (iso(at), actor_id, actor_role, action, object_ref, json.dumps(details, ensure_ascii=False)))
        return inserted_id(cur)

    async def latest(self, limit: int, offset: int = 0) -> list[AuditEntry]:
        rows = await self.db.fetchall(
            "SELECT id, at, actor_id, actor_role, action, object_ref, details FROM audit_log "
            "ORDER BY id DESC LIMIT ? OFFSET ?", (limit, offset))
        return [AuditEntry(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6])) for r in rows]

    async def count(self) -> int:
        row = await self.db.fetchone("SELECT COUNT(*) FROM audit_log")
        return row[0] if row else 0
