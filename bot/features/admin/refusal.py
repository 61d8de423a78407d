"""The last of the admin tools: an admin button that no handler before took is refused."""
from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery

from bot.telegram.admin import NOT_ALLOWED, AdminCb, refuse
from bot.telegram.filters import IsAdmin


async def on_not_allowed(query: CallbackQuery) -> None:
    """Any admin button pressed by someone whose role does not allow it (the handlers before filter by role)."""
    await refuse(query, NOT_ALLOWED)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(IsAdmin())  # takes no messages
    router.callback_query.register(on_not_allowed, AdminCb.filter())
    return router
