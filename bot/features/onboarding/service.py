from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from db.queries.orgs import Organization, normalize_code
from db.repos import Repos

log = logging.getLogger(__name__)


class CodeVerdict(Enum):
    OK = "ok"
    WRONG = "wrong"
    TAKEN = "taken"
    LOCKED = "locked"


@dataclass(frozen=True)
class CodeResult:
    verdict: CodeVerdict
    org: Organization | None = None
    attempts_left: int = 0


async def check_invite_code(repos: Repos, user_id: int, text: str, now: datetime, limit: int) -> CodeResult:
    """An organization for the code, unless the user has used up their wrong tries this hour."""
    since = now - timedelta(hours=1)
    wrong = await repos.users.count_wrong_codes(user_id, since)
    if wrong >= limit:
        log.warning("user %s is locked out of invite codes (%s wrong in the last hour)", user_id, wrong)
        return CodeResult(CodeVerdict.LOCKED)
    code = normalize_code(text)
    org = await repos.orgs.by_code(code) if code else None
    if org is None:
        await repos.users.record_wrong_code(user_id, text, now)
        wrong += 1
        if wrong >= limit:
            log.warning("user %s entered %s wrong invite codes within an hour; locked out", user_id, wrong)
        return CodeResult(CodeVerdict.WRONG, attempts_left=max(limit - wrong, 0))
    chair = await repos.users.chair_of(org.id)
    if chair is not None and chair.id != user_id:
        log.info("user %s tried the code of org %s, which chair %s already uses", user_id, org.id, chair.id)
        return CodeResult(CodeVerdict.TAKEN, org)
    return CodeResult(CodeVerdict.OK, org)


def clean_full_name(text: str) -> str | None:
    """A plausible full name (2–100 characters, at least two letters), or None."""
    name = " ".join(text.split())
    if not 2 <= len(name) <= 100 or name.startswith("/"):
        return None
    if sum(ch.isalpha() for ch in name) < 2:
        return None
    if any(not (ch.isalpha() or ch in " -.'’") for ch in name):
        return None
    return name
