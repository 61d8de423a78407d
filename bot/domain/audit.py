"""Every admin action is written to the audit log: who, in which role, did what to which object, when."""
from __future__ import annotations

import logging
from typing import Any

from bot.domain.clock import Clock
from bot.domain.roles import Role
from db.database import Database
from db.queries.admins import AdminsRepo
from db.queries.audit import AuditRepo

log = logging.getLogger(__name__)


async def audit(db: Database, clock: Clock, actor_id: int, action: str, object_ref: str,
                details: dict[str, Any] | None = None, *, role: Role | str | None = None) -> int:
    """Append one entry and return its id. `action` is a dotted name ('broadcast.send'),
    `object_ref` names the object ('org:12', 'district:3', 'month:2026-10').
    Pass the actor's `role` when known (handlers have it); otherwise the admins table is asked."""
    kind: str
    if isinstance(role, Role):
        kind = role.kind
    elif role:
        kind = role
    else:
        row = await AdminsRepo(db).get(actor_id)
        kind = row.scope if row else "admin"
    entry_id = await AuditRepo(db).add(clock.now(), actor_id, kind, action, object_ref, details or {})
    log.info("audit #%s: %s (%s) %s %s", entry_id, actor_id, kind, action, object_ref)
    return entry_id
