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
import itertools
import logging
import mimetypes
import secrets
import signal
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .apicontrol import add_control_routes
from .apimethods import BotMethods
from .apimodels import (
    ApiError,
    Call,
    ChatEvent,
    ChatMessage,
    ChatState,
    Fault,
    Json,
    RateLimiter,
    Signal,
    StoredFile,
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
    Limits: configure(global_rate, per_chat_interval), timed by `clock` (replaceable). Faults: `faults`,
    a callable (canonical method name, decoded params) -> None | Fault. Log: log, calls(), call_counts,
    too_many_requests, stats().
    """

    def __init__(self, port: int = 0, *, bot_id: int = 100000, bot_username: str = "bastau_bot",
                 bot_first_name: str = "Bastau", global_rate: float | None = None,
                 per_chat_interval: float | None = None, clock: Callable[[], float] = time.monotonic,
                 faults: Callable[[str, Json], Fault | None] | None = None, auto_create_chats: bool = True,
                 log_limit: int = 100_000) -> None:
        self.requested_port, self.port, self.base_url = port, port, ""
        self.bot_user: Json = {"id": bot_id, "is_bot": True, "first_name": bot_first_name, "username": bot_username}
        self.clock = clock
        self.limiter = RateLimiter(lambda: self.clock(), global_rate, per_chat_interval)
        self.faults = faults  # (method, params) -> None | Fault, called for every known method
        self.auto_create_chats = auto_create_chats  # else sending to an unknown chat is "chat not found"
        self.log: deque[Call] = deque(maxlen=log_limit)
        self.listeners: list[Callable[[ChatEvent], Any]] = []  # sync or async callbacks, told every change
        self._queues: dict[asyncio.Queue[ChatEvent], int | None] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._new_update, self._changed = Signal(), Signal()
        self._runner: web.AppRunner | None = None
        self._closing = False
        self._methods = {name.lower(): (name, fn) for name, fn in self._method_table().items()}
        # Never restarted, not even by reset(): a polling bot keeps its offset across a reset.
        self._update_ids, self._ids = itertools.count(1), itertools.count(1)
        self.reset()

    def reset(self) -> None:
        """Forget all chats, updates, files, commands and statistics."""
        self.chats: dict[int, ChatState] = {}
        self.files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self.commands: dict[tuple[str, str], list[Json]] = {}
        self.callback_queries: dict[str, Json] = {}
        self.default_menu_button: Json = {"type": "commands"}
        self.webhook_url = ""
        self.updates: list[Json] = []  # pending (unconfirmed) updates
        self._allowed_updates: list[str] | None = None
        self.reset_stats()

    def reset_stats(self) -> None:
        self.log.clear()
        self.call_counts: Counter[str] = Counter()
        self.status_counts: Counter[int] = Counter()
        self.too_many_requests = 0  # 429 answers sent (rate limiter and faults)
        self.delivered = 0  # bot messages delivered

    def configure(self, global_rate: float | None = None, per_chat_interval: float | None = None) -> None:
        """Switch the rate limits (None or 0: off); the limiter's state starts afresh."""
        self.limiter.configure(global_rate, per_chat_interval)

    def stats(self) -> Json:
        return {"calls": dict(self.call_counts), "total_calls": sum(self.call_counts.values()),
                "statuses": {str(k): v for k, v in self.status_counts.items()},
                "too_many_requests": self.too_many_requests, "delivered": self.delivered,
                "pending_updates": len(self.updates), "global_rate": self.limiter.global_rate,
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
                body = await request.json()
                params.update(body if isinstance(body, dict) else {})
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

    # -- state helpers ----------------------------------------------------------------------------------------

    def _new_chat(self, chat_id: int, user: User | None = None) -> ChatState:
        if chat_id > 0:
            u = user or User(chat_id, first_name=f"User {chat_id}", language_code=None)
            chat = {"id": chat_id, "type": "private", "first_name": u.first_name}
            chat |= {k: getattr(u, k) for k in ("last_name", "username") if getattr(u, k)}
        else:
            chat = {"id": chat_id, "type": "group", "title": f"Group {chat_id}"}
        self.chats[chat_id] = state = ChatState(chat_id, chat, user)
        return state

    def _user_chat(self, user: User) -> ChatState:
        state = self.chats.get(user.id) or self._new_chat(user.id, user)
        if state.user != user:
            state.user = user
            state.chat = {"id": user.id, "type": "private", "first_name": user.first_name} | {
                k: getattr(user, k) for k in ("last_name", "username") if getattr(user, k)}
        return state

    def _param_chat(self, p: Json, key: str = "chat_id") -> ChatState:
        if p.get(key) in (None, ""):
            raise bad(f"{key} is empty")
        try:
            chat_id = int(p[key])
        except (TypeError, ValueError):
            raise bad("chat not found") from None
        if chat_id in self.chats:
            return self.chats[chat_id]
        if not self.auto_create_chats:
            raise bad("chat not found")
        return self._new_chat(chat_id)

    def _find(self, chat: ChatState, p: Json, missing: str) -> ChatMessage:
        if p.get("message_id") in (None, ""):
            raise bad("message identifier is not specified")
        msg = chat.by_id.get(int(p["message_id"]))
        if msg is None or msg.deleted:
            raise bad(missing)
        return msg

    def _emit(self, event: ChatEvent) -> None:
        for queue, chat_id in self._queues.items():
            if chat_id is None or chat_id == event.chat_id:
                queue.put_nowait(event)
        for callback in list(self.listeners):
            try:
                result = callback(event)
                if inspect.isawaitable(result):
                    task = asyncio.ensure_future(result)
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
            except Exception:  # a broken listener must not break the bot's request
                log.exception("sandbox listener failed")
        self._changed.notify()

    def subscribe(self, chat_id: int | None = None) -> asyncio.Queue[ChatEvent]:
        """A queue told about every change (of one chat, or of all chats with None)."""
        queue: asyncio.Queue[ChatEvent] = asyncio.Queue()
        self._queues[queue] = chat_id
        return queue

    def unsubscribe(self, queue: asyncio.Queue[ChatEvent]) -> None:
        self._queues.pop(queue, None)

    def store_file(self, data: bytes, filename: str | None = None, kind: str = "document",
                   mime_type: str | None = None) -> StoredFile:
        n = next(self._ids)
        mime = (mime_type or mimetypes.guess_type(filename or "")[0]
                or {"photo": "image/jpeg", "voice": "audio/ogg", "sticker": "image/webp"}.get(kind)
                or "application/octet-stream")
        ext = ("." + filename.rsplit(".", 1)[1]) if filename and "." in filename else (
            mimetypes.guess_extension(mime) or "")
        folder = {"photo": "photos", "sticker": "stickers"}.get(kind, kind + "s")
        f = StoredFile(f"{kind[:3].upper()}{n:05d}{secrets.token_hex(8)}", f"U{n:05d}{secrets.token_hex(4)}",
                       bytes(data), filename, mime, kind, f"{folder}/file_{n}{ext}")
        self.files[f.file_id] = self._files_by_path[f.file_path] = f
        return f


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
