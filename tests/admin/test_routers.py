"""The router-level gates are only shortcuts: each must let through every update one of the router's
handlers could take. These checks fail when a handler is added that a gate would hide."""
from __future__ import annotations

from datetime import UTC, datetime

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackQueryFilter
from aiogram.types import Chat, Message, User

from bot.domain.roles import Role
from bot.features import feature_routers
from bot.features.broadcast.receipt import StopCb
from bot.features.broadcast.router import BroadcastCb, BroadcastDialog
from bot.features.joins.keyboards import JoinCb
from bot.telegram.admin import MENU_BROADCAST, AdminCb
from bot.telegram.filters import MenuButton
from bot.telegram.keyboards import MENU_HELP, MENU_LANGUAGE, LanguageCb

KINDS = ("branch", "region", "district", "chair", "guest")


def routers() -> dict[str, Router]:
    found = {}
    for router in feature_routers():
        found[router.name] = router
        found.update({child.name: child for child in router.sub_routers})
    return found


def filters_of(handler) -> list:
    return [f.callback for f in handler.filters or []]


async def takes_message_from(router: Router, kind: str) -> bool:
    """Does the router's own gate (its `router.message.filter(...)`) let through a message from this role?"""
    message = Message(message_id=1, date=datetime(2026, 11, 26, tzinfo=UTC), text="/stats",
                      chat=Chat(id=7000, type="private"), from_user=User(id=7000, is_bot=False, first_name="T"))
    passed, _ = await router.message.check_root_filters(message, role=Role(kind, 1 if kind == "district" else None))
    return passed


def button_kinds(handler) -> set[type]:
    return {f.callback_data for f in filters_of(handler) if isinstance(f, CallbackQueryFilter)}


async def test_admin_tools_take_messages_only_from_admins_or_guests_and_only_their_buttons():
    tools = routers()["bot.features.admin_tools"]
    assert [r.name for r in tools.sub_routers] == [
        "bot.features.admin.router", "bot.features.roster.router", "bot.features.orgs.router",
        "bot.features.joins.router",
        "bot.features.export.router", "bot.features.review.router", "bot.features.admin.stats",
        "bot.features.admin.refusal"]
    for kind in KINDS:
        assert await takes_message_from(tools, kind) == (kind != "chair"), kind
    for router in tools.sub_routers:
        taken = {kind for kind in KINDS if await takes_message_from(router, kind)}
        # The tools' gate lets through every message this router takes, and a chair's reaches none.
        assert taken and "chair" not in taken, (router.name, taken)
        for handler in router.callback_query.handlers:
            kinds = button_kinds(handler)
            assert kinds and kinds <= {AdminCb, JoinCb}, (router.name, handler.callback.__name__)


def test_start_takes_only_commands_its_menu_buttons_and_language_buttons():
    start = routers()["bot.features.onboarding.start"]
    for handler in start.message.handlers:
        taken = filters_of(handler)[0]
        assert (isinstance(taken, Command) and all(p == "/" for p in taken.prefix)) or \
            (isinstance(taken, MenuButton) and taken.msgid in (MENU_LANGUAGE, MENU_HELP)), handler.callback
    for handler in start.callback_query.handlers:
        assert button_kinds(handler) == {LanguageCb}


def test_broadcast_takes_only_its_commands_button_state_and_buttons():
    broadcast = routers()["bot.features.broadcast.router"]
    for handler in broadcast.message.handlers:
        taken = filters_of(handler)[0]
        assert (isinstance(taken, Command) and all(p == "/" for p in taken.prefix)) or \
            (isinstance(taken, MenuButton) and taken.msgid == MENU_BROADCAST) or \
            (isinstance(taken, StateFilter) and taken.states == (BroadcastDialog.message,)), handler.callback
    for handler in broadcast.callback_query.handlers:
        kinds = button_kinds(handler)
        assert kinds and kinds <= {BroadcastCb, StopCb}, handler.callback.__name__
