"""Every feature's router, in the order they see updates. The fallback comes last."""
from __future__ import annotations

from aiogram import Router

from bot.telegram.filters import ButtonOf, HasRole


def admin_tools(*routers: Router) -> Router:
    """The admin tools under one router, so a chair's update skips them all with one check (aiogram
    pays for every router an update passes). It holds because each of them takes messages only from
    admins or guests (its own router filter) and only buttons of AdminCb or JoinCb (see test_routers)."""
    from bot.features.joins.keyboards import JoinCb
    from bot.telegram.admin import AdminCb

    tools = Router(name="bot.features.admin_tools")
    tools.message.filter(HasRole("branch", "region", "district", "guest"))
    tools.callback_query.filter(ButtonOf(AdminCb, JoinCb))
    tools.include_routers(*routers)
    return tools


def feature_routers() -> list[Router]:
    from bot.features.admin import refusal as admin_refusal
    from bot.features.admin import router as admin_people
    from bot.features.admin import stats as admin_stats
    from bot.features.broadcast import router as broadcast
    from bot.features.digest import router as digest
    from bot.features.export import router as export
    from bot.features.joins import router as admin_joins
    from bot.features.onboarding import registration, start
    from bot.features.orgs import router as orgs
    from bot.features.report import my_reports
    from bot.features.report import router as report
    from bot.features.review import router as review
    from bot.features.roster import router as admin_roster
    from bot.telegram import fallback

    return [
        start.create_router(),
        broadcast.create_router(),
        # Admin tools before the dialogs, so admin commands win over dialog states; they end with the
        # refusal of admin buttons that no handler allowed.
        admin_tools(
            admin_people.create_router(),
            admin_roster.create_router(),
            orgs.create_router(),
            admin_joins.create_router(),
            export.create_router(),
            review.create_router(),
            admin_stats.create_router(),
            admin_refusal.create_router(),
        ),
        registration.create_router(),
        report.create_router(),
        my_reports.create_router(),
        digest.create_router(),
        fallback.create_router(),
    ]
