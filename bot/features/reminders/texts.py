"""What is due when (pure calendar arithmetic) and the texts of reminders and escalations.

Every scheduled message has a window [at, until): it becomes due at `at` (moved out of quiet
hours) and is stale from `until` on. After downtime only the latest due reminder step per month
is sent; the earlier ones it passed are skipped.
Texts are rendered in the current gettext locale: callers wrap them in
`with i18n.context(), i18n.use_locale(locale)`.
"""
from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from aiogram.utils.i18n import get_i18n, ngettext
from aiogram.utils.i18n import gettext as _

from bot.config import WEEKDAYS
from bot.domain import dates
from bot.domain.calendar import Month, ReportingCalendar
from db.queries.stats import OrgStatus

DIGEST_GRACE = timedelta(days=2)  # a digest missed for longer is skipped: the next one is near


@dataclass(frozen=True)
class Window:
    name: str
    at: datetime
    until: datetime

    def covers(self, moment: datetime) -> bool:
        return self.at <= moment < self.until


def _day_start(calendar: ReportingCalendar, day: date) -> datetime:
    """The first moment of the day outside quiet hours (09:00 with the defaults)."""
    return calendar.end_of_quiet(calendar.at(day, time(0, 0)))


def reminder_steps(calendar: ReportingCalendar, month: Month) -> list[Window]:
    """The reminders of a month in order: open, before-N, due, overdue-1..overdue_max."""
    cfg = calendar.cfg
    due = calendar.due_on(month)
    opens = calendar.opens_on(month)
    planned: dict[date, str] = {opens: "open"}
    for days in sorted(set(cfg.remind_days_before_due), reverse=True):
        day = due - timedelta(days=days)
        if days > 0 and day > opens:
            planned.setdefault(day, f"before-{days}")
    planned.setdefault(due, "due")
    for n in range(1, cfg.overdue_max + 1):
        planned.setdefault(due + timedelta(days=n * cfg.overdue_every_days), f"overdue-{n}")
    steps = sorted(planned)
    starts = [_day_start(calendar, day) for day in steps]
    ends = [*starts[1:], starts[-1] + timedelta(days=cfg.overdue_every_days)]
    return [Window(planned[day], start, end) for day, start, end in zip(steps, starts, ends, strict=True)]


def latest_step(steps: Sequence[Window], moment: datetime) -> Window | None:
    """The step due at `moment`, if any (the earlier steps it passed are stale)."""
    return next((s for s in steps if s.covers(moment)), None)


def escalation_window(calendar: ReportingCalendar, month: Month) -> Window:
    """From N days after the due date until the next month opens."""
    start = _day_start(calendar, calendar.due_on(month) + timedelta(days=calendar.cfg.escalation_days_after_due))
    next_opening = _day_start(calendar, calendar.opens_on(month.next()))
    return Window("escalation", start, max(next_opening, start + timedelta(days=1)))


def region_escalation_window(calendar: ReportingCalendar, month: Month) -> Window:
    """From `region_escalation_days` after the district escalation until the next month opens."""
    cfg = calendar.cfg
    days = cfg.escalation_days_after_due + cfg.region_escalation_days
    start = _day_start(calendar, calendar.due_on(month) + timedelta(days=days))
    next_opening = _day_start(calendar, calendar.opens_on(month.next()))
    return Window("region_escalation", start, max(next_opening, start + timedelta(days=1)))


def digest_window(calendar: ReportingCalendar, moment: datetime) -> Window | None:
    """The latest weekly digest slot at or before `moment`, while it is still worth sending."""
    cfg = calendar.cfg
    local = calendar.local(moment)
    day = local.date() - timedelta(days=(local.weekday() - WEEKDAYS.index(cfg.digest_weekday)) % 7)
    slot = calendar.at(day, cfg.digest_at)
    if slot > local:
        day -= timedelta(days=7)
        slot = calendar.at(day, cfg.digest_at)
    start = calendar.end_of_quiet(slot)
    window = Window(day.isoformat(), start, start + DIGEST_GRACE)
    return window if window.covers(moment) else None


def _month_and_due(month: Month, due: date) -> dict[str, str]:
    locale = get_i18n().current_locale
    return {"month": dates.month_in_text(month, locale), "due": dates.day(due, locale)}


# Reminders ---------------------------------------------------------------------------------
def reminder_text(step: str, month: Month, due: date) -> str:
    values = _month_and_due(month, due)
    if step == "open":
        return _("📝 The report for <b>{month}</b> is open. Deadline: {due}.").format(**values)
    if step.startswith("before-"):
        days = int(step.split("-")[1])
        return ngettext("⏰ {n} day is left to file the report for <b>{month}</b>. Deadline: {due}.",
                        "⏰ {n} days are left to file the report for <b>{month}</b>. Deadline: {due}.",
                        days).format(n=days, **values)
    if step == "due":
        return _("⏰ Today ({due}) is the last day to file the report for <b>{month}</b>. "
                 "Please file it today.").format(**values)
    return _("❗ The deadline for the report for <b>{month}</b> ({due}) has passed and it is not filed "
             "yet. Please file it as soon as possible.").format(**values)


# Escalation --------------------------------------------------------------------------------
def chair_line(status: OrgStatus) -> str:
    """• <b>Organization</b> — chair, phone (escaped)."""
    if status.chair_id is None:
        who = _("no chair registered")
    else:
        phone = status.chair_phone or _("no phone")
        who = f"{html.escape(status.chair_name or '')}, {html.escape(phone)}"
    return f"• <b>{html.escape(status.org_name)}</b> — {who}"


def district_escalation(month: Month, due: date, district: str, missing: Sequence[OrgStatus]) -> str:
    head = _("⚠️ The deadline for the report for <b>{month}</b> ({due}) has passed. "
             "{district}: not filed yet by {count}.").format(
        **_month_and_due(month, due), district=html.escape(district), count=len(missing))
    return "\n".join([head, *(chair_line(s) for s in missing)])


def branch_escalation(month: Month, due: date, per_district: Sequence[tuple[str, int, int]]) -> str:
    """per_district: (district, missing, total) for districts with someone missing."""
    missing = sum(m for _d, m, _t in per_district)
    head = _("⚠️ The deadline for the report for <b>{month}</b> ({due}) has passed. "
             "Not filed yet: {count}. By district:").format(**_month_and_due(month, due), count=missing)
    lines = [_("• {district}: not filed {missing} of {total}").format(district=html.escape(d), missing=m, total=t)
             for d, m, t in per_district]
    return "\n".join([head, *lines])


def region_escalation(month: Month, due: date, region: str, per_district: Sequence[tuple[str, int, int]]) -> str:
    """per_district: (district, missing, total) for the region's districts still behind."""
    head = _("⚠️ <b>{region}</b>: the report for <b>{month}</b> was due on {due}, and these districts are "
             "still behind after their district administrators were told:").format(
        **_month_and_due(month, due), region=html.escape(region))
    lines = [_("• {district}: not filed {missing} of {total}").format(district=html.escape(d), missing=m, total=t)
             for d, m, t in per_district]
    return "\n".join([head, *lines])
