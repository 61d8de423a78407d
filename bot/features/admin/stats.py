"""/stats: the open month at a glance, for the admin's scope."""
from __future__ import annotations

from html import escape

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.domain import dates
from bot.domain.calendar import ReportingCalendar
from bot.domain.clock import Clock
from bot.domain.roles import Role
from bot.domain.text import split_message
from bot.telegram.admin import MENU_STATS, scope_of
from bot.telegram.filters import IsAdmin, MenuButton
from db.repos import Repos


async def cmd_stats(message: Message, role: Role, repos: Repos, calendar: ReportingCalendar, clock: Clock,
                    i18n: I18n) -> None:
    month = calendar.open_month(clock.now())
    locale = i18n.current_locale
    progress = await repos.stats.progress(str(month), scope_of(role))
    total = sum(p.total for p in progress)
    submitted = sum(p.submitted for p in progress)
    heading = _("<b>{month}</b> (due {due})\nSubmitted: {submitted} of {total}, late: {late}, missing: {missing}")
    lines = [heading.format(
        month=dates.month_report_title(month, locale), due=dates.day(calendar.due_on(month), locale),
        submitted=submitted, total=total, late=sum(p.late for p in progress), missing=total - submitted)]
    for p in progress:
        lines.append(_("• {district}: {submitted}/{total}, late {late}, missing {missing}").format(
            district=escape(p.district), submitted=p.submitted, total=p.total, late=p.late, missing=p.missing))
    for part in split_message("\n".join(lines)):  # a line per district: a national branch has hundreds
        await message.answer(part)


def create_router() -> Router:
    router = Router(name=__name__)
    admin = IsAdmin()
    router.message.filter(admin)
    router.message.register(cmd_stats, Command("stats"), admin)
    router.message.register(cmd_stats, MenuButton(MENU_STATS), admin)
    return router
