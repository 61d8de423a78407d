"""/reopen: an admin reopens a submitted report of their scope for editing, with a reason, once confirmed."""
from __future__ import annotations

from datetime import date
from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain import dates
from bot.domain.calendar import Month, ReportingCalendar
from bot.domain.clock import Clock
from bot.domain.roles import Role
from bot.features.review import decide
from bot.features.review.service import COMMENT_LIMIT, reopen_months, reopen_report, tell_chair
from bot.telegram.admin import (
    MENU_REOPEN,
    NOT_ALLOWED,
    AdminCb,
    AdminMenuButton,
    answer_message,
    district_in_scope,
    org_in_scope,
    paged,
    parse_month,
    refuse,
    refuse_outside,
    region_of,
)
from bot.telegram.filters import HasText, IsAdmin, MenuButton, NotCommand
from bot.telegram.resume import register_reprompt
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
        await refuse_outside(query, role)
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


class ReopenReason(StatesGroup):
    text = State()


async def on_reopen_org(query: CallbackQuery, callback_data: AdminCb, state: FSMContext, role: Role, repos: Repos,
                        calendar: ReportingCalendar, clock: Clock) -> None:
    """The organization chosen: ask why (the chair will read it), then confirm."""
    month = parse_month(callback_data.month)
    org = await org_in_scope(repos, role, callback_data.org)
    if month is None or org is None:
        await refuse_outside(query, role)
        return
    if calendar.is_editable(month, clock.now()):
        await query.answer(_("This month can still be edited until its due date; there is nothing to reopen."),
                           show_alert=True)
        return
    if await repos.reports.get(org.id, str(month)) is None:
        await query.answer(_("This organization has no submitted report for that month."), show_alert=True)
        return
    await query.answer()
    await state.set_state(ReopenReason.text)
    await state.set_data({"org": org.id, "month": str(month), "name": org.name})
    if isinstance(query.message, Message):
        await ask_reason(query.message, state)


async def ask_reason(message: Message, state: FSMContext, **_data: object) -> None:
    data = await state.get_data()
    await message.answer(_("Why reopen the report of <b>{org}</b>? Type the reason for the chair. "
                           "/cancel to stop.").format(org=escape(str(data.get("name", "")))))


register_reprompt(ReopenReason.__name__, ask_reason)


async def on_reason(message: Message, state: FSMContext, i18n: I18n) -> None:
    reason = (message.text or "").strip()
    if len(reason) > COMMENT_LIMIT:
        await message.answer(_("The comment is too long: at most {limit} characters. Please shorten it.").format(
            limit=COMMENT_LIMIT))
        return
    await state.update_data(reason=reason)
    data = await state.get_data()
    month = parse_month(str(data.get("month", "")))
    if month is None:
        await state.clear()
        return
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[
        InlineKeyboardButton(text=_("🔓 Reopen"), callback_data=AdminCb(action="ro_yes").pack()),
        InlineKeyboardButton(text=_("✖️ Cancel"), callback_data=AdminCb(action="ro_no").pack())]])
    await message.answer(_("Reopen the report of <b>{org}</b> for {month} for a week?\nReason: {reason}").format(
        org=escape(str(data.get("name", ""))), month=dates.month_in_text(month, i18n.current_locale),
        reason=escape(reason)), reply_markup=keyboard)


async def on_reopen_cancel(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer(_("Nothing was reopened."))
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)


async def on_reopen_confirm(query: CallbackQuery, state: FSMContext, bot: Bot, role: Role, repos: Repos,
                            calendar: ReportingCalendar, clock: Clock, config: Settings, i18n: I18n) -> None:
    data = await state.get_data()
    month = parse_month(str(data.get("month", "")))
    if await state.get_state() != ReopenReason.text.state or month is None or "reason" not in data:
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    await state.clear()
    org = await org_in_scope(repos, role, int(data.get("org", 0)))
    if org is None:
        await refuse_outside(query, role)
        return
    reason = str(data["reason"])
    result = await reopen_report(repos, calendar, clock, query.from_user.id, role, org, month, reason)
    if result.still_open or result.until is None:
        await query.answer(_("This organization has no submitted report for that month."), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
    locale = i18n.current_locale
    await answer_message(query, _("The report of <b>{org}</b> for {month} is open for editing until {until}.").format(
        org=escape(org.name), month=dates.month_in_text(month, locale), until=dates.day(result.until, locale)))
    await tell_chair(bot, repos, i18n, config, org, month, result.until, reason)


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
    router.message.register(on_reason, StateFilter(ReopenReason.text), HasText(), NotCommand(), ~AdminMenuButton())
    router.callback_query.register(on_reopen_confirm, AdminCb.filter(F.action == "ro_yes"), admin)
    router.callback_query.register(on_reopen_cancel, AdminCb.filter(F.action == "ro_no"), admin)
    router.include_router(decide.create_router())
    return router
