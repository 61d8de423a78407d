"""Join requests: a user without an invite code asks to become an organization's chair; an admin decides."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum

from bot.domain.audit import audit
from bot.domain.clock import Clock
from bot.domain.roles import Role
from db.queries.joins import JoinRequest
from db.repos import Repos

log = logging.getLogger(__name__)


class Outcome(Enum):
    DONE = "done"
    ALREADY_DECIDED = "decided"
    OUT_OF_SCOPE = "scope"
    MISSING = "missing"
    ORG_TAKEN = "taken"
    USER_IS_CHAIR = "chair"


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    request: JoinRequest | None = None
    previous_chair: int | None = None  # unbound by an approval as a replacement


class Asked(Enum):
    SENT = "sent"
    NOT_SENT = "not_sent"  # no organization chosen, or a request of theirs is already pending
    ORG_HAS_CHAIR = "has_chair"


@dataclass(frozen=True)
class Ask:
    outcome: Asked
    request: JoinRequest | None = None


async def ask_to_join(repos: Repos, clock: Clock, user_id: int, org_id: int | None, full_name: str) -> Ask:
    """Record a user's request to become the chair of an organization that has none."""
    org = await repos.orgs.get(org_id) if org_id else None
    if org is None or await repos.joins.pending_of(user_id) is not None:
        return Ask(Asked.NOT_SENT)
    if await repos.users.chair_of(org.id) is not None:
        return Ask(Asked.ORG_HAS_CHAIR)
    request = await repos.joins.get(await repos.joins.create(user_id, org.id, full_name, clock.now()))
    return Ask(Asked.SENT, request) if request is not None else Ask(Asked.NOT_SENT)


async def open_organizations(repos: Repos, district_id: int) -> list[tuple[int, str]]:
    """Organizations of a district that have no chair yet."""
    return [(org.id, org.name) for org in await repos.orgs.all(district_id)
            if await repos.users.chair_of(org.id) is None]


async def decide(repos: Repos, clock: Clock, admin_id: int, role: Role, request_id: int, approve: bool,
                 replace: bool = False) -> Decision:
    """Approve or reject a request; `replace`: approve it as a replacement of the current chair."""
    request = await repos.joins.get(request_id)
    if request is None:
        return Decision(Outcome.MISSING)
    if not role.covers_district(request.district_id):
        return Decision(Outcome.OUT_OF_SCOPE)
    if request.status != "pending":
        return Decision(Outcome.ALREADY_DECIDED, request)
    if approve:
        user = await repos.users.get(request.user_id)
        if user is not None and user.org_id is not None:
            return Decision(Outcome.USER_IS_CHAIR, request)
        if not replace and await repos.users.chair_of(request.org_id) is not None:
            return Decision(Outcome.ORG_TAKEN, request)
    if not await repos.joins.decide(request.id, "approved" if approve else "rejected", admin_id, clock.now()):
        return Decision(Outcome.ALREADY_DECIDED, await repos.joins.get(request.id))
    previous = None
    if approve:
        previous = await repos.users.register_replacing(request.user_id, request.org_id, request.full_name, None,
                                                        clock.now(), force=replace)
        if previous is False:
            await repos.joins.undo(request.id)
            return Decision(Outcome.ORG_TAKEN, request)
    action = ("join.replace" if replace else "join.approve") if approve else "join.reject"
    await audit(repos.db, clock, admin_id, action, f"join:{request.id}",
                {"user": request.user_id, "org": request.org_id, "organization": request.org_name,
                 "full_name": request.full_name, "previous_chair": previous}, role=role)
    log.info("join request %s %s by %s", request.id, action, admin_id)
    return Decision(Outcome.DONE, await repos.joins.get(request.id),
                    previous if isinstance(previous, int) and not isinstance(previous, bool) else None)
