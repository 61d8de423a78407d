"""Webhook mode (`bastau run --webhook`): Telegram POSTs each update to `[webhook] url`.

The request handler is aiogram's `SimpleRequestHandler` (its route, its constant-time secret check)
with another answer: 200 only once the update is stored in the inbox (bot/telegram/inbox.py), then
the inbox handles it after the answer, one chat's updates in order. So an update Telegram believes
delivered is on disk, and one it sends again (its update_id is in the inbox) is answered 200 and not
handled twice. A request without the right `X-Telegram-Bot-Api-Secret-Token` gets 401 and is logged
(never the secret); a body that is not an update gets 400; a store that fails gets 500 (Telegram
sends it again). Requests that arrive while the bot starts wait until the updates stored before the
restart are handled; those that arrive while it stops get 503.
"""
from __future__ import annotations

import asyncio
import logging
import os
import re
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from pydantic import ValidationError

from bot.config import Settings
from bot.startup import StartupError
from bot.telegram.inbox import Inbox, chat_key
from bot.telegram.polling import Resume, shut_down, stop_on_signals
from bot.telegram.web import OwnServer, share_routes

if TYPE_CHECKING:
    from bot.context import AppContext

log = logging.getLogger(__name__)
SECRET_ENV = "WEBHOOK_SECRET"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_RULE = re.compile(r"[A-Za-z0-9_-]{1,256}")  # Telegram's rule for secret_token
READY_WAIT_S = 60.0  # a request during the start waits this long for the replay, then gets 503
CATCH_UP_S = 15.0  # at start, how long the updates Telegram held are awaited before waiting dialogs are asked
CATCH_UP_POLL_S = 0.2


@dataclass(frozen=True)
class WebhookSettings:
    url: str
    host: str
    port: int
    path: str
    allowed_updates: tuple[str, ...]
    max_connections: int
    secret: str
    shared: bool  # on the Mini App's server ([web] host and port)


def webhook_settings(config: Settings) -> WebhookSettings:
    """The webhook's settings, the secret from the environment; a missing one is a StartupError naming it."""
    cfg = config.webhook
    if not cfg.url:
        raise StartupError("webhook.url is not set: the public HTTPS address Telegram posts updates to, path "
                           "included (BASTAU_WEBHOOK__URL)")
    secret = os.environ.get(SECRET_ENV, "")
    if not secret:
        raise StartupError(f"{SECRET_ENV} is not set: webhook mode needs the secret token in the environment")
    if not SECRET_RULE.fullmatch(secret):
        raise StartupError(f"{SECRET_ENV} must be 1 to 256 characters of A-Z, a-z, 0-9, _ and -")
    return WebhookSettings(cfg.url, cfg.host, cfg.port, cfg.path, cfg.allowed_updates, cfg.max_connections, secret,
                           shared=(cfg.host, cfg.port) == (config.web.host, config.web.port))


class InboxRequestHandler(SimpleRequestHandler):
    """POST path: secret checked, the update stored in the inbox, 200, then handled by the inbox."""

    def __init__(self, dp: Dispatcher, bot: Bot, inbox: Inbox, secret: str) -> None:
        super().__init__(dp, bot, handle_in_background=True, secret_token=secret)
        self.inbox = inbox
        self.ready = asyncio.Event()  # set once the start's replay is done
        self.closing = False
        self.caught: set[str] | None = set()  # chats of the updates taken while catching up (None: after)

    async def handle(self, request: web.Request) -> web.Response:
        bot = await self.resolve_bot(request)
        if not self.verify_secret(request.headers.get(SECRET_HEADER, ""), bot):
            log.warning("webhook: refused a request from %s without the right secret token (401)",
                        request.remote or "?")
            return web.Response(status=401, text="Unauthorized")
        try:
            update = Update.model_validate_json(await request.read(), context={"bot": bot})
        except ValidationError:
            log.warning("webhook: a request from %s is not an update (400)", request.remote or "?")
            return web.Response(status=400, text="Bad Request: not an update")
        if not self.ready.is_set():
            with suppress(TimeoutError):
                await asyncio.wait_for(self.ready.wait(), READY_WAIT_S)
        if self.closing or not self.ready.is_set():
            return web.Response(status=503, text="Service Unavailable: the bot is stopping or starting")
        try:
            new = await self.inbox.store([update])  # durable once it returns; empty for an update_id seen before
        except Exception:  # the database is failing: Telegram sends it again
            log.exception("webhook: update %s not stored (500)", update.update_id)
            return web.Response(status=500, text="Internal Server Error")
        for fresh in new:
            if self.caught is not None and (key := chat_key(fresh)):
                self.caught.add(key)
            self.inbox.dispatch(fresh)
        return web.json_response({})

    async def close(self) -> None:
        """On the server's shutdown: refuse what still comes (the bot session is closed by run_webhook)."""
        self.closing = True


