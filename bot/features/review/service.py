"""Review of submitted reports: accept, return for correction with a comment, reopen after the due
date with a reason; every decision audited, and the chair told in their own language."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

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
from bot.form.render import edit_submitted_keyboard
from db.queries.orgs import Organization
from db.repos import Repos

log = logging.getLogger(__name__)

REOPEN_DAYS = 7
ACCEPTED, RETURNED = "accepted", "returned"
COMMENT_LIMIT = 1000


def reopen_months(calendar: ReportingCalendar, clock: Clock, count: int = 3) -> list[Month]:
    """Months whose due date has passed (their reports can no longer be edited), newest first."""
    months = [calendar.last_closed_month(clock.now())]
    while len(months) < count:
        months.append(months[-1].prev())
    return months


def review_months(calendar: ReportingCalendar, clock: Clock, count: int = 4) -> list[Month]:
    """The open month and the ones before it, newest first: the months an admin reviews."""
    months = [calendar.open_month(clock.now())]
    while len(months) < count:
        months.append(months[-1].prev())
    return months


@dataclass(frozen=True)
class Reopened:
    until: date | None     # None when there was no report to reopen
    still_open: bool = False


async def reopen_report(repos: Repos, calendar: ReportingCalendar, clock: Clock, admin_id: int, role: Role,
                        org: Organization, month: Month, reason: str = "") -> Reopened:
    now = clock.now()
    if calendar.is_editable(month, now):
        return Reopened(None, still_open=True)
    until = calendar.today(now) + timedelta(days=REOPEN_DAYS)
    if not await repos.reports.reopen(org.id, str(month), until.isoformat()):
        return Reopened(None)
    await audit(repos.db, clock, admin_id, "report.reopen", f"org:{org.id}",
                {"month": str(month), "until": until.isoformat(), "organization": org.name, "reason": reason},
                role=role)
    return Reopened(until)


async def review_report(repos: Repos, clock: Clock, admin_id: int, role: Role, org: Organization, month: Month,
                        decision: str, comment: str | None = None) -> bool:
    """Accept the month's report or return it for correction; False when the organization has none."""
    if not await repos.reports.set_review(org.id, str(month), decision, comment, admin_id, clock.now()):
        return False
    action = "report.accept" if decision == ACCEPTED else "report.return"
    details = {"month": str(month), "organization": org.name}
    if comment:
        details["comment"] = comment
    await audit(repos.db, clock, admin_id, action, f"org:{org.id}", details, role=role)
    return True


async def _tell(bot: Bot, repos: Repos, i18n: I18n, config: Settings, org: Organization, month: Month,
                compose: Callable[[str], str], with_edit: bool) -> None:
    chair = await repos.users.chair_of(org.id)
    if chair is None:
        return
    locale = chair.locale or config.bot.default_locale
    with i18n.use_locale(locale):
        text = compose(locale)
        markup = edit_submitted_keyboard(str(month)) if with_edit else None
    try:
        await bot.send_message(chair.id, text, reply_markup=markup)
    except TelegramAPIError as exc:
        log.warning("could not tell chair %s about the review of %s: %s", chair.id, month, exc)


async def tell_chair(bot: Bot, repos: Repos, i18n: I18n, config: Settings, org: Organization, month: Month,
                     until: date, reason: str = "") -> None:
    """The organization's chair, if any, learns in their own language that the report is open again."""
    def compose(locale: str) -> str:
        text = _("An administrator reopened your report for {month}. You can correct it until {until}.").format(
            month=dates.month_in_text(month, locale), until=dates.day(until, locale))
        if reason:
            text += "\n" + _("Reason: {reason}").format(reason=escape(reason))
        return text
    await _tell(bot, repos, i18n, config, org, month, compose, with_edit=True)


async def tell_chair_review(bot: Bot, repos: Repos, i18n: I18n, config: Settings, org: Organization,
                            month: Month, decision: str, comment: str | None) -> None:
    """Accepted: a short note. Returned: the admin's comment and the Edit button."""
    def compose(locale: str) -> str:
        when = dates.month_in_text(month, locale)
        if decision == ACCEPTED:
            return _("✅ Your report for {month} has been accepted.").format(month=when)
        return (_("↩️ Your report for {month} was returned for correction.").format(month=when) + "\n"
                + _("Comment: {comment}").format(comment=escape(comment or "")) + "\n"
                + _("Correct it and submit it again; until then it can be changed after the due date too."))
    await _tell(bot, repos, i18n, config, org, month, compose, with_edit=decision == RETURNED)
