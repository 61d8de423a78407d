"""The state of the local Bot API server: chats, pending updates, files, commands, statistics, and the
helpers both of its sides use. LocalBotAPI (apiserver.py) is this state with the Bot API methods
(apimethods.py) and the simulated users (apiusers.py) on top."""
from __future__ import annotations

import asyncio
import inspect
import itertools
import logging
import mimetypes
import secrets
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

from .apimodels import Call, ChatEvent, ChatMessage, ChatState, Fault, Json, RateLimiter, Signal, StoredFile, User, bad
from .apiwebhook import WebhookDelivery

log = logging.getLogger(__name__)


class ServerState:
    def __init__(self, *, bot_id: int, bot_username: str, bot_first_name: str, global_rate: float | None,
                 per_chat_interval: float | None, clock: Callable[[], float],
                 faults: Callable[[str, Json], Fault | None] | None, auto_create_chats: bool,
                 log_limit: int) -> None:
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
        self._closing = False
        # Never restarted, not even by reset(): a polling bot keeps its offset across a reset.
        self._update_ids, self._ids = itertools.count(1), itertools.count(1)
        # The webhook outlives reset() too (as a bot's offset does): set and deleted by the bot only.
        self.webhook: WebhookDelivery | None = None
        self.webhook_retry_s = (0.2, 5.0)  # first and longest wait before a failed delivery is tried again
        self.updates: list[Json] = []  # pending (unconfirmed) updates; one list for good (the webhook reads it)
        self.reset()

    def reset(self) -> None:
        """Forget all chats, updates, files, commands and statistics."""
        self.chats: dict[int, ChatState] = {}
        self.files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self.commands: dict[tuple[str, str], list[Json]] = {}
        self.callback_queries: dict[str, Json] = {}
        self.default_menu_button: Json = {"type": "commands"}
        self.updates.clear()
        self._allowed_updates: list[str] | None = None
        self.reset_stats()

    def reset_stats(self) -> None:
        self.log.clear()
        self.call_counts: Counter[str] = Counter()
        self.status_counts: Counter[int] = Counter()
        self.too_many_requests = 0  # 429 answers sent (rate limiter and faults)
        self.delivered = 0  # bot messages delivered

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
