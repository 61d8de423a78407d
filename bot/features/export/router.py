"""/export: a month's reports of the admin's scope as an XLSX file (or CSV on request)."""
from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Form
from bot.domain import dates
from bot.domain.audit import audit
from bot.domain.calendar import ReportingCalendar
from bot.domain.clock import Clock
from bot.domain.roles import Role
from bot.features.export.service import export_month, export_months
from bot.telegram.admin import MENU_EXPORT, NOT_ALLOWED, AdminCb, message_of, parse_month, refuse, region_of, scope_of
from bot.telegram.filters import IsAdmin, MenuButton
from db.repos import Repos


async def cmd_export(message: Message, calendar: ReportingCalendar, clock: Clock, i18n: I18n) -> None:
    rows = [[InlineKeyboardButton(text=dates.month(m, i18n.current_locale),
                                  callback_data=AdminCb(action="exp", month=str(m)).pack())]
            for m in export_months(calendar, clock)]
    await message.answer(_("Which month to export?"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def on_export(query: CallbackQuery, callback_data: AdminCb, role: Role, repos: Repos, form: Form,
                    i18n: I18n, clock: Clock, calendar: ReportingCalendar) -> None:
    month = parse_month(callback_data.month)
    if month is None:
        await refuse(query, NOT_ALLOWED)
        return
    await query.answer(_("Preparing the file…"))
    as_csv = callback_data.page == 1
    district_id, region_id = scope_of(role), region_of(role)
    data, name = await export_month(repos, form, i18n, i18n.current_locale, month, district_id, as_csv, region_id,
                                    calendar.tz)
    await audit(repos.db, clock, query.from_user.id, "export", f"month:{month}",
                {"district": district_id, "region": region_id, "format": "csv" if as_csv else "xlsx"}, role=role)
    keyboard = None if as_csv else InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
        text=_("CSV instead"), callback_data=AdminCb(action="exp", month=str(month), page=1).pack())]])
    message = message_of(query)
    if message is not None:
        await message.answer_document(BufferedInputFile(data, name),
                                      caption=dates.month_report_title(month, i18n.current_locale),
                                      reply_markup=keyboard)


def create_router() -> Router:
    router = Router(name=__name__)
    admin = IsAdmin()
    router.message.filter(admin)
    router.message.register(cmd_export, Command("export"), admin)
    router.message.register(cmd_export, MenuButton(MENU_EXPORT), admin)
    router.callback_query.register(on_export, AdminCb.filter(F.action == "exp"), admin)
    return router
