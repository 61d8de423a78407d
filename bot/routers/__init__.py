"""Every feature's router, in the order they see updates. The fallback comes last."""
from __future__ import annotations

from aiogram import Router

from bot.filters import ButtonOf, HasRole


def admin_tools(*routers: Router) -> Router:
    """The admin tools under one router, so a chair's update skips them all with one check (aiogram
    pays for every router an update passes). It holds because each of them takes messages only from
    admins or guests (its own router filter) and only buttons of AdminCb or JoinCb (see test_routers)."""
    from bot.routers.admin_common import AdminCb
    from bot.routers.admin_joins import JoinCb

    tools = Router(name="bot.routers.admin_tools")
    tools.message.filter(HasRole("branch", "district", "guest"))
    tools.callback_query.filter(ButtonOf(AdminCb, JoinCb))
    tools.include_routers(*routers)
    return tools


def feature_routers() -> list[Router]:
    from bot.routers import admin_joins, admin_people, admin_reports, admin_roster
    from bot.routers import broadcast, digest
    from bot.routers import fallback, my_reports, registration, report, start

    return [
        start.create_router(),
        broadcast.create_router(),
        # Admin tools before the dialogs, so admin commands win over dialog states; admin_reports
        # ends with the refusal of admin buttons that no handler allowed.
        admin_tools(
            admin_people.create_router(),
            admin_roster.create_router(),
            admin_joins.create_router(),
            admin_reports.create_router(),
        ),
        registration.create_router(),
        report.create_router(),
        my_reports.create_router(),
        digest.create_router(),
        fallback.create_router(),
    ]
