"""/reopen: an admin reopens a submitted report of their scope for editing."""
from __future__ import annotations

from datetime import date
from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain import dates
from bot.domain.calendar import Month, ReportingCalendar
from bot.domain.clock import Clock
from bot.domain.roles import Role
from bot.features.review.service import reopen_months, reopen_report, tell_chair
from bot.telegram.admin import (
    MENU_REOPEN,
    NOT_ALLOWED,
    AdminCb,
    answer_message,
    district_in_scope,
    org_in_scope,
    paged,
    parse_month,
    refuse,
    region_of,
)
from bot.telegram.filters import IsAdmin, MenuButton
from db.repos import Repos


async def cmd_reopen(message: Message, calendar: ReportingCalendar, clock: Clock, i18n: I18n) -> None:
    rows = [[InlineKeyboardButton(text=dates.month(m, i18n.current_locale),
                                  callback_data=AdminCb(action="ro_m", month=str(m)).pack())]
            for m in reopen_months(calendar, clock)]
    await message.answer(_("A submitted report can be reopened for editing after its due date. Which month?"),
                         reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def on_reopen_month(query: CallbackQuery, callback_data: AdminCb, role: Role, repos: Repos,
                          i18n: I18n) -> None:
    month = parse_month(callback_data.month)
    if month is None:
        await refuse(query, NOT_ALLOWED)
        return
    if not (role.is_branch or role.is_region):
        await show_submitted(query, role, repos, month, role.district_id, 0, i18n.current_locale, edit=False)
        return
    await query.answer()
    rows = [[InlineKeyboardButton(text=name, callback_data=AdminCb(action="ro_d", month=str(month),
                                                                   district=district_id).pack())]
            for district_id, name in await repos.orgs.districts(region_of(role))]
    await answer_message(query, _("Choose the district:"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def on_reopen_district(query: CallbackQuery, callback_data: AdminCb, role: Role, repos: Repos,
                             i18n: I18n) -> None:
    month = parse_month(callback_data.month)
    if month is None:
        await refuse(query, NOT_ALLOWED)
        return
    await show_submitted(query, role, repos, month, callback_data.district, callback_data.page,
                         i18n.current_locale, edit=callback_data.action == "ro_dp")


async def show_submitted(query: CallbackQuery, role: Role, repos: Repos, month: Month, district_id: int | None,
                         page: int, locale: str, edit: bool) -> None:
    if district_id is None or await district_in_scope(repos, role, district_id) is None:
        await refuse(query)
        return
    await query.answer()
    orgs = await repos.reports.submitted_orgs(str(month), district_id)
    if not orgs:
        await answer_message(query, _("No organization of this district has submitted a report for that month."))
        return
    items = [(name if not until else _("{org} (open until {until})").format(
                  org=name, until=dates.day(date.fromisoformat(until), locale)),
              AdminCb(action="ro_o", month=str(month), org=org_id).pack()) for org_id, name, until in orgs]
    keyboard = paged(items, page, lambda p: AdminCb(action="ro_dp", month=str(month), district=district_id,
                                                    page=p).pack())
    if edit and isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=keyboard)
    else:
        await answer_message(query, _("Whose report of {month} to reopen?").format(
            month=dates.month_in_text(month, locale)), reply_markup=keyboard)


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
    await query.answer()
    locale = i18n.current_locale
    await answer_message(query, _("The report of <b>{org}</b> for {month} is open for editing until {until}.").format(
        org=escape(org.name), month=dates.month_in_text(month, locale), until=dates.day(result.until, locale)))
    await tell_chair(bot, repos, i18n, config, org, month, result.until)


def create_router() -> Router:
    router = Router(name=__name__)
    admin = IsAdmin()
    router.message.filter(admin)
    router.message.register(cmd_reopen, Command("reopen"), admin)
    router.message.register(cmd_reopen, MenuButton(MENU_REOPEN), admin)
    router.callback_query.register(on_reopen_month, AdminCb.filter(F.action == "ro_m"), admin)
    router.callback_query.register(on_reopen_district, AdminCb.filter(F.action == "ro_d"), admin)
    router.callback_query.register(on_reopen_district, AdminCb.filter(F.action == "ro_dp"), admin)
    router.callback_query.register(on_reopen_org, AdminCb.filter(F.action == "ro_o"), admin)
    return router
