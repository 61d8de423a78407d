"""Views of the report feature shared by the dialog and My reports."""
from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.config import Form
from bot.domain import dates
from bot.domain.calendar import Month, ReportingCalendar
from bot.domain.text import split_message
from bot.features.report import service
from bot.form import render
from db.queries.reports import Report


def not_a_chair_text() -> str:
    return _("Reports are filed by registered chairs of primary organizations. "
             "To register, send /start and enter your organization's invite code.")


async def send_long(message: Message, text: str, **kwargs: Any) -> Message:
    """Send text over Telegram's length limit as several messages; the keyboard goes on the last,
    which is returned."""
    parts = split_message(text)
    for part in parts[:-1]:
        await message.answer(part)
    return await message.answer(parts[-1], **kwargs)


async def show_report(message: Message, report: Report, form: Form, calendar: ReportingCalendar,
                      now: datetime, locale: str) -> None:
    """A submitted report, read-only; with an Edit button while it may still be changed."""
    month = Month.parse(report.month)
    submitted_on = calendar.today(datetime.fromisoformat(report.submitted_at))
    head = _("<b>The report for {month}</b> was submitted on {day}.").format(
        month=dates.month_in_text(month, locale), day=dates.day(submitted_on, locale))
    if report.late:
        head += " " + _("It was submitted after the due date.")
    if report.review == service.Status.ACCEPTED:
        head += " " + _("An administrator has accepted it.")
    body = render.answers_text(form, report.answers, locale)
    if report.review == service.Status.RETURNED:
        comment = _("↩️ Returned for correction: {comment}").format(comment=escape(report.review_comment or ""))
        note = _("Correct it and submit it again; until then it can be changed after the due date too.")
        await send_long(message, f"{head}\n{comment}\n\n{body}\n\n{note}",
                        reply_markup=render.edit_submitted_keyboard(str(month)))
    elif service.is_editable(calendar, report, now):
        until = max(calendar.due_on(month), service.reopened_until(report) or calendar.due_on(month))
        note = _("You can change it until {day} inclusive.").format(day=dates.day(until, locale))
        await send_long(message, f"{head}\n\n{body}\n\n{note}",
                        reply_markup=render.edit_submitted_keyboard(str(month)))
    else:
        note = _("This report can no longer be changed. If something must be corrected, "
                 "ask your district branch to reopen it.")
        await send_long(message, f"{head}\n\n{body}\n\n<i>{note}</i>")
