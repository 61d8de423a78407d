"""/stats, /export and /reopen for admins, each limited to the admin's scope."""
from __future__ import annotations

import logging
from datetime import date
from html import escape

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n, get_i18n
from aiogram.utils.i18n import gettext as _
from babel.dates import format_date

from bot.config import Form, Settings
from bot.domain.audit import audit
from bot.domain.calendar import Month, ReportingCalendar
from bot.domain.clock import Clock
from bot.domain.roles import Role
from bot.features.export.service import export_month, export_months, reopen_months, reopen_report
from bot.telegram.admin import (
    MENU_EXPORT,
    MENU_REOPEN,
    MENU_STATS,
    NOT_ALLOWED,
    AdminCb,
    district_in_scope,
    month_label,
    org_in_scope,
    paged,
    parse_month,
    refuse,
    scope_of,
)
from bot.telegram.filters import IsAdmin, IsBranchAdmin, MenuButton
from db.repos import Repos

log = logging.getLogger(__name__)



def day_label(day: date) -> str:
    return format_date(day, "d MMMM y", locale=get_i18n().current_locale)


async def cmd_stats(message: Message, role: Role, repos: Repos, calendar: ReportingCalendar, clock: Clock) -> None:
    month = calendar.open_month(clock.now())
    progress = await repos.stats.progress(str(month), scope_of(role))
    total = sum(p.total for p in progress)
    submitted = sum(p.submitted for p in progress)
    lines = [_("<b>{month}</b> (due {due})\nSubmitted: {submitted} of {total}, late: {late}, missing: {missing}").format(
        month=month_label(month), due=day_label(calendar.due_on(month)), submitted=submitted, total=total,
        late=sum(p.late for p in progress), missing=total - submitted)]
    for p in progress:
        lines.append(_("• {district}: {submitted}/{total}, late {late}, missing {missing}").format(
            district=escape(p.district), submitted=p.submitted, total=p.total, late=p.late, missing=p.missing))
    await message.answer("\n".join(lines))


async def cmd_export(message: Message, calendar: ReportingCalendar, clock: Clock) -> None:
    rows = [[InlineKeyboardButton(text=month_label(m), callback_data=AdminCb(action="exp", month=str(m)).pack())]
            for m in export_months(calendar, clock)]
    await message.answer(_("Which month to export?"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def on_export(query: CallbackQuery, callback_data: AdminCb, role: Role, repos: Repos, form: Form,
                    i18n: I18n, clock: Clock) -> None:
    month = parse_month(callback_data.month)
    if month is None:
        await refuse(query, NOT_ALLOWED)
        return
    await query.answer(_("Preparing the file…"))
    as_csv = callback_data.page == 1
    district_id = scope_of(role)
    data, name = await export_month(repos, form, i18n, i18n.current_locale, month, district_id, as_csv)
    await audit(repos.db, clock, query.from_user.id, "export", f"month:{month}",
                {"district": district_id, "format": "csv" if as_csv else "xlsx"}, role=role)
    keyboard = None if as_csv else InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
        text=_("CSV instead"), callback_data=AdminCb(action="exp", month=str(month), page=1).pack())]])
    await query.message.answer_document(BufferedInputFile(data, name), caption=month_label(month),
                                        reply_markup=keyboard)


