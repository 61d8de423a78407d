"""A local Telegram Bot API server (aiohttp, 127.0.0.1 only) with a user-side API.

Used by end-to-end tests (the real bot polls it), the web sandbox and broadcast benchmarks:

    async with LocalBotAPI() as server:       # port 0: a free port; server.base_url
        bot = Bot("42:TEST", session=AiohttpSession(api=TelegramAPIServer.from_base(server.base_url)))
        sent = server.send_text(User(1), "/start")
        reply = await server.wait_for_bot_message(1, after=sent.message_id)

Separate process: `python -m bot.sandbox.apiserver --port 8081 [--global-rate 30 --per-chat-interval 1]`,
driven over HTTP through /_control/... (see apicontrol.py).
"""
from __future__ import annotations

import argparse
import asyncio
import inspect
import logging
import signal
import time
from collections.abc import Callable
from dataclasses import asdict

from aiohttp import web

from .apicontrol import add_control_routes
from .apimethods import BotMethods
from .apimodels import (
    ApiError,
    Call,
    ChatEvent,
    ChatMessage,
    Fault,
    Json,
    User,
    bad,
    decode_param,
)
from .apiusers import UserSide

__all__ = ["ChatEvent", "ChatMessage", "Fault", "LocalBotAPI", "User", "main"]
log = logging.getLogger(__name__)


class LocalBotAPI(BotMethods, UserSide):
    """The server and its state. Every token is accepted; the bot is `bot_user`.

    Bot side: the HTTP routes (see apimethods.py). User side (apiusers.py): send_text, press, send_contact,
    send_photo, send_document, send_sticker, send_voice, edit_text; readers messages / bot_messages /
    last_bot_message / chats[id]; waiters wait_for_bot_message, wait_for_callback_answer, wait_for.
    Changes: subscribe(chat_id) -> asyncio.Queue[ChatEvent], or `listeners` (sync or async callbacks).
    Webhook: after setWebhook, updates are POSTed to its url instead of served by getUpdates (409 then),
    retried until 200, one in flight per chat (apiwebhook.py; `webhook`, `webhook_retry_s`).
    Limits: configure(global_rate, per_chat_interval), timed by `clock` (replaceable). Faults: `faults`,
    a callable (canonical method name, decoded params) -> None | Fault. Log: log, calls(), call_counts,
    too_many_requests, stats().
    """

    def __init__(self, port: int = 0, *, bot_id: int = 100000, bot_username: str = "bastau_bot",
                 bot_first_name: str = "Bastau", global_rate: float | None = None,
                 per_chat_interval: float | None = None, clock: Callable[[], float] = time.monotonic,
                 faults: Callable[[str, Json], Fault | None] | None = None, auto_create_chats: bool = True,
                 log_limit: int = 100_000) -> None:
        super().__init__(bot_id=bot_id, bot_username=bot_username, bot_first_name=bot_first_name,
                         global_rate=global_rate, per_chat_interval=per_chat_interval, clock=clock, faults=faults,
                         auto_create_chats=auto_create_chats, log_limit=log_limit)
        self.requested_port, self.port, self.base_url = port, port, ""
        self._runner: web.AppRunner | None = None
        self._methods = {name.lower(): (name, fn) for name, fn in self._method_table().items()}

    def configure(self, global_rate: float | None = None, per_chat_interval: float | None = None) -> None:
        """Switch the rate limits (None or 0: off); the limiter's state starts afresh."""
        self.limiter.configure(global_rate, per_chat_interval)

    def stats(self) -> Json:
        return {"calls": dict(self.call_counts), "total_calls": sum(self.call_counts.values()),
                "statuses": {str(k): v for k, v in self.status_counts.items()},
                "too_many_requests": self.too_many_requests, "delivered": self.delivered,
                "pending_updates": len(self.updates),
                "webhook": self.webhook.info() | asdict(self.webhook.stats) if self.webhook else None,
                "global_rate": self.limiter.global_rate,
                "per_chat_interval": self.limiter.per_chat_interval}

    def calls(self, method: str | None = None) -> list[Call]:
        return [c for c in self.log if method is None or c.method.lower() == method.lower()]

    # -- lifecycle --------------------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 ** 2)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        add_control_routes(app, self)
        self._closing = False
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.requested_port).start()
        self.port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        """Wake pending getUpdates and waiters, then close the server."""
        if self._runner is None:
            return
        self._closing = True
        self._new_update.notify()
        self._changed.notify()
        runner, self._runner = self._runner, None
        if self.webhook is not None:
            await self.webhook.stop()
        await runner.cleanup()
        for task in list(self._tasks):
            task.cancel()

    async def __aenter__(self) -> LocalBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- HTTP -------------------------------------------------------------------------------------------------

    async def _handle_method(self, request: web.Request) -> web.Response:
        params: Json = dict(request.query)
        files: dict[str, tuple[bytes, str | None, str | None]] = {}
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                payload = await request.json()
                params.update(payload if isinstance(payload, dict) else {})
            else:
                for key, value in (await request.post()).items():
                    if isinstance(value, web.FileField):
                        files[key] = (value.file.read(), value.filename, value.content_type)
                    else:
                        params[key] = value
        params = {k: decode_param(k, v) for k, v in params.items()}
        name, handler = self._methods.get(request.match_info["method"].lower(), (request.match_info["method"], None))
        started = self.clock()
        try:
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            fault = self.faults(name, params) if self.faults else None
            if fault and fault.delay:
                await asyncio.sleep(fault.delay)
            if fault and fault.error_code:
                raise ApiError(fault.error_code, fault.description, fault.retry_after)
            result = handler(params, files)
            body: Json = {"ok": True, "result": await result if inspect.isawaitable(result) else result}
            status = 200
        except ApiError as e:
            status, body = e.code, e.to_json()
        except (ValueError, TypeError, KeyError, AttributeError) as e:
            status, body = 400, bad(f"invalid parameters ({type(e).__name__}: {e})").to_json()
        except Exception as e:  # a bug here must still answer in Telegram's shape
            log.exception("local Bot API: %s failed", name)
            status, body = 500, ApiError(500, f"Internal Server Error: {e!r}").to_json()
        logged = params | ({"_files": {k: [f[1], len(f[0])] for k, f in files.items()}} if files else {})
        self.log.append(Call(name, logged, started, status, body.get("description")))
        self.call_counts[name] += 1
        self.status_counts[status] += 1
        self.too_many_requests += status == 429
        return web.json_response(body, status=status)

    async def _handle_file(self, request: web.Request) -> web.Response:
        f = self._files_by_path.get(request.match_info["path"])
        if f is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=f.data, content_type=f.mime_type)


# -- a separate process ---------------------------------------------------------------------------------------


async def _serve(args: argparse.Namespace) -> None:
    server = LocalBotAPI(args.port, bot_id=args.bot_id, bot_username=args.bot_username,
                         global_rate=args.global_rate, per_chat_interval=args.per_chat_interval)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        print(server.base_url, flush=True)
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.sandbox.apiserver",
                                     description="A local Telegram Bot API server on 127.0.0.1 (prints its URL).")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--global-rate", type=float, default=None, help="messages per second over all chats")
    parser.add_argument("--per-chat-interval", type=float, default=None, help="seconds between messages to a chat")
    parser.add_argument("--bot-id", type=int, default=100000)
    parser.add_argument("--bot-username", default="bastau_bot")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
