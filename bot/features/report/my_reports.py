"""My reports: the chair's recent months with their status, and a read-only view of each."""
from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Form
from bot.domain import dates
from bot.domain.calendar import Month, ReportingCalendar
from bot.domain.clock import Clock
from bot.features.report.service import MonthStatus, Status, month_statuses
from bot.features.report.views import not_a_chair_text, send_long, show_report
from bot.form import render
from bot.telegram.callbacks import callback_message
from bot.telegram.filters import MenuButton
from bot.telegram.keyboards import MENU_MY_REPORTS, open_report_keyboard
from db.queries.users import User
from db.repos import Repos

ICONS = {Status.SUBMITTED: "✅", Status.LATE: "⏰", Status.ACCEPTED: "☑️", Status.RETURNED: "↩️",
         Status.DRAFT: "📝", Status.OPEN: "⏳", Status.MISSING: "❌"}


class MyReportCb(CallbackData, prefix="myrep"):
    month: str


def status_text(item: MonthStatus, calendar: ReportingCalendar, locale: str) -> str:
    if item.status is Status.SUBMITTED:
        return _("report submitted")
    if item.status is Status.LATE:
        return _("report submitted late")
    if item.status is Status.ACCEPTED:
        return _("report accepted")
    if item.status is Status.RETURNED:
        return _("returned for correction")
    if item.status is Status.DRAFT:
        return _("draft, not submitted")
    if item.status is Status.OPEN:
        return _("not submitted yet (due {day})").format(day=dates.day(calendar.due_on(item.month), locale))
    return _("report not submitted")


async def cmd_my_reports(message: Message, user: User, repos: Repos, calendar: ReportingCalendar, clock: Clock,
                         i18n: I18n) -> None:
    if user.org_id is None:
        await message.answer(not_a_chair_text())
        return
    locale = i18n.current_locale
    items = await month_statuses(repos, calendar, user.org_id, user.registered_at, clock.now())
    lines = [_("<b>Your reports</b>")]
    buttons = []
    for item in items:
        title = dates.month(item.month, locale)
        lines.append(f"{ICONS[item.status]} {title}: {status_text(item, calendar, locale)}")
        buttons.append(InlineKeyboardButton(text=f"{ICONS[item.status]} {title}",
                                            callback_data=MyReportCb(month=str(item.month)).pack()))
    lines.append(_("Press a month to see its report."))
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    await message.answer("\n".join(lines), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def on_view(query: CallbackQuery, callback_data: MyReportCb, user: User, repos: Repos, form: Form,
                  calendar: ReportingCalendar, clock: Clock, i18n: I18n) -> None:
    """Always the caller's own organization: a forged month shows at most the caller's own report."""
    if user.org_id is None:
        await query.answer(not_a_chair_text(), show_alert=True)
        return
    try:
        month = Month.parse(callback_data.month)
    except ValueError:
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    message = await callback_message(query)
    if message is None:
        return
    await query.answer()
    locale, now = i18n.current_locale, clock.now()
    report = await repos.reports.get(user.org_id, str(month))
    if report is not None:
        await show_report(message, report, form, calendar, now, locale)
        return
    is_open = month == calendar.open_month(now)
    title = dates.month_in_text(month, locale)
    draft = await repos.reports.get_draft(user.org_id, str(month))
    if draft is not None and draft.answers:
        text = _("<b>The report for {month}</b> is a draft and has not been submitted.").format(month=title)
        await send_long(message, f"{text}\n\n{render.answers_text(form, draft.answers, locale)}",
                        reply_markup=open_report_keyboard() if is_open else None)
    else:
        await message.answer(_("There is no report for {month}.").format(month=title),
                                   reply_markup=open_report_keyboard() if is_open else None)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_my_reports, Command("myreports"))
    router.message.register(cmd_my_reports, MenuButton(MENU_MY_REPORTS))
    router.callback_query.register(on_view, MyReportCb.filter())
    return router
