"""What a roster upload renamed, moved and left out, in the admin's language; the archive offer."""
from __future__ import annotations

from html import escape

from aiogram.fsm.context import FSMContext
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.telegram.admin import AdminCb
from db.queries.roster import ApplySummary

SHOWN = 20
ARCHIVE_KEY = "archive_candidates"  # the FSM data of the admin's chat: the organizations left out


def _names(items: list[str]) -> str:
    more = _(" …and {n} more").format(n=len(items) - SHOWN) if len(items) > SHOWN else ""
    return ", ".join(escape(item) for item in items[:SHOWN]) + more


def change_lines(summary: ApplySummary) -> list[str]:
    lines = []
    if summary.regions_added:
        lines.append(_("Regions added: {names}").format(names=_names(summary.regions_added)))
    if summary.renamed:
        lines.append(_("Renamed: {names}").format(names=_names(
            [f"{old} → {new} ({district})" for district, old, new in summary.renamed])))
    if summary.moved:
        lines.append(_("Moved: {names}").format(names=_names(
            [f"{org}: {old} → {new}" for org, old, new in summary.moved])))
    if summary.restored:
        lines.append(_("Back from the archive: {names}").format(names=_names(
            [f"{org} ({district})" for district, org in summary.restored])))
    if summary.absent:
        lines.append(_("If they have closed, archive them: they will get no reminders and not be counted as "
                       "missing, and their reports stay in the exports of past months. Not in the file: "
                       "{names}").format(names=_names(
            [f"{org} ({district})" for _id, district, org in summary.absent])))
    return lines


async def offer_archive(state: FSMContext, summary: ApplySummary) -> InlineKeyboardMarkup | None:
    """Remember the organizations left out, for the confirm button; None when there are none."""
    await state.update_data({ARCHIVE_KEY: [org_id for org_id, _d, _o in summary.absent]})
    if not summary.absent:
        return None
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
        text=_("🗄 Archive the {n} left out").format(n=len(summary.absent)),
        callback_data=AdminCb(action="arch_ok").pack())]])
