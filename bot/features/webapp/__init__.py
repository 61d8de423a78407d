"""The Telegram Mini App: the admins' dashboard, served by the bot process (see server.py)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import Bot, Dispatcher

if TYPE_CHECKING:
    from bot.context import AppContext

WEB_SERVER_KEY = "webapp"  # AppContext.extra: the running WebServer (its .url), e.g. for the sandbox


def setup_webapp(app: AppContext, dp: Dispatcher) -> None:
    """Start the web server with the dispatcher and stop it with it."""
    from bot.features.webapp.server import WebServer

    server = WebServer(app)

    async def start(bot: Bot) -> None:
        app.extra[WEB_SERVER_KEY] = server
        await server.start(bot)

    async def stop() -> None:
        await server.stop()
        app.extra.pop(WEB_SERVER_KEY, None)

    dp.startup.register(start)
    dp.shutdown.register(stop)
