"""What the admin sees of a broadcast: the progress message with its Stop button, and the receipt."""
from __future__ import annotations

from collections.abc import Callable

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import N_
from db.queries.broadcasts import CANCELLED, DONE, Receipt


class StopCb(CallbackData, prefix="bcstop"):
    """The Stop button on the progress message."""
    broadcast_id: int


STOP_LABEL = N_("⛔ Stop the broadcast")


def stop_keyboard(label: str, broadcast_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[
        InlineKeyboardButton(text=label, callback_data=StopCb(broadcast_id=broadcast_id).pack())]])


STATUS_TITLES = {
    "running": N_("📣 Broadcast #{id} is being sent…"),
    DONE: N_("📣 Broadcast #{id} is finished."),
    CANCELLED: N_("📣 Broadcast #{id} was stopped."),
}


def receipt_text(gettext: Callable[[str], str], broadcast_id: int, receipt: Receipt, status: str) -> str:
    """The receipt in the reader's language (`gettext` is bound to it)."""
    lines = [gettext(STATUS_TITLES[status]).format(id=broadcast_id),
             gettext(N_("Delivered: {n}")).format(n=receipt.sent),
             gettext(N_("Blocked the bot: {n}")).format(n=receipt.blocked),
             gettext(N_("Failed: {n}")).format(n=receipt.failed)]
    if receipt.cancelled:
        lines.append(gettext(N_("Not sent (stopped): {n}")).format(n=receipt.cancelled))
    if status == "running" or receipt.left:
        lines.append(gettext(N_("Left: {n}")).format(n=receipt.left))
    return "\n".join(lines)
