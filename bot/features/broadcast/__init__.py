"""Broadcasts by admins: audiences, the background delivery engine, receipts.

The engine is created once per process and shared through the app's workflow data
(`broadcast_engine`); the dispatcher's startup resumes unfinished broadcasts, its shutdown stops them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import Dispatcher

from bot.features.broadcast.engine import BroadcastEngine

if TYPE_CHECKING:
    from bot.context import AppContext

ENGINE_KEY = "broadcast_engine"


def ensure_engine(app: AppContext) -> BroadcastEngine:
    """The app's engine, created on first use (a test may put its own into `app.extra` first)."""
    engine = app.extra.get(ENGINE_KEY)
    if engine is None:
        engine = BroadcastEngine(app.repos, app.i18n, app.config.broadcast, app.clock,
                                 default_locale=app.config.bot.default_locale)
        app.extra[ENGINE_KEY] = engine
    return engine


def setup_broadcasts(app: AppContext, dp: Dispatcher) -> BroadcastEngine:
    """Resume unfinished broadcasts when polling starts; interrupt them cleanly when it stops."""
    engine = ensure_engine(app)
    dp[ENGINE_KEY] = engine
    dp.startup.register(engine.on_startup)
    dp.shutdown.register(engine.on_shutdown)
    return engine


__all__ = ["ENGINE_KEY", "BroadcastEngine", "ensure_engine", "setup_broadcasts"]
