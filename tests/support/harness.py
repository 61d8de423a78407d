"""Drives the real Dispatcher with real Update objects, as users would."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import AnswerCallbackQuery, TelegramMethod
from aiogram.types import Update

from bot.app import build_bot, build_dispatcher, build_inbox
from bot.config import Settings
from bot.context import AppContext
from bot.domain.clock import FakeClock
from tests.support.mocked import EDITS, SENDS, MockedSession, sent_text

_update_ids = itertools.count(1)


class Harness:
    def __init__(self, app: AppContext, clock: FakeClock) -> None:
        self.app = app
        self.clock = clock
        self.session = MockedSession()
        self.bot: Bot = build_bot("42:TEST", app.config, session=self.session)
        self.dp: Dispatcher = build_dispatcher(app)
        self.inbox = build_inbox(app, self.dp, self.bot)

    @classmethod
    async def create(cls, config: Settings, clock: FakeClock) -> Harness:
        return cls(await AppContext.create(config, clock=clock), clock)

    async def restart(self) -> Harness:
        """A new process over the same database: new context, dispatcher and session."""
        await self.app.db.close()
        return await Harness.create(self.app.config, self.clock)

    async def close(self) -> None:
        await self.app.db.close()

    async def feed(self, payload: dict[str, Any], update_id: int | None = None) -> list[TelegramMethod]:
        """Feed one update through the inbox, as polling does (an update_id seen before is not handled
        again); return the Bot API calls the bot made while handling it."""
        before = len(self.session.requests)
        update = Update.model_validate({"update_id": update_id or next(_update_ids), **payload},
                                       context={"bot": self.bot})
        for handled in await self.inbox.receive([update]):
            await handled
        return self.session.requests[before:]

    def client(self, user_id: int, language_code: str | None = "kk", first_name: str = "Test") -> ChatClient:
        return ChatClient(self, user_id, language_code, first_name)


@dataclass
class ChatClient:
    harness: Harness
    user_id: int
    language_code: str | None
    first_name: str
    last_calls: list[TelegramMethod] | None = None

    @property
    def tg_user(self) -> dict[str, Any]:
        user = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def _message(self, **fields: Any) -> dict[str, Any]:
        self.harness.session._next_id += 1
        return {"message_id": self.harness.session._next_id, "date": int(self.harness.clock.now().timestamp()),
                "chat": {"id": self.user_id, "type": "private"}, "from": self.tg_user, **fields}

    async def _feed(self, payload: dict[str, Any], update_id: int | None = None) -> list[TelegramMethod]:
        self.last_calls = await self.harness.feed(payload, update_id)
        return self.last_calls

    async def send(self, text: str, update_id: int | None = None) -> list[TelegramMethod]:
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return await self._feed({"message": self._message(**fields)}, update_id)

    async def send_raw(self, **fields: Any) -> list[TelegramMethod]:
        """A message of any other kind: sticker=..., voice=..., photo=[...], document=..."""
        return await self._feed({"message": self._message(**fields)})

    async def send_sticker(self) -> list[TelegramMethod]:
        return await self.send_raw(sticker={"file_id": "stk", "file_unique_id": "stk", "type": "regular",
                                            "width": 512, "height": 512, "is_animated": False,
                                            "is_video": False})

    async def send_voice(self) -> list[TelegramMethod]:
        return await self.send_raw(voice={"file_id": "voc", "file_unique_id": "voc", "duration": 2})

    async def send_photo(self, file_id: str = "photo1", caption: str | None = None) -> list[TelegramMethod]:
        photo = [{"file_id": file_id, "file_unique_id": file_id + "u", "width": 800, "height": 600}]
        return await self.send_raw(photo=photo, **({"caption": caption} if caption else {}))

    async def send_document(self, data: bytes, filename: str, mime: str = "text/csv") -> list[TelegramMethod]:
        file_id = f"upload{len(self.harness.session.files)}"
        self.harness.session.files[file_id] = data
        return await self.send_raw(document={"file_id": file_id, "file_unique_id": file_id,
                                             "file_name": filename, "mime_type": mime, "file_size": len(data)})

    async def share_contact(self, phone: str, owner_id: int | None = None) -> list[TelegramMethod]:
        contact = {"phone_number": phone, "first_name": self.first_name, "user_id": owner_id or self.user_id}
        return await self.send_raw(contact=contact)

    def bot_messages(self) -> list[dict[str, Any]]:
        return list(self.harness.session.chats[self.user_id].values())

    def keyboard_message(self) -> dict[str, Any]:
        """The latest bot message in this chat that carries an inline keyboard."""
        for message in reversed(self.bot_messages()):
            if message.get("reply_markup", {}).get("inline_keyboard"):
                return message
        raise AssertionError("no message with an inline keyboard in this chat")

    def buttons(self) -> list[str]:
        rows = self.keyboard_message()["reply_markup"]["inline_keyboard"]
        return [b["text"] for row in rows for b in row]

    async def press(self, label: str, message: dict[str, Any] | None = None,
                    update_id: int | None = None) -> list[TelegramMethod]:
        """Press the inline button whose text contains `label` on the latest keyboard (or `message`)."""
        message = message or self.keyboard_message()
        rows = message["reply_markup"]["inline_keyboard"]
        matches = [b for row in rows for b in row if label in b["text"]]
        if len(matches) != 1:
            raise AssertionError(f"{len(matches)} buttons match {label!r}: {[b['text'] for r in rows for b in r]}")
        return await self.press_data(matches[0]["callback_data"], message, update_id)

    async def press_data(self, data: str, message: dict[str, Any] | None = None,
                         update_id: int | None = None) -> list[TelegramMethod]:
        """Send a callback with any data, even forged, from `message` (default: latest keyboard)."""
        message = message or self.keyboard_message()
        query = {"id": str(next(_update_ids)), "from": self.tg_user, "chat_instance": "ci",
                 "message": message, "data": data}
        return await self._feed({"callback_query": query}, update_id)

    # Reading what the bot said -------------------------------------------------------
    def texts(self, calls: list[TelegramMethod] | None = None) -> list[str]:
        """Texts shown by the last action: sent and edited messages, and callback answers."""
        calls = self.last_calls if calls is None else calls
        out = []
        for call in calls or []:
            if isinstance(call, SENDS + EDITS) or isinstance(call, AnswerCallbackQuery):
                text = sent_text(call)
                if text:
                    out.append(text)
        return out

    @property
    def reply(self) -> str:
        """Everything the last action showed, joined; asserts that it showed something."""
        texts = self.texts()
        assert texts, f"the bot said nothing; calls: {[type(c).__name__ for c in self.last_calls or []]}"
        return "\n".join(texts)

    def reply_keyboard(self) -> list[str]:
        """Labels of the reply keyboard sent by the last action (empty if none)."""
        for call in reversed(self.last_calls or []):
            markup = getattr(call, "reply_markup", None)
            if markup is not None and hasattr(markup, "keyboard"):
                return [b.text for row in markup.keyboard for b in row]
        return []


def at(text: str, tz: str = "Asia/Almaty") -> datetime:
    """'2026-11-26 10:00' in Almaty time."""
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz))
