"""The user side of the local server: simulated users' actions become updates; readers and waiters of chats.

Over the server's state (apistate.py), a side of LocalBotAPI (apiserver.py). The actions are plain
(synchronous) methods, callable from tests, the web sandbox and the control API alike; they return what
they created.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, TypeVar

from .apihtml import utf16_len
from .apimodels import ChatEvent, ChatMessage, Json, User, media_json
from .apistate import ServerState

T = TypeVar("T")
UserLike = User | int | Json


class UserSide(ServerState):
    def user(self, value: UserLike) -> User:
        """A User; a bare id means the user already known in that chat (or a new "Test" user)."""
        if isinstance(value, int) and not isinstance(value, bool):
            chat = self.chats.get(value)
            if chat is not None and chat.user is not None:
                return chat.user
        return User.coerce(value)

    def _push_update(self, kind: str, obj: Json) -> Json:
        update = {"update_id": next(self._update_ids), kind: obj}
        self.updates.append(update)
        self._new_update.notify()
        return update

    def user_message(self, user: UserLike, content: Json) -> ChatMessage:
        """Any message from a user to the bot: `content` holds the Message fields (text, photo, contact...)."""
        user = self.user(user)
        chat = self._user_chat(user)
        chat.last_message_id += 1
        data = {"message_id": chat.last_message_id, "from": user.to_json(), "chat": chat.chat,
                "date": int(time.time())} | content
        msg = chat.add(ChatMessage(chat.id, chat.last_message_id, False, data,
                                   raw_text=content.get("text", content.get("caption"))))
        self._emit(ChatEvent("message", chat.id, msg))
        self._push_update("message", data)
        return msg

    @staticmethod
    def _text_fields(text: str) -> Json:
        """A command gets its bot_command entity, as Telegram clients send it."""
        content: Json = {"text": text}
        if text.startswith("/") and len(text) > 1:
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(text.split()[0])}]
        return content

    def send_text(self, user: UserLike, text: str) -> ChatMessage:
        return self.user_message(user, self._text_fields(text))

    def _media(self, user: UserLike, kind: str, data: bytes, filename: str | None,
               caption: str | None = None) -> ChatMessage:
        f = self.store_file(data, filename, kind)
        return self.user_message(user, {kind: media_json(f, kind)} | ({"caption": caption} if caption else {}))

    def send_photo(self, user: UserLike, data: bytes, caption: str | None = None) -> ChatMessage:
        return self._media(user, "photo", data, "photo.jpg", caption)

    def send_document(self, user: UserLike, data: bytes, filename: str, caption: str | None = None) -> ChatMessage:
        return self._media(user, "document", data, filename, caption)

    def send_sticker(self, user: UserLike) -> ChatMessage:
        return self._media(user, "sticker", b"RIFF\x00\x00\x00\x00WEBPVP8 sandbox-sticker", "sticker.webp")

    def send_voice(self, user: UserLike) -> ChatMessage:
        return self._media(user, "voice", b"OggS\x00sandbox-voice", "voice.ogg")

    def send_contact(self, user: UserLike, phone: str, contact_user_id: int | None = None) -> ChatMessage:
        """The user's own contact by default (what a request_contact button sends); 0: a contact without user_id."""
        user = self.user(user)
        contact: Json = {"phone_number": phone, "first_name": user.first_name}
        if user.last_name:
            contact["last_name"] = user.last_name
        if contact_user_id != 0:
            contact["user_id"] = user.id if contact_user_id is None else contact_user_id
        return self.user_message(user, {"contact": contact})

    def edit_text(self, user: UserLike, message_id: int, new_text: str) -> ChatMessage:
        """The user edits their text message: an edited_message update."""
        user = self.user(user)
        chat = self.chats.get(user.id)
        msg = chat.by_id.get(message_id) if chat else None
        if chat is None or msg is None or msg.from_bot or msg.deleted or "text" not in msg.data:
            raise LookupError(f"no text message {message_id} of user {user.id}")
        base = {k: v for k, v in msg.data.items() if k not in ("text", "entities")}
        msg.data = base | self._text_fields(new_text) | {"edit_date": int(time.time())}
        msg.raw_text = new_text
        msg.edits += 1
        self._emit(ChatEvent("edit", chat.id, msg))
        self._push_update("edited_message", msg.data)
        return msg

    def press(self, user: UserLike, message_id: int, callback_data: str, *, strict: bool = True) -> str:
        """The user presses an inline button of a bot message; returns the callback query id.

        The update's `message` is the bot message as it is now. With strict (default) the message must
        currently show a button with this callback_data, as in a real client.
        """
        user = self.user(user)
        chat = self._user_chat(user)
        msg = chat.by_id.get(message_id)
        if msg is None or not msg.from_bot or (strict and msg.deleted):
            raise LookupError(f"no bot message {message_id} in chat {user.id}")
        if strict and callback_data not in [b.get("callback_data") for b in msg.buttons()]:
            raise LookupError(f"message {message_id} has no button with callback_data {callback_data!r}; "
                              f"buttons: {[(b.get('text'), b.get('callback_data')) for b in msg.buttons()]}")
        query_id = str(10 ** 15 + next(self._ids))
        self.callback_queries[query_id] = {"chat_id": chat.id, "message_id": message_id, "data": callback_data,
                                           "user_id": user.id, "answer": None}
        self._push_update("callback_query", {"id": query_id, "from": user.to_json(), "message": msg.data,
                                             "chat_instance": str(chat.id * 31 % 10 ** 9),
                                             "data": callback_data})
        return query_id

    # -- readers ----------------------------------------------------------------------------------------------

    def messages(self, chat_id: int) -> list[ChatMessage]:
        """Every message of the chat in order, the user's and the bot's; deleted ones are kept, marked."""
        chat = self.chats.get(chat_id)
        return list(chat.messages) if chat else []

    def bot_messages(self, chat_id: int, include_deleted: bool = False) -> list[ChatMessage]:
        return [m for m in self.messages(chat_id) if m.from_bot and (include_deleted or not m.deleted)]

    def last_bot_message(self, chat_id: int) -> ChatMessage | None:
        found = self.bot_messages(chat_id)
        return found[-1] if found else None

    def mark(self, chat_id: int) -> int:
        """The chat's latest message id: pass it as `after=` to wait for what comes next."""
        chat = self.chats.get(chat_id)
        return chat.last_message_id if chat else 0

    # -- waiters ----------------------------------------------------------------------------------------------

    async def wait_for(self, probe: Callable[[], T | None], timeout: float = 10.0) -> T:
        """Re-run `probe` on every change until it returns something truthy; TimeoutError otherwise."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = probe()
            if result:
                return result
            if self._closing or loop.time() >= deadline:
                raise TimeoutError(f"nothing matched within {timeout} s")
            await self._changed.wait(deadline - loop.time())

    async def wait_for_bot_message(self, chat_id: int, predicate: Callable[[ChatMessage], Any] | None = None,
                                   timeout: float = 10.0, after: int = 0) -> ChatMessage:
        """The first bot message with message_id > after (deleted ones included) that matches predicate.

        Edits count: a message edited to match is found as it is now.
        """
        def probe() -> ChatMessage | None:
            for m in self.bot_messages(chat_id, include_deleted=True):
                if m.message_id > after and (predicate is None or predicate(m)):
                    return m
            return None

        try:
            return await self.wait_for(probe, timeout)
        except TimeoutError:
            seen = [(m.message_id, m.text) for m in self.bot_messages(chat_id, include_deleted=True)]
            raise TimeoutError(f"no matching bot message in chat {chat_id} after #{after} within {timeout} s; "
                               f"bot messages: {seen}") from None

    async def wait_for_callback_answer(self, query_id: str, timeout: float = 10.0) -> Json:
        """The bot's answerCallbackQuery to a press(): {text, show_alert, url, ...}."""
        return await self.wait_for(lambda: self.callback_queries[query_id]["answer"], timeout)

    async def wait_for_updates_consumed(self, timeout: float = 10.0) -> None:
        """Until the bot has confirmed (offset past) every pending update."""
        await self.wait_for(lambda: not self.updates, timeout)
