"""The buttons of the join request flow, also shown by registration under the invite-code question."""
from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _


class JoinCb(CallbackData, prefix="join"):
    action: str  # start, d (district), dp (districts page), op (organizations page), o (organization)
    district: int = 0
    org: int = 0
    page: int = 0


def no_code_keyboard() -> InlineKeyboardMarkup:
    """The button under the invite-code question."""
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
        text=_("🙋 I have no code"), callback_data=JoinCb(action="start").pack())]])
