"""What the broadcast dialog's buttons do, apart from Telegram: record a confirmed broadcast, stop a running
one. Both are checked against the admin's scope and written to the audit log."""
from __future__ import annotations

from enum import Enum

from bot.domain.audit import audit
from bot.domain.clock import Clock
from bot.domain.roles import Role
from bot.features.broadcast.audience import Audience
from bot.features.broadcast.engine import BroadcastEngine
from db.queries.broadcasts import Broadcast
from db.repos import Repos


class Stop(Enum):
    STOPPING = "stopping"
    NOT_IN_SCOPE = "scope"
    FINISHED = "finished"


def in_scope(role: Role, broadcast: Broadcast) -> bool:
    return role.is_branch or (role.is_admin and broadcast.district_id is not None
                              and role.covers_district(broadcast.district_id))


async def record(engine: BroadcastEngine, repos: Repos, clock: Clock, role: Role, sender_id: int,
                 audience: Audience, chat_ids: list[int], *, from_chat_id: int, message_id: int,
                 admin_chat_id: int) -> int:
    """The broadcast with every recipient pending, audited; the engine delivers it once started."""
    broadcast_id = await engine.create(
        chat_ids, from_chat_id=from_chat_id, message_id=message_id, created_by=sender_id,
        admin_chat_id=admin_chat_id, district_id=audience.district_id, audience=audience.code)
    await audit(repos.db, clock, sender_id, "broadcast.send", f"broadcast:{broadcast_id}",
                {"audience": audience.code, "district_id": audience.district_id, "recipients": len(chat_ids)},
                role=role)
    return broadcast_id


async def stop(engine: BroadcastEngine, repos: Repos, clock: Clock, role: Role, user_id: int,
               broadcast_id: int) -> Stop:
    broadcast = await repos.broadcasts.get(broadcast_id)
    if broadcast is None or not in_scope(role, broadcast):
        return Stop.NOT_IN_SCOPE
    if not await engine.cancel(broadcast.id, by=user_id):
        return Stop.FINISHED
    await audit(repos.db, clock, user_id, "broadcast.cancel", f"broadcast:{broadcast.id}", role=role)
    return Stop.STOPPING
