"""Data types and pure helpers of the local Bot API server (see apiserver.py)."""
from __future__ import annotations

import asyncio
import json
import math
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

Json = dict[str, Any]


class ApiError(Exception):
    """An error answer: becomes {"ok": false, "error_code", "description", "parameters"}."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after

    def to_json(self) -> Json:
        body: Json = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad(message: str) -> ApiError:
    return ApiError(400, f"Bad Request: {message}")


@dataclass
class User:
    """A simulated Telegram user; their private chat has the same id."""

    id: int
    first_name: str = "Test"
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    def to_json(self) -> Json:
        data: Json = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data

    @classmethod
    def coerce(cls, value: User | int | Json) -> User:
        if isinstance(value, User):
            return value
        if isinstance(value, dict):
            return cls(**{k: v for k, v in value.items() if k in cls.__dataclass_fields__})
        return cls(id=int(value))


@dataclass
class Fault:
    """What `server.faults(method, params)` returns to break a call.

    With `delay` only, the call is answered normally after the delay (a slow server);
    with `error_code`, the error is answered (after the delay, if any) and nothing is delivered.
    """

    error_code: int | None = None
    description: str = ""
    retry_after: int | None = None
    delay: float = 0.0

    @classmethod
    def blocked(cls) -> Fault:
        return cls(403, "Forbidden: bot was blocked by the user")

    @classmethod
    def too_many(cls, retry_after: int = 1) -> Fault:
        return cls(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    @classmethod
    def server_error(cls) -> Fault:
        return cls(500, "Internal Server Error")


@dataclass
class FaultRule:
    """A declarative fault: matches a method and/or chat, with a probability (0..1)."""

    error_code: int | None = None
    description: str = ""
    retry_after: int | None = None
    delay: float = 0.0
    method: str | None = None
    chat_id: int | None = None
    probability: float = 1.0


class FaultRules:
    """A ready-made `faults` callable from rules (the first matching rule wins); seeded, so repeatable."""

    def __init__(self, rules: list[FaultRule | Json], seed: int = 0) -> None:
        self.rules = [r if isinstance(r, FaultRule) else FaultRule(**r) for r in rules]
        self._random = random.Random(seed)

    def __call__(self, method: str, params: Json) -> Fault | None:
        for r in self.rules:
            if r.method is not None and r.method.lower() != method.lower():
                continue
            if r.chat_id is not None and str(params.get("chat_id")) != str(r.chat_id):
                continue
            if r.probability < 1.0 and self._random.random() >= r.probability:
                continue
            return Fault(r.error_code, r.description, r.retry_after, r.delay)
        return None


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    file_name: str | None
    mime_type: str
    kind: str
    file_path: str


@dataclass
class ChatMessage:
    """One message of a chat, the user's or the bot's, as it is now (edits applied in place)."""

    chat_id: int
    message_id: int
    from_bot: bool
    data: Json  # the Telegram Message JSON
    raw_text: str | None = None  # text/caption exactly as sent, before parse_mode
    parse_mode: str | None = None
    reply_markup: Json | None = None  # any markup sent with it: inline, reply keyboard, remove, force_reply
    deleted: bool = False
    edits: int = 0
    copied_from: tuple[int, int] | None = None  # (chat_id, message_id) for copyMessage/forwardMessage

    @property
    def text(self) -> str | None:
        """The visible text or caption (tags of parse_mode=HTML stripped)."""
        return self.data.get("text", self.data.get("caption"))

    @property
    def kind(self) -> str:
        for key in CONTENT_KINDS:
            if key in self.data:
                return key
        return "text"

    @property
    def inline_keyboard(self) -> list[list[Json]]:
        return (self.data.get("reply_markup") or {}).get("inline_keyboard", [])

    def buttons(self) -> list[Json]:
        return [b for row in self.inline_keyboard for b in row]

    def button(self, text: str) -> Json:
        for b in self.buttons():
            if b.get("text") == text:
                return b
        raise LookupError(f"no button {text!r} in message {self.message_id}: {[b.get('text') for b in self.buttons()]}")

    def to_json(self) -> Json:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items()} | {
            "text": self.text, "kind": self.kind}


CONTENT_KINDS = ("text", "photo", "document", "video", "audio", "voice", "animation", "sticker",
                 "video_note", "contact", "location")


@dataclass
class ChatState:
    id: int
    chat: Json  # the Telegram Chat JSON
    user: User | None = None
    messages: list[ChatMessage] = field(default_factory=list)
    by_id: dict[int, ChatMessage] = field(default_factory=dict)
    last_message_id: int = 0
    reply_keyboard: Json | None = None  # the current ReplyKeyboardMarkup (None after ReplyKeyboardRemove)
    force_reply: Json | None = None
    callback_answers: list[Json] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    menu_button: Json | None = None

    def add(self, msg: ChatMessage) -> ChatMessage:
        self.messages.append(msg)
        self.by_id[msg.message_id] = msg
        return msg

    def to_json(self) -> Json:
        return {"id": self.id, "chat": self.chat, "reply_keyboard": self.reply_keyboard,
                "force_reply": self.force_reply, "callback_answers": self.callback_answers,
                "actions": self.actions, "menu_button": self.menu_button,
                "messages": [m.to_json() for m in self.messages]}


@dataclass
class ChatEvent:
    """Told to subscribers on every change: kind is message | edit | delete | callback_answer | action | keyboard."""

    kind: str
    chat_id: int
    message: ChatMessage | None = None
    data: Json = field(default_factory=dict)

    def to_json(self) -> Json:
        return {"kind": self.kind, "chat_id": self.chat_id, "data": self.data,
                "message": self.message.to_json() if self.message else None}


@dataclass
class Call:
    """One logged method call."""

    method: str
    params: Json
    time: float
    status: int
    description: str | None = None


class Signal:
    """Wakes every current waiter; notify() is synchronous so plain code can call it."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        for fut in self._waiters:
            if not fut.done():
                fut.set_result(None)
        self._waiters.clear()

    async def wait(self, timeout: float) -> None:
        fut = asyncio.get_running_loop().create_future()
        self._waiters.add(fut)
        try:
            await asyncio.wait_for(fut, max(timeout, 0))
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(fut)


