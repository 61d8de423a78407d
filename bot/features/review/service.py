"""Reopening a submitted report after its due date, and telling its chair."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain import dates
from bot.domain.audit import audit
from bot.domain.calendar import Month, ReportingCalendar
from bot.domain.clock import Clock
from bot.domain.roles import Role
from db.queries.orgs import Organization
from db.repos import Repos

log = logging.getLogger(__name__)

REOPEN_DAYS = 7


def reopen_months(calendar: ReportingCalendar, clock: Clock, count: int = 3) -> list[Month]:
    """Months whose due date has passed (their reports can no longer be edited), newest first."""
    months = [calendar.last_closed_month(clock.now())]
    while len(months) < count:
        months.append(months[-1].prev())
    return months


@dataclass(frozen=True)
class Reopened:
    until: date | None     # None when there was no report to reopen
    still_open: bool = False


async def reopen_report(repos: Repos, calendar: ReportingCalendar, clock: Clock, admin_id: int, role: Role,
                        org: Organization, month: Month) -> Reopened:
    now = clock.now()
    if calendar.is_editable(month, now):
        return Reopened(None, still_open=True)
    until = calendar.today(now) + timedelta(days=REOPEN_DAYS)
    if not await repos.reports.reopen(org.id, str(month), until.isoformat()):
        return Reopened(None)
    await audit(repos.db, clock, admin_id, "report.reopen", f"org:{org.id}",
                {"month": str(month), "until": until.isoformat(), "organization": org.name}, role=role)
    return Reopened(until)


async def tell_chair(bot: Bot, repos: Repos, i18n: I18n, config: Settings, org: Organization, month: Month,
                     until: date) -> None:
    """The organization's chair, if any, learns in their own language that the report is open again."""
    chair = await repos.users.chair_of(org.id)
    if chair is None:
        return
    locale = chair.locale or config.bot.default_locale
    with i18n.use_locale(locale):
        text = _("An administrator reopened your report for {month}. You can correct it until {until}.").format(
            month=dates.month_in_text(month, locale), until=dates.day(until, locale))
    try:
        await bot.send_message(chair.id, text)
    except TelegramAPIError as exc:
        log.warning("could not tell chair %s that the report was reopened: %s", chair.id, exc)
