"""/stats: the open month at a glance, for the admin's scope; a button per district opens its reports
(bot/features/review/decide.py)."""
from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.domain import dates
from bot.domain.calendar import ReportingCalendar
from bot.domain.clock import Clock
from bot.domain.roles import Role
from bot.domain.text import split_message
from bot.telegram.admin import (
    MENU_STATS,
    NOT_ALLOWED,
    AdminCb,
    message_of,
    paged,
    parse_month,
    refuse,
    region_of,
    scope_of,
)
from bot.telegram.filters import IsAdmin, MenuButton
from db.queries.stats import DistrictProgress
from db.repos import Repos


async def cmd_stats(message: Message, role: Role, repos: Repos, calendar: ReportingCalendar, clock: Clock,
                    i18n: I18n) -> None:
    month = calendar.open_month(clock.now())
    locale = i18n.current_locale
    progress = await repos.stats.progress(str(month), scope_of(role), region_of(role))
    total = sum(p.total for p in progress)
    submitted = sum(p.submitted for p in progress)
    heading = _("<b>{month}</b> (due {due})\nSubmitted: {submitted} of {total}, late: {late}, missing: {missing}")
    lines = [heading.format(
        month=dates.month_report_title(month, locale), due=dates.day(calendar.due_on(month), locale),
        submitted=submitted, total=total, late=sum(p.late for p in progress), missing=total - submitted)]
    several = len({p.region_id for p in progress}) > 1
    for i, p in enumerate(progress):
        if several and (i == 0 or progress[i - 1].region_id != p.region_id):
            same = [q for q in progress if q.region_id == p.region_id]
            done, of = sum(q.submitted for q in same), sum(q.total for q in same)
            lines.append(_("<b>{region}</b>: {submitted}/{total}, missing {missing}").format(
                region=escape(p.region or "—"), submitted=done, total=of, missing=of - done))
        lines.append(_("• {district}: {submitted}/{total}, late {late}, missing {missing}").format(
            district=escape(p.district), submitted=p.submitted, total=p.total, late=p.late, missing=p.missing))
    lines.append(_("Press a district to see its reports and review them."))
    parts = split_message("\n".join(lines))  # a line per district: a national branch has hundreds
    for part in parts[:-1]:
        await message.answer(part)
    await message.answer(parts[-1], reply_markup=district_keyboard(progress, str(month), 0))


def district_keyboard(progress: list[DistrictProgress], month: str, page: int) -> InlineKeyboardMarkup:
    """A button per district, a page at a time (a national branch has hundreds)."""
    items = [(f"📋 {p.district}", AdminCb(action="rv_d", month=month, district=p.district_id).pack())
             for p in progress]
    return paged(items, page, lambda n: AdminCb(action="st_p", month=month, page=n).pack())


async def on_page(query: CallbackQuery, callback_data: AdminCb, role: Role, repos: Repos) -> None:
    month = parse_month(callback_data.month)
    if month is None:
        await refuse(query, NOT_ALLOWED)
        return
    await query.answer()
    progress = await repos.stats.progress(str(month), scope_of(role))
    if (message := message_of(query)) is not None:
        await message.edit_reply_markup(reply_markup=district_keyboard(progress, str(month), callback_data.page))


def create_router() -> Router:
    router = Router(name=__name__)
    admin = IsAdmin()
    router.message.filter(admin)
    router.message.register(cmd_stats, Command("stats"), admin)
    router.message.register(cmd_stats, MenuButton(MENU_STATS), admin)
    router.callback_query.register(on_page, AdminCb.filter(F.action == "st_p"), admin)
    return router
