"""The monthly report: drafts, answers, submission, editability and the chair's list of months.

The dialog's steps over the draft are in dialog.py; this module holds what they and My reports
share: starting a draft, submitting it, whether a report may still be changed, the list of months.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from bot.config import Form
from bot.domain.calendar import Month, ReportingCalendar
from bot.form import engine
from db.queries.reports import Draft, Report
from db.repos import Repos

# My reports lists at least this many months, and at most MAX_LISTED_MONTHS.
MIN_LISTED_MONTHS = 6
MAX_LISTED_MONTHS = 12


class Status(StrEnum):
    SUBMITTED = "submitted"
    LATE = "late"
    ACCEPTED = "accepted"    # reviewed by an admin (bot/features/review)
    RETURNED = "returned"    # returned for correction: editable until submitted again
    DRAFT = "draft"
    OPEN = "open"        # not submitted yet, the due date has not passed
    MISSING = "missing"  # not submitted, overdue


@dataclass(frozen=True)
class MonthStatus:
    month: Month
    status: Status


def reopened_until(report: Report) -> date | None:
    if not report.reopened_until:
        return None
    try:
        return date.fromisoformat(report.reopened_until[:10])
    except ValueError:
        return None


def is_editable(calendar: ReportingCalendar, report: Report, now: datetime) -> bool:
    """Until the due date, until the day an admin reopened it to (inclusive), or while it is returned
    for correction."""
    if report.review == Status.RETURNED or calendar.is_editable(Month.parse(report.month), now):
        return True
    until = reopened_until(report)
    return until is not None and calendar.today(now) <= until


async def start_draft(repos: Repos, form: Form, org_id: int, month: Month, user_id: int, now: datetime,
                      report: Report | None = None) -> Draft:
    """A new draft: empty at the first question, or a copy of the submitted report at the summary."""
    answers = dict(report.answers) if report else {}
    cursor = None if report else engine.next_key(form, None, answers)
    await repos.reports.save_draft(org_id, str(month), user_id, answers, cursor, now)
    return Draft(org_id, str(month), user_id, answers, cursor)


async def save(repos: Repos, draft: Draft, answers: dict[str, Any], cursor: str | None, user_id: int,
               now: datetime) -> Draft:
    """Store the draft's answers and cursor, changed by `user_id`; the draft as it is now."""
    await repos.reports.save_draft(draft.org_id, draft.month, user_id, answers, cursor, now)
    return Draft(draft.org_id, draft.month, user_id, answers, cursor)


@dataclass(frozen=True)
class Submitted:
    late: bool
    first_time: bool


async def submit(repos: Repos, form: Form, calendar: ReportingCalendar, draft: Draft, existing: Report | None,
                 user_id: int, now: datetime) -> Submitted:
    """Store the draft as the month's report. The caller checked `first_problem` and editability,
    with `existing`, the month's report as it was read for that check (None: a first submission)."""
    month = Month.parse(draft.month)
    late = existing.late if existing else calendar.is_late(month, now)
    await repos.reports.submit(draft.org_id, draft.month, user_id, engine.clean_answers(form, draft.answers),
                               late, now)
    return Submitted(late=late, first_time=existing is None)


def listed_months(calendar: ReportingCalendar, registered_at: str | None, now: datetime) -> list[Month]:
    """Newest first: from the month the chair registered (at least the last MIN_LISTED_MONTHS,
    at most MAX_LISTED_MONTHS) up to the open month."""
    newest = calendar.open_month(now)
    oldest = newest
    for _ in range(MIN_LISTED_MONTHS - 1):
        oldest = oldest.prev()
    if registered_at:
        registered = Month.of(calendar.today(datetime.fromisoformat(registered_at)))
        limit = newest
        for _ in range(MAX_LISTED_MONTHS - 1):
            limit = limit.prev()
        oldest = min(oldest, max(registered, limit))
    months = [newest]
    while months[-1] > oldest:
        months.append(months[-1].prev())
    return months


async def month_statuses(repos: Repos, calendar: ReportingCalendar, org_id: int, registered_at: str | None,
                         now: datetime) -> list[MonthStatus]:
    """Months before the one the chair registered in are listed only when they hold a report or a draft
    (a previous chair's): the new chair did not miss them."""
    submitted = await repos.reports.months_of(org_id)
    reviews = await repos.reports.reviews_of(org_id)
    drafts = await repos.reports.draft_months_of(org_id)
    registered = Month.of(calendar.today(datetime.fromisoformat(registered_at))) if registered_at else None
    out = []
    for month in listed_months(calendar, registered_at, now):
        key = str(month)
        if key in submitted and reviews.get(key) in (Status.ACCEPTED, Status.RETURNED):
            status = Status(reviews[key])
        elif key in submitted:
            status = Status.LATE if submitted[key] else Status.SUBMITTED
        elif registered is not None and month < registered and key not in drafts:
            continue
        elif key in drafts:
            status = Status.DRAFT
        elif calendar.is_late(month, now):
            status = Status.MISSING
        else:
            status = Status.OPEN
        out.append(MonthStatus(month, status))
    return out
