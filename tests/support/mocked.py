"""A Bot API session that records every call and answers without a network
(the pattern of aiogram's tests/mocked_bot.py, with automatic answers)."""
from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import AsyncGenerator
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import (
    CopyMessage,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    GetFile,
    GetMe,
    SendDocument,
    SendMessage,
    SendPhoto,
    SendVideo,
    TelegramMethod,
)
from aiogram.types import InlineKeyboardMarkup

BOT_ID = 100000
SENDS = (SendMessage, SendPhoto, SendDocument, SendVideo)
EDITS = (EditMessageText, EditMessageReplyMarkup, EditMessageCaption)


class MockedSession(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[TelegramMethod] = []
        # Queued answers per method name (FIFO): a dict {"ok": false, ...} makes the call fail.
        self.queued: dict[str, deque[dict[str, Any]]] = defaultdict(deque)
        # What each chat currently shows: message_id -> Message dict (edits applied).
        self.chats: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
        self.files: dict[str, bytes] = {}
        self._next_id = 1000
        self.now = 1_790_000_000

    def queue(self, method: str, answer: dict[str, Any]) -> None:
        self.queued[method].append(answer)

    async def close(self) -> None:
        pass

    async def make_request(self, bot: Bot, method: TelegramMethod, timeout: int | None = None) -> Any:
        self.requests.append(method)
        name = type(method).__name__
        if self.queued[name]:
            answer = self.queued[name].popleft()
        else:
            answer = {"ok": True, "result": self._auto_result(method)}
        return self.check_response(bot, method, 200 if answer.get("ok") else answer.get("error_code", 400),
                                   json.dumps(answer)).result

    async def stream_content(self, url: str, headers: dict[str, Any] | None = None, timeout: int = 30,
                             chunk_size: int = 65536, raise_for_status: bool = True) -> AsyncGenerator[bytes, None]:
        yield self.files[url.rsplit("/", 1)[-1]]

    def _message(self, chat_id: int, **fields: Any) -> dict[str, Any]:
        self._next_id += 1
        message = {"message_id": self._next_id, "date": self.now, "chat": {"id": chat_id, "type": "private"},
                   "from": {"id": BOT_ID, "is_bot": True, "first_name": "Bastau", "username": "bastau_bot"}}
        message.update({k: v for k, v in fields.items() if v is not None})
        self.chats[chat_id][self._next_id] = message
        return message

    def _auto_result(self, method: TelegramMethod) -> Any:
        markup = getattr(method, "reply_markup", None)
        markup_json = markup.model_dump(exclude_none=True) if isinstance(markup, InlineKeyboardMarkup) else None
        if isinstance(method, SendMessage):
            return self._message(method.chat_id, text=method.text, reply_markup=markup_json)
        if isinstance(method, SendPhoto):
            return self._message(method.chat_id, caption=method.caption, reply_markup=markup_json,
                                 photo=[{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}])
        if isinstance(method, (SendDocument, SendVideo)):
            filename = getattr(getattr(method, "document", None), "filename", None) or "file"
            data = getattr(getattr(method, "document", None), "data", b"")
            self.files[f"doc{self._next_id + 1}"] = data
            return self._message(method.chat_id, caption=method.caption, reply_markup=markup_json,
                                 document={"file_id": f"doc{self._next_id + 1}", "file_unique_id": "d",
                                           "file_name": filename})
        if isinstance(method, EDITS):
            current = self.chats[method.chat_id].get(method.message_id) if method.chat_id else None
            if current is None:
                return True
            if isinstance(method, EditMessageText):
                current["text"] = method.text
            if isinstance(method, EditMessageCaption):
                current["caption"] = method.caption
            if markup_json is not None:
                current["reply_markup"] = markup_json
            else:
                current.pop("reply_markup", None)
            return current
        if isinstance(method, CopyMessage):
            self._next_id += 1
            return {"message_id": self._next_id}
        if isinstance(method, GetMe):
            return {"id": BOT_ID, "is_bot": True, "first_name": "Bastau", "username": "bastau_bot"}
        if isinstance(method, GetFile):
            return {"file_id": method.file_id, "file_unique_id": method.file_id, "file_path": method.file_id}
        return True


def sent_text(method: TelegramMethod) -> str | None:
    """The text a call shows the user, if any."""
    for attr in ("text", "caption"):
        value = getattr(method, attr, None)
        if isinstance(value, str):
            return value
    return None

