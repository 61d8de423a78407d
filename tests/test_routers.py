"""The router-level gates are only shortcuts: each must let through every update one of the router's
handlers could take. These checks fail when a handler is added that a gate would hide."""
from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackQueryFilter

from bot.broadcast.engine import StopCb
from bot.filters import IsAdmin, MenuButton
from bot.keyboards import MENU_HELP, MENU_LANGUAGE, LanguageCb
from bot.routers import feature_routers
from bot.routers.admin_common import AdminCb
from bot.routers.admin_joins import IsGuest, JoinCb
from bot.routers.broadcast import MENU_BROADCAST, BroadcastCb, BroadcastDialog


def routers() -> dict[str, Router]:
    found = {}
    for router in feature_routers():
        found[router.name] = router
        found.update({child.name: child for child in router.sub_routers})
    return found


def filters_of(handler) -> list:
    return [f.callback for f in handler.filters or []]


def button_kinds(handler) -> set[type]:
    return {f.callback_data for f in filters_of(handler) if isinstance(f, CallbackQueryFilter)}


def test_admin_tools_take_messages_only_from_admins_or_guests_and_only_their_buttons():
    tools = routers()["bot.routers.admin_tools"]
    assert [r.name.rsplit(".", 1)[1] for r in tools.sub_routers] == \
        ["admin_people", "admin_roster", "admin_joins", "admin_reports"]
    for router in tools.sub_routers:
        gates = filters_of(router.message._handler)
        assert any(isinstance(g, (IsAdmin, IsGuest)) for g in gates), router.name
        for handler in router.callback_query.handlers:
            kinds = button_kinds(handler)
            assert kinds and kinds <= {AdminCb, JoinCb}, (router.name, handler.callback.__name__)


def test_start_takes_only_commands_its_menu_buttons_and_language_buttons():
    start = routers()["bot.routers.start"]
    for handler in start.message.handlers:
        taken = filters_of(handler)[0]
        assert (isinstance(taken, Command) and all(p == "/" for p in taken.prefix)) or \
            (isinstance(taken, MenuButton) and taken.msgid in (MENU_LANGUAGE, MENU_HELP)), handler.callback
    for handler in start.callback_query.handlers:
        assert button_kinds(handler) == {LanguageCb}


def test_broadcast_takes_only_its_commands_button_state_and_buttons():
    broadcast = routers()["bot.routers.broadcast"]
    for handler in broadcast.message.handlers:
        taken = filters_of(handler)[0]
        assert (isinstance(taken, Command) and all(p == "/" for p in taken.prefix)) or \
            (isinstance(taken, MenuButton) and taken.msgid == MENU_BROADCAST) or \
            (isinstance(taken, StateFilter) and taken.states == (BroadcastDialog.message,)), handler.callback
    for handler in broadcast.callback_query.handlers:
        kinds = button_kinds(handler)
        assert kinds and kinds <= {BroadcastCb, StopCb}, handler.callback.__name__