async def cmd_reopen(message: Message, calendar: ReportingCalendar, clock: Clock) -> None:
    rows = [[InlineKeyboardButton(text=month_label(m), callback_data=AdminCb(action="ro_m", month=str(m)).pack())]
            for m in reopen_months(calendar, clock)]
    await message.answer(_("A submitted report can be reopened for editing after its due date. Which month?"),
                         reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def on_reopen_month(query: CallbackQuery, callback_data: AdminCb, role: Role, repos: Repos) -> None:
    month = parse_month(callback_data.month)
    if month is None:
        await refuse(query, NOT_ALLOWED)
        return
    if not role.is_branch:
        await show_submitted(query, role, repos, month, role.district_id, 0, edit=False)
        return
    await query.answer()
    rows = [[InlineKeyboardButton(text=name, callback_data=AdminCb(action="ro_d", month=str(month),
                                                                   district=district_id).pack())]
            for district_id, name in await repos.orgs.districts()]
    await query.message.answer(_("Choose the district:"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def on_reopen_district(query: CallbackQuery, callback_data: AdminCb, role: Role, repos: Repos) -> None:
    month = parse_month(callback_data.month)
    if month is None:
        await refuse(query, NOT_ALLOWED)
        return
    await show_submitted(query, role, repos, month, callback_data.district, callback_data.page,
                         edit=callback_data.action == "ro_dp")


async def show_submitted(query: CallbackQuery, role: Role, repos: Repos, month: Month, district_id: int | None,
                         page: int, edit: bool) -> None:
    if district_id is None or await district_in_scope(repos, role, district_id) is None:
        await refuse(query)
        return
    await query.answer()
    orgs = await repos.admins.submitted_orgs(str(month), district_id)
    if not orgs:
        await query.message.answer(_("No organization of this district has submitted a report for that month."))
        return
    items = [(name if not until else _("{org} (open until {until})").format(org=name, until=until),
              AdminCb(action="ro_o", month=str(month), org=org_id).pack()) for org_id, name, until in orgs]
    keyboard = paged(items, page, lambda p: AdminCb(action="ro_dp", month=str(month), district=district_id,
                                                    page=p).pack())
    if edit:
        await query.message.edit_reply_markup(reply_markup=keyboard)
    else:
        await query.message.answer(_("Whose report of {month} to reopen?").format(month=month_label(month, False)),
                                   reply_markup=keyboard)


async def on_reopen_org(query: CallbackQuery, callback_data: AdminCb, bot: Bot, role: Role, repos: Repos,
                        calendar: ReportingCalendar, clock: Clock, config: Settings, i18n: I18n) -> None:
    month = parse_month(callback_data.month)
    org = await org_in_scope(repos, role, callback_data.org)
    if month is None or org is None:
        await refuse(query)
        return
    result = await reopen_report(repos, calendar, clock, query.from_user.id, role, org, month)
    if result.still_open:
        await query.answer(_("This month can still be edited until its due date; there is nothing to reopen."),
                           show_alert=True)
        return
    if result.until is None:
        await query.answer(_("This organization has no submitted report for that month."), show_alert=True)
        return
    until = date.fromisoformat(result.until)
    await query.answer()
    await query.message.answer(_("The report of <b>{org}</b> for {month} is open for editing until {until}.").format(
        org=escape(org.name), month=month_label(month, False), until=day_label(until)))
    chair = await repos.users.chair_of(org.id)
    if chair is None:
        return
    with i18n.use_locale(chair.locale or config.bot.default_locale):
        text = _("An administrator reopened your report for {month}. You can correct it until {until}.").format(
            month=month_label(month, False), until=day_label(until))
    try:
        await bot.send_message(chair.id, text)
    except TelegramAPIError as exc:
        log.warning("could not tell chair %s that the report was reopened: %s", chair.id, exc)


async def on_not_allowed(query: CallbackQuery) -> None:
    """Any admin button pressed by someone whose role does not allow it (the handlers above filter by role)."""
    await refuse(query, NOT_ALLOWED)


def create_router() -> Router:
    router = Router(name=__name__)
    admin = IsAdmin()
    router.message.filter(admin)  # every message handler is an admin's; buttons are refused below
    router.message.register(cmd_stats, Command("stats"), admin)
    router.message.register(cmd_stats, MenuButton(MENU_STATS), admin)
    router.message.register(cmd_export, Command("export"), admin)
    router.message.register(cmd_export, MenuButton(MENU_EXPORT), admin)
    router.message.register(cmd_reopen, Command("reopen"), admin)
    router.message.register(cmd_reopen, MenuButton(MENU_REOPEN), admin)
    router.callback_query.register(on_export, AdminCb.filter(F.action == "exp"), admin)
    router.callback_query.register(on_reopen_month, AdminCb.filter(F.action == "ro_m"), admin)
    router.callback_query.register(on_reopen_district, AdminCb.filter(F.action == "ro_d"), IsBranchAdmin())
    router.callback_query.register(on_reopen_district, AdminCb.filter(F.action == "ro_dp"), admin)
    router.callback_query.register(on_reopen_org, AdminCb.filter(F.action == "ro_o"), admin)
    router.callback_query.register(on_not_allowed, AdminCb.filter())
    return router
