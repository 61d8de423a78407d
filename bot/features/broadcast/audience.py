"""Who a broadcast goes to, always within the sending admin's scope."""
from __future__ import annotations

from dataclasses import dataclass

from aiogram.utils.i18n import gettext as _

from bot.config import LOCALES, Settings
from bot.domain.admins import AdminDirectory
from bot.domain.calendar import ReportingCalendar
from bot.domain.clock import Clock
from bot.domain.roles import Role
from db.repos import Repos

KINDS = ("all", "district", "missing", "lang", "admins")


@dataclass(frozen=True)
class Audience:
    kind: str                      # one of KINDS
    district_id: int | None = None  # the district it is limited to (None = the whole region)
    locale: str | None = None      # for kind "lang"
    region_id: int | None = None   # a region admin's region (district_id None)

    @property
    def code(self) -> str:
        """How it is stored with the broadcast."""
        return f"lang:{self.locale}" if self.kind == "lang" else self.kind


def within_scope(kind: str, role: Role, district_id: int | None = None, locale: str | None = None) -> Audience | None:
    """The audience an admin asked for, limited to their scope; None when it is not theirs to reach.

    A district admin always reaches their own district only: a request naming another one
    (e.g. forged callback data) is refused rather than silently narrowed."""
    if not role.is_admin or kind not in KINDS:
        return None
    if kind == "lang" and locale not in LOCALES:
        return None
    if kind == "district":
        if district_id is None or not role.covers_district(district_id):
            return None
    elif role.is_branch:
        district_id = None
    elif role.is_region:
        if district_id is not None or role.region_id is None:
            return None
        return Audience(kind, None, locale if kind == "lang" else None, role.region_id)
    else:
        if district_id is not None and district_id != role.district_id:
            return None
        district_id = role.district_id
        if district_id is None:
            return None
    return Audience(kind, district_id, locale if kind == "lang" else None)


async def recipients(audience: Audience, *, repos: Repos, config: Settings, calendar: ReportingCalendar,
                     clock: Clock, sender_id: int) -> list[int]:
    """Chat ids of the audience now, the sender left out."""
    if audience.kind in ("all", "district"):
        ids = await repos.users.chair_ids(audience.district_id, region_id=audience.region_id)
    elif audience.kind == "lang":
        ids = await repos.users.chair_ids(audience.district_id, audience.locale, audience.region_id)
    elif audience.kind == "missing":
        month = str(calendar.open_month(clock.now()))
        ids = [s.chair_id for s in await repos.stats.missing(month, audience.district_id, audience.region_id)
               if s.chair_id is not None and s.chair_active]
    else:
        directory = AdminDirectory.of(config, repos)
        ids = [a.user_id for a in await directory.of_scope(audience.district_id, audience.region_id)]
    return [chat_id for chat_id in dict.fromkeys(ids) if chat_id != sender_id]


def describe(audience_code: str, district_name: str | None, month: str) -> str:
    """The audience in the admin's language, e.g. for the preview and the list of broadcasts; `month`
    names the month of «missing» (the open month when the broadcast was made)."""
    where = district_name or _("the whole region")
    labels = {
        "lang:kk": _("chairs using Kazakh ({where})"),
        "lang:ru": _("chairs using Russian ({where})"),
        "all": _("all chairs ({where})"),
        "district": _("chairs of {where}"),
        "missing": _("chairs who have not sent the report for {month} ({where})"),
        "admins": _("administrators ({where})"),
        "custom": _("a list of chats"),
    }
    return labels.get(audience_code, audience_code).format(where=where, month=month)