class RateLimiter:
    """global_rate: token bucket (burst = one second's worth); per_chat_interval: min seconds per chat."""

    def __init__(self, clock: Callable[[], float], global_rate: float | None = None,
                 per_chat_interval: float | None = None) -> None:
        self.clock = clock
        self.configure(global_rate, per_chat_interval)

    def configure(self, global_rate: float | None, per_chat_interval: float | None) -> None:
        self.global_rate = global_rate or None
        self.per_chat_interval = per_chat_interval or None
        self._tokens = max(1.0, global_rate or 0.0)
        self._stamp = self.clock()
        self._last: dict[int, float] = {}

    def check(self, chat_id: int) -> int | None:
        """None and the send is counted, or the retry_after (whole seconds >= 1) to answer."""
        now = self.clock()
        waits: list[float] = []
        if self.per_chat_interval and chat_id in self._last:
            waits.append(self._last[chat_id] + self.per_chat_interval - now)
        if self.global_rate:
            cap = max(1.0, self.global_rate)
            self._tokens = min(cap, self._tokens + (now - self._stamp) * self.global_rate)
            self._stamp = now
            if self._tokens < 1.0:
                waits.append((1.0 - self._tokens) / self.global_rate)
        wait = max(waits, default=0.0)
        if wait > 1e-9:
            return max(1, math.ceil(wait - 1e-9))
        if self.global_rate:
            self._tokens -= 1.0
        if self.per_chat_interval:
            self._last[chat_id] = now
        return None


def decode_param(key: str, value: Any) -> Any:
    """Form values are strings; numbers, booleans and JSON objects/arrays are decoded, text stays text."""
    if not isinstance(value, str) or key in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


STRING_PARAMS = frozenset({
    "text", "caption", "parse_mode", "callback_query_id", "file_id", "photo", "document", "video", "audio", "voice",
    "animation", "sticker", "video_note", "thumbnail", "url", "action", "inline_message_id",
    "business_connection_id", "language_code", "description", "short_description", "name", "title", "emoji",
    "phone_number", "first_name", "last_name", "vcard", "address", "query", "secret_token", "question",
    "explanation",
})

SEND_KINDS = {"sendPhoto": "photo", "sendDocument": "document", "sendVideo": "video", "sendAudio": "audio",
              "sendVoice": "voice", "sendAnimation": "animation", "sendSticker": "sticker",
              "sendVideoNote": "video_note"}
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice", "upload_document",
    "choose_sticker", "find_location", "record_video_note", "upload_video_note",
})


def media_json(f: StoredFile, kind: str) -> Json | list[Json]:
    """The Telegram object (PhotoSize list for photos) describing a stored file sent as `kind`."""
    base: Json = {"file_id": f.file_id, "file_unique_id": f.file_unique_id, "file_size": len(f.data)}
    if kind == "photo":
        width, height = image_size(f.data)
        return [base | {"width": width, "height": height}]
    named = base | ({"file_name": f.file_name} if f.file_name else {}) | {"mime_type": f.mime_type}
    if kind == "document":
        return named
    if kind in ("video", "animation"):
        return named | {"width": 640, "height": 360, "duration": 1}
    if kind == "audio":
        return named | {"duration": 1}
    if kind == "voice":
        return base | {"duration": 1, "mime_type": "audio/ogg"}
    if kind == "video_note":
        return base | {"length": 240, "duration": 1}
    if kind == "sticker":
        return base | {"type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False,
                       "emoji": "\U0001f44d"}
    raise ValueError(kind)


def image_size(data: bytes) -> tuple[int, int]:
    """PNG dimensions from the header; anything else is reported as 800x600."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 800, 600
