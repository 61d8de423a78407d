"""Registration rules: invite codes (look-alikes, limits per account and for all accounts), names."""
from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from bot.config import RegistrationSection
from db.queries.orgs import Organization, could_be_code, normalize_code
from db.repos import Repos

log = logging.getLogger(__name__)


class CodeVerdict(Enum):
    OK = "ok"
    WRONG = "wrong"
    TAKEN = "taken"
    LOCKED = "locked"          # this account used up its wrong tries of the hour
    PAUSED = "paused"          # all accounts together did: nobody's code is looked up for now
    NOT_A_CODE = "not_a_code"  # not even the form of a code: answered, not counted


@dataclass(frozen=True)
class CodeResult:
    verdict: CodeVerdict
    org: Organization | None = None
    attempts_left: int = 0
    code: str = ""
    period: str = ""           # PAUSED: "hour" or "day", the limit that is reached
    deputy: bool = False       # the organization's deputy code (`[registration] deputies = 1`)


async def check_invite_code(repos: Repos, user_id: int, text: str, now: datetime,
                            limits: RegistrationSection) -> CodeResult:
    """An organization for the code, unless the user, or all users together, used up their wrong
    tries (per hour; for all accounts also per day). Only texts of a code's form count."""
    code = normalize_code(text)
    if not could_be_code(code):
        return CodeResult(CodeVerdict.NOT_A_CODE)
    hour_ago = now - timedelta(hours=1)
    wrong = await repos.users.count_wrong_codes(user_id, hour_ago)
    if wrong >= limits.max_wrong_codes_per_hour:
        log.warning("user %s is locked out of invite codes (%s wrong in the last hour)", user_id, wrong)
        return CodeResult(CodeVerdict.LOCKED)
    for period, since, limit in (("hour", hour_ago, limits.global_wrong_codes_per_hour),
                                 ("day", now - timedelta(days=1), limits.global_wrong_codes_per_day)):
        if await repos.users.count_all_wrong_codes(since) >= limit:
            log.warning("invite codes paused: %s wrong codes of all accounts in the last %s", limit, period)
            return CodeResult(CodeVerdict.PAUSED, period=period)
    org = await repos.orgs.by_code(code)
    if org is None and limits.deputies:
        deputy_of = await repos.orgs.by_deputy_code(code)
        if deputy_of is not None:
            return CodeResult(CodeVerdict.OK, deputy_of, code=code, deputy=True)
    if org is None:
        await repos.users.record_wrong_code(user_id, text, now)
        wrong += 1
        if wrong >= limits.max_wrong_codes_per_hour:
            log.warning("user %s entered %s wrong invite codes within an hour; locked out", user_id, wrong)
        return CodeResult(CodeVerdict.WRONG, attempts_left=max(limits.max_wrong_codes_per_hour - wrong, 0))
    chair = await repos.users.chair_of(org.id)
    if chair is not None and chair.id != user_id and org.handover_by is None:
        log.info("user %s tried the code of org %s, which chair %s already uses", user_id, org.id, chair.id)
        return CodeResult(CodeVerdict.TAKEN, org, code=code)
    return CodeResult(CodeVerdict.OK, org, code=code)


async def code_still_valid(repos: Repos, org_id: int, code: str, deputy: bool = False) -> bool:
    """At the confirmation: the code the guest entered is still their organization's (not reissued)."""
    find = repos.orgs.by_deputy_code if deputy else repos.orgs.by_code
    org = await find(code) if code else None
    return org is not None and org.id == org_id


def normalize_phone(text: str) -> str | None:
    """A Kazakhstan number typed as digits, as +7XXXXXXXXXX: «87010000003», «+7 701 000 00 03»,
    «8 (701) 000-00-03», «7010000003»; None for anything else."""
    if not text or any(ch not in "+0123456789 -()" for ch in text) or text.count("+") > 1 \
            or ("+" in text and not text.strip().startswith("+")):
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    plus = text.strip().startswith("+")
    if len(digits) == 11 and digits[0] in ("7" if plus else "78"):
        digits = digits[1:]
    elif len(digits) != 10 or plus:
        return None
    return "+7" + digits if digits[0] in "67" else None


def clean_full_name(text: str) -> str | None:
    """A plausible full name (2–100 characters, at least two letters, at least two words), or None. The text is
    normalized already (NFC, at the door); a combining mark that NFC cannot fold into its letter
    is accepted after a letter."""
    name = " ".join(text.split())
    if not 2 <= len(name) <= 100 or name.startswith("/"):
        return None
    if sum(ch.isalpha() for ch in name) < 2:
        return None
    if sum(any(ch.isalpha() for ch in word) for word in name.split()) < 2:
        return None  # the prompt asks for surname and name: one word is not enough
    for index, ch in enumerate(name):
        mark = unicodedata.category(ch) == "Mn" and index > 0 and (name[index - 1].isalpha()
                                                                  or unicodedata.category(name[index - 1]) == "Mn")
        if not (ch.isalpha() or ch in " -.'’" or mark):
            return None
    return name