async def run_webhook(app: AppContext, dp: Dispatcher, bot: Bot, inbox: Inbox, resume: Resume,
                      settings: WebhookSettings, handle_signals: bool = True) -> None:
    """Serve the webhook until SIGTERM/SIGINT (or cancellation). At start, after the startup hooks: the
    updates stored but not handled before the last stop are handled, then requests are taken and
    setWebhook is called; once Telegram has delivered what it held (getWebhookInfo's pending count, at
    most CATCH_UP_S) and it is handled, waiting dialogs are asked again, except in the chats just
    answered (as polling does: a chair's answer sent while the bot was down is not preceded by the
    question again). At the stop: requests refused, handlers under way given STOP_GRACE_S, the shutdown
    hooks run, the session closed."""
    stop = stop_on_signals(handle_signals)
    handler = InboxRequestHandler(dp, bot, inbox, settings.secret)

    def install(web_app: web.Application) -> None:
        handler.register(web_app, path=settings.path)

    own = None if settings.shared else OwnServer(install)
    if settings.shared:
        share_routes(app.extra, install)
    workflow = {"dispatcher": dp, "bots": (bot,), **dp.workflow_data}
    pruner: asyncio.Task[Any] | None = None
    try:
        await dp.emit_startup(bot=bot, **workflow)  # the Mini App's server starts, with the route if shared
        if own is not None:
            await own.start(settings.host, settings.port, "[webhook] port (BASTAU_WEBHOOK__PORT)")
        answered = await inbox.replay()
        handler.ready.set()
        await _set_webhook(bot, dp, settings)
        await _catch_up(bot)
        await inbox.idle()
        answered |= handler.caught or set()
        handler.caught = None
        await resume(answered)
        log.info("webhook at %s (listening on %s:%s%s)", settings.url, settings.host, settings.port, settings.path)
        pruner = asyncio.create_task(inbox.prune_every(), name="inbox prune")
        await stop.wait()
        log.info("stopping")
    finally:
        handler.closing = True
        if pruner is not None:
            pruner.cancel()
            with suppress(asyncio.CancelledError):
                await pruner
        if own is not None:
            await own.stop()
        await shut_down(dp, bot, inbox, workflow, handle_signals)


async def _catch_up(bot: Bot) -> None:
    """Until Telegram has no update of before the start left to deliver (or CATCH_UP_S has passed)."""
    deadline = asyncio.get_running_loop().time() + CATCH_UP_S
    while asyncio.get_running_loop().time() < deadline:
        try:
            if (await bot.get_webhook_info()).pending_update_count == 0:
                return
        except TelegramAPIError as exc:
            log.warning("getWebhookInfo failed (%s); waiting dialogs are asked without it", exc.message)
            return
        await asyncio.sleep(CATCH_UP_POLL_S)
    log.warning("updates held by Telegram still pending after %.0f s; waiting dialogs are asked now", CATCH_UP_S)


async def _set_webhook(bot: Bot, dp: Dispatcher, settings: WebhookSettings) -> None:
    allowed = list(settings.allowed_updates) or dp.resolve_used_update_types()
    try:
        await bot.set_webhook(settings.url, secret_token=settings.secret, allowed_updates=allowed,
                              max_connections=settings.max_connections)
    except TelegramAPIError as exc:
        raise StartupError(f"setWebhook refused webhook.url {settings.url}: {exc.message}") from None
