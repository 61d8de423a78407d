"""An organization's last twelve months on its card: each month's status, and a button that opens a
filed report (with its photos and the review buttons: bot/features/review/decide.py)."""
from __future__ import annotations

from aiogram.types import InlineKeyboardButton
from aiogram.utils.i18n import gettext as _

from bot.domain import dates
from bot.domain.calendar import Month
from bot.telegram.admin import AdminCb
from db.repos import Repos

MONTHS_SHOWN = 12


def recent_months(open_month: Month) -> list[Month]:
    """The open month and the eleven before it, newest first."""
    months = [open_month]
    while len(months) < MONTHS_SHOWN:
        months.append(months[-1].prev())
    return months


async def months_of_card(repos: Repos, org_id: int, open_month: Month, locale: str) -> tuple[str, list[Month]]:
    """The card's lines for the last twelve months, and the months that have a filed report."""
    filed = await repos.reports.months_of(org_id)
    months = recent_months(open_month)
    lines = [_("Last 12 months:")]
    for month in months:
        late = filed.get(str(month))
        status = _("not submitted") if late is None else _("submitted late") if late else _("submitted on time")
        lines.append(f"• {dates.month(month, locale)}: {status}")
    return "\n".join(lines), [m for m in months if str(m) in filed]


def report_buttons(org_id: int, months: list[Month], locale: str) -> list[list[InlineKeyboardButton]]:
    """📄 a button per filed month, two to a row."""
    buttons = [InlineKeyboardButton(text="📄 " + dates.month(m, locale),
                                    callback_data=AdminCb(action="rv_o", org=org_id, month=str(m)).pack())
               for m in months]
    return [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
