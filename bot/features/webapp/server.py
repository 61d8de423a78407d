"""The web server in the bot process (aiohttp): the Mini App at /app/ and its API under /app/api/.

Started and stopped with the dispatcher (`setup_webapp` in bot/features/webapp/__init__.py), on
`[web] host` and `port`; it also carries the routes others share on it (the webhook on the same host and
port: bot/telegram/web.py). A port already in use does not stop the bot: it is logged with the key that
moves it, and the bot polls without the page; unless a shared route needs the server: then it stops the start.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiogram import Bot
from aiohttp import web

from bot.features.webapp.api import add_routes
from bot.features.webapp.auth import verified_init_data, viewer_of
from bot.features.webapp.form_api import add_form_routes
from bot.features.webapp.menu import MenuButtons
from bot.features.webapp.remind import send_deferred
from bot.features.webapp.state import STATE, VIEWER, WebState
from bot.telegram.web import ListenError, listen, shared_routes
from db.queries.dashboard import DashboardRepo

if TYPE_CHECKING:
    from bot.context import AppContext

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
MINUTE_S = 60
# The page loads nothing from elsewhere; only Telegram's web client may show it in a frame (the apps open
# it in a web view of their own).
PAGE_HEADERS = {"Content-Security-Policy": "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; "
                                           "script-src 'self'; connect-src 'self'; "
                                           "frame-ancestors 'self' https://web.telegram.org",
                "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every /app/api/ request: initData checked, the viewer resolved, the viewer's locale set."""
    if not request.path.startswith("/app/api/"):
        return await handler(request)
    state = request.app[STATE]
    data = verified_init_data(state.app, state.bot.token, request.headers.get("Authorization"))
    viewer = await viewer_of(state.app, data)
    request[VIEWER] = viewer
    with state.app.i18n.context(), state.app.i18n.use_locale(viewer.locale):
        return await handler(request)


async def index(_: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html", headers=PAGE_HEADERS)


async def to_index(_: web.Request) -> web.Response:
    raise web.HTTPFound("/app/")


def create_web_app(app: AppContext, bot: Bot) -> web.Application:
    web_app = web.Application(middlewares=[auth_middleware])
    web_app[STATE] = WebState(app, bot, DashboardRepo(app.db))
    add_routes(web_app)
    add_form_routes(web_app)
    web_app.router.add_get("/app", to_index)
    web_app.router.add_get("/app/", index)
    web_app.router.add_static("/app/static/", STATIC)
    return web_app


class WebServer:
    def __init__(self, app: AppContext) -> None:
        self.app = app
        self.url = ""  # http://host:port once listening
        self._runner: web.AppRunner | None = None
        self._tasks: list[asyncio.Task[Any]] = []

    async def start(self, bot: Bot) -> None:
        cfg = self.app.config.web
        web_app = create_web_app(self.app, bot)
        shared = shared_routes(self.app.extra)
        for install in shared:
            install(web_app)
        runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            self.url = await listen(runner, cfg.host, cfg.port, "[web] port (BASTAU_WEB__PORT)")
        except ListenError as exc:
            await runner.cleanup()
            if shared:
                raise
            log.error("the Mini App %s. The bot goes on without it.", exc)
            return
        self._runner = runner
        log.info("Mini App at %s/app/ (public address: %s)", self.url, cfg.public_url or "none, [web] public_url")
        state = web_app[STATE]
        menus = MenuButtons(self.app) if cfg.public_url else None
        self._tasks.append(asyncio.create_task(self._minutely(state, menus), name="webapp-minutely"))

    async def _minutely(self, state: WebState, menus: MenuButtons | None) -> None:
        """Every minute: «Remind now» requests whose quiet hours have ended; menu buttons that changed."""
        while True:
            try:
                await send_deferred(state.app, state.bot, state.dashboard)
            except Exception:
                log.exception("deferred reminders failed")
            if menus is not None:
                try:
                    await menus.sync(state.bot)
                except Exception:
                    log.exception("menu buttons not synchronised")
            await asyncio.sleep(MINUTE_S)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
