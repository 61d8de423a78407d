"""The Bot API methods of the local server, over its state (apistate.py); LocalBotAPI (apiserver.py) serves them."""
from __future__ import annotations

import asyncio
import functools
import json
import mimetypes
import re
import time
from collections.abc import Callable
from typing import Any

from .apihtml import parse_html
from .apimodels import (
    CHAT_ACTIONS,
    CONTENT_KINDS,
    SEND_KINDS,
    ApiError,
    ChatEvent,
    ChatMessage,
    ChatState,
    Json,
    StoredFile,
    bad,
    media_json,
)
from .apistate import ServerState
from .apiwebhook import Webhook, WebhookDelivery

TEXT_LIMIT, CAPTION_LIMIT = 4096, 1024
NOT_MODIFIED = ("message is not modified: specified new message content and reply markup are exactly the same "
                "as a current content and reply markup of the message")
COPY_KEYS = frozenset(CONTENT_KINDS) | {"entities", "caption", "caption_entities"}
CAPTIONED = ("photo", "video", "document", "audio", "animation", "voice")
Files = dict[str, tuple[bytes, Any, Any]]  # name -> (data, filename, content type)


class BotMethods(ServerState):
    """Handlers `(params, files) -> result`, raising ApiError; `_method_table()` names them."""

    # -- formatting, markup, delivery -------------------------------------------------------------------------

    def _formatted(self, p: Json, key: str, entities_key: str) -> tuple[str | None, list[Json], str | None, str | None]:
        raw, mode = p.get(key), p.get("parse_mode") or None
        if raw is None:
            return None, [], None, mode
        raw = str(raw)
        if mode and mode.lower() == "html":
            plain, entities = parse_html(raw)
        elif mode and mode.lower() not in ("markdown", "markdownv2"):
            raise bad("unsupported parse_mode")
        else:  # Markdown is stored as sent, not parsed
            plain, entities = raw, list(p.get(entities_key) or [])
        return plain, entities, raw, mode

    def _text_content(self, p: Json) -> tuple[Json, str | None, str | None]:
        plain, entities, raw, mode = self._formatted(p, "text", "entities")
        if plain is None or not plain.strip():
            raise bad("message text is empty")
        if len(plain) > TEXT_LIMIT:
            raise bad("message is too long")
        return {"text": plain} | ({"entities": entities} if entities else {}), raw, mode

    def _caption_content(self, p: Json) -> tuple[Json, str | None, str | None]:
        plain, entities, raw, mode = self._formatted(p, "caption", "caption_entities")
        if plain is None or not plain.strip():
            return {}, None, None
        if len(plain) > CAPTION_LIMIT:
            raise bad("message caption is too long")
        return {"caption": plain} | ({"caption_entities": entities} if entities else {}), raw, mode

    def _markup(self, p: Json, inline_only: bool = False) -> Json | None:
        markup = p.get("reply_markup")
        if markup in (None, ""):
            return None
        if not isinstance(markup, dict):
            raise bad("can't parse reply keyboard markup JSON object")
        if inline_only and "inline_keyboard" not in markup:
            raise bad("inline keyboard expected")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not button.get("text"):
                    raise bad("can't parse inline keyboard button: Text must be non-empty")
                if set(button) <= {"text"}:
                    raise bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
                if "callback_data" in button and not 1 <= len(str(button["callback_data"]).encode()) <= 64:
                    raise bad("BUTTON_DATA_INVALID")
        return markup

    def _rate_check(self, chat_id: int) -> None:
        retry_after = self.limiter.check(chat_id)
        if retry_after is not None:
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    def _deliver(self, chat: ChatState, content: Json, p: Json, raw: str | None = None, mode: str | None = None,
                 markup: Json | None = None, check: bool = True, copied_from: tuple[int, int] | None = None
                 ) -> ChatMessage:
        """A bot message into a chat: reply target, rate limits, then stored and announced."""
        reply = p.get("reply_parameters") or {}
        reply_id = reply.get("message_id") if isinstance(reply, dict) else None
        reply_id = reply_id or p.get("reply_to_message_id")
        target = chat.by_id.get(int(reply_id)) if reply_id else None
        if reply_id and (target is None or target.deleted) and not (
                reply.get("allow_sending_without_reply") or p.get("allow_sending_without_reply")):
            raise bad("message to be replied not found")
        if check:
            self._rate_check(chat.id)
        chat.last_message_id += 1
        data = {"message_id": chat.last_message_id, "from": dict(self.bot_user), "chat": chat.chat,
                "date": int(time.time())} | content
        if target is not None and not target.deleted:
            data["reply_to_message"] = {k: v for k, v in target.data.items() if k != "reply_to_message"}
        if markup and "inline_keyboard" in markup:
            data["reply_markup"] = markup
        elif markup and "keyboard" in markup:
            chat.reply_keyboard, chat.force_reply = markup, None
        elif markup and markup.get("remove_keyboard"):
            chat.reply_keyboard = None
        elif markup and markup.get("force_reply"):
            chat.force_reply = markup
        msg = chat.add(ChatMessage(chat.id, chat.last_message_id, True, data, raw, mode, markup,
                                   copied_from=copied_from))
        self.delivered += 1
        self._emit(ChatEvent("message", chat.id, msg))
        if markup and "inline_keyboard" not in markup:
            self._emit(ChatEvent("keyboard", chat.id, msg, {"reply_keyboard": chat.reply_keyboard}))
        return msg

    def _input_file(self, p: Json, files: Files, kind: str) -> StoredFile:
        value, part = p.get(kind), None
        if value is None:
            part = files.get(kind)  # a plain multipart upload under the parameter's own name
        elif isinstance(value, str) and value.startswith("attach://"):
            part = files.get(value[len("attach://"):])
        elif isinstance(value, str) and value in self.files:
            return self.files[value]
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            return self.store_file(b"", value.rsplit("/", 1)[-1] or None, kind)
        if part is None:
            raise bad(f"there is no {kind} in the request" if value is None else
                      "wrong file identifier/HTTP URL specified")
        if not part[0]:
            raise bad("file must be non-empty")
        content_type = part[2] if part[2] and part[2] != "application/octet-stream" else None
        return self.store_file(part[0], part[1], kind, mimetypes.guess_type(part[1] or "")[0] or content_type)

    # -- Bot API methods --------------------------------------------------------------------------------------

    def _method_table(self) -> dict[str, Callable[[Json, Any], Any]]:
        ok = lambda p, f: True  # noqa: E731
        table: dict[str, Callable[[Json, Any], Any]] = {
            "getMe": lambda p, f: self.bot_user | {"can_join_groups": True, "can_read_all_group_messages": False,
                                                   "supports_inline_queries": False},
            "logOut": ok, "close": ok, "setMyDescription": ok, "setMyShortDescription": ok, "setMyName": ok,
            "getUpdates": self._get_updates, "deleteWebhook": self._delete_webhook, "setWebhook": self._set_webhook,
            "getWebhookInfo": lambda p, f: self.webhook.info() if self.webhook else {
                "url": "", "has_custom_certificate": False, "pending_update_count": len(self.updates)},
            "sendMessage": self._send_message, "sendMediaGroup": self._send_media_group,
            "copyMessage": self._copy_message, "forwardMessage": self._forward_message,
            "editMessageText": self._edit_text, "editMessageCaption": self._edit_caption,
            "editMessageReplyMarkup": self._edit_markup, "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_messages, "answerCallbackQuery": self._answer_callback,
            "sendChatAction": self._send_chat_action, "setMyCommands": self._set_commands,
            "getMyCommands": lambda p, f: self.commands.get(self._commands_key(p), []),
            "deleteMyCommands": lambda p, f: self.commands.pop(self._commands_key(p), None) is None or True,
            "getFile": self._get_file, "setChatMenuButton": self._set_menu_button,
            "getChatMenuButton": lambda p, f: (self.chats[int(p["chat_id"])].menu_button
                                               if p.get("chat_id") and int(p["chat_id"]) in self.chats
                                               else None) or self.default_menu_button,
            "getChat": self._get_chat,
        }
        for name, kind in SEND_KINDS.items():
            table[name] = functools.partial(self._send_media, kind=kind)
        return table

    async def _get_updates(self, p: Json, files: Any) -> list[Json]:
        if self.webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset, limit = int(p.get("offset") or 0), min(max(int(p.get("limit") or 100), 1), 100)
        if "allowed_updates" in p:
            self._allowed_updates = p["allowed_updates"] or None
        if offset > 0:
            self.updates[:] = [u for u in self.updates if u["update_id"] >= offset]
        elif offset < 0:
            self.updates[:] = self.updates[offset:]
        self._changed.notify()  # for wait_for_updates_consumed
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(float(p.get("timeout") or 0), 0.0)
        while not self._closing:
            if self._allowed_updates:
                self.updates[:] = [u for u in self.updates if set(u) - {"update_id"} <= set(self._allowed_updates)]
            if self.updates or loop.time() >= deadline:
                break
            await self._new_update.wait(deadline - loop.time())
        return [] if self._closing else self.updates[:limit]

    async def _delete_webhook(self, p: Json, files: Any) -> bool:
        if self.webhook is not None:
            webhook, self.webhook = self.webhook, None
            await webhook.stop()
        if p.get("drop_pending_updates"):
            self.updates.clear()
        return True

    async def _set_webhook(self, p: Json, files: Any) -> bool:
        """Deliver by POST from now on (apiwebhook.py); an empty url deletes the webhook, as Telegram does."""
        url = str(p.get("url") or "")
        if not url:
            return await self._delete_webhook(p, files)
        if not re.match(r"^https?://", url):
            raise bad("bad webhook: invalid webhook URL specified")
        secret = str(p.get("secret_token") or "")
        if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise bad("bad webhook: secret token contains unallowed characters")
        max_connections = int(p.get("max_connections") or 40)
        if not 1 <= max_connections <= 100:
            raise bad("bad webhook: max_connections must be between 1 and 100")
        allowed = p.get("allowed_updates")
        if allowed is not None:
            self._allowed_updates = list(allowed) or None
        await self._delete_webhook({"drop_pending_updates": p.get("drop_pending_updates")}, files)
        self.webhook = WebhookDelivery(Webhook(url, secret, max_connections, tuple(self._allowed_updates or ())),
                                       self.updates, self._new_update, self._changed, self.webhook_retry_s)
        self.webhook.start()
        return True

    def _send_message(self, p: Json, files: Any) -> Json:
        chat = self._param_chat(p)
        content, raw, mode = self._text_content(p)
        return self._deliver(chat, content, p, raw, mode, self._markup(p)).data

    def _send_media(self, p: Json, files: Any, kind: str) -> Json:
        chat = self._param_chat(p)
        f = self._input_file(p, files, kind)
        caption, raw, mode = self._caption_content(p) if kind in CAPTIONED else ({}, None, None)
        return self._deliver(chat, {kind: media_json(f, kind)} | caption, p, raw, mode, self._markup(p)).data

    def _send_media_group(self, p: Json, files: Any) -> list[Json]:
        chat = self._param_chat(p)
        media = p.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise bad("media must include 2-10 items")
        items = []
        for item in media:
            kind = item.get("type")
            if kind not in ("photo", "video", "document", "audio"):
                raise bad(f"unsupported media type {kind!r}")
            f = self._input_file({kind: item.get("media")}, files, kind)
            caption, raw, mode = self._caption_content(item)
            items.append(({kind: media_json(f, kind)} | caption, raw, mode))
        self._rate_check(chat.id)  # an album counts as one send
        group_id = str(10 ** 12 + next(self._ids))
        return [self._deliver(chat, c | {"media_group_id": group_id}, p, raw, mode, check=False).data
                for c, raw, mode in items]

    def _source(self, p: Json, missing: str) -> ChatMessage:
        src_chat = self._param_chat(p, "from_chat_id")
        return self._find(src_chat, p, missing)

    def _copy_message(self, p: Json, files: Any) -> Json:
        chat, src = self._param_chat(p), self._source(p, "message to copy not found")
        content = {k: v for k, v in src.data.items() if k in COPY_KEYS}
        raw, mode = src.raw_text, src.parse_mode
        if p.get("caption") is not None:
            caption, raw, mode = self._caption_content(p)
            content = {k: v for k, v in content.items() if k not in ("caption", "caption_entities")} | caption
        msg = self._deliver(chat, content, p, raw, mode, self._markup(p), copied_from=(src.chat_id, src.message_id))
        return {"message_id": msg.message_id}

    def _forward_message(self, p: Json, files: Any) -> Json:
        chat, src = self._param_chat(p), self._source(p, "message to forward not found")
        content = {k: v for k, v in src.data.items() if k in COPY_KEYS} | {
            "forward_origin": {"type": "user", "sender_user": src.data["from"], "date": src.data["date"]}}
        return self._deliver(chat, content, p, src.raw_text, src.parse_mode,
                             copied_from=(src.chat_id, src.message_id)).data

    def _editable(self, p: Json) -> ChatMessage:
        if p.get("inline_message_id"):
            raise bad("MESSAGE_ID_INVALID")
        msg = self._find(self._param_chat(p), p, "message to edit not found")
        if not msg.from_bot:
            raise bad("message can't be edited")
        return msg

    def _apply_edit(self, msg: ChatMessage, content: Json, keys: tuple[str, ...], markup: Json | None,
                    raw: str | None, mode: str | None) -> Json:
        """Telegram drops an inline keyboard that an edit does not repeat."""
        old = {k: v for k, v in msg.data.items() if k != "edit_date"}
        new = {k: v for k, v in old.items() if k not in keys and k != "reply_markup"} | content
        if markup:
            new["reply_markup"] = markup
        if new == old:
            raise bad(NOT_MODIFIED)
        msg.data = new | {"edit_date": int(time.time())}
        msg.raw_text, msg.parse_mode, msg.reply_markup = raw, mode, markup
        msg.edits += 1
        self._emit(ChatEvent("edit", msg.chat_id, msg))
        return msg.data

    def _edit_text(self, p: Json, files: Any) -> Json:
        msg = self._editable(p)
        if "text" not in msg.data:
            raise bad("there is no text in the message to edit")
        content, raw, mode = self._text_content(p)
        return self._apply_edit(msg, content, ("text", "entities"), self._markup(p, True), raw, mode)

    def _edit_caption(self, p: Json, files: Any) -> Json:
        msg = self._editable(p)
        if msg.kind not in CAPTIONED:
            raise bad("there is no caption in the message to edit")
        content, raw, mode = self._caption_content(p)
        return self._apply_edit(msg, content, ("caption", "caption_entities"), self._markup(p, True), raw, mode)

    def _edit_markup(self, p: Json, files: Any) -> Json:
        msg = self._editable(p)
        return self._apply_edit(msg, {}, (), self._markup(p, True), msg.raw_text, msg.parse_mode)

    def _delete_message(self, p: Json, files: Any) -> bool:
        msg = self._find(self._param_chat(p), p, "message to delete not found")
        msg.deleted = True
        self._emit(ChatEvent("delete", msg.chat_id, msg))
        return True

    def _delete_messages(self, p: Json, files: Any) -> bool:
        chat = self._param_chat(p)
        for message_id in p.get("message_ids") or []:
            msg = chat.by_id.get(int(message_id))
            if msg is not None and not msg.deleted:
                msg.deleted = True
                self._emit(ChatEvent("delete", chat.id, msg))
        return True

    def _answer_callback(self, p: Json, files: Any) -> bool:
        query_id = str(p.get("callback_query_id") or "")
        query = self.callback_queries.get(query_id)
        if query is None or query["answer"] is not None:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        query["answer"] = answer = {
            "callback_query_id": query_id, "message_id": query["message_id"], "data": query["data"],
            "text": p.get("text"), "show_alert": bool(p.get("show_alert")), "url": p.get("url"),
            "cache_time": p.get("cache_time")}
        self.chats[query["chat_id"]].callback_answers.append(answer)
        self._emit(ChatEvent("callback_answer", query["chat_id"], None, answer))
        return True

    def _send_chat_action(self, p: Json, files: Any) -> bool:
        chat = self._param_chat(p)
        if p.get("action") not in CHAT_ACTIONS:
            raise bad("wrong parameter action in request")
        chat.actions.append(p["action"])
        self._emit(ChatEvent("action", chat.id, None, {"action": p["action"]}))
        return True

    @staticmethod
    def _commands_key(p: Json) -> tuple[str, str]:
        return json.dumps(p.get("scope") or {"type": "default"}, sort_keys=True), str(p.get("language_code") or "")

    def _set_commands(self, p: Json, files: Any) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise bad("commands is empty")
        for c in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(c.get("command", ""))):
                raise bad("BOT_COMMAND_INVALID")
            if not str(c.get("description", "")).strip():
                raise bad("command description is empty")
        self.commands[self._commands_key(p)] = [{"command": c["command"], "description": c["description"]}
                                                for c in commands]
        return True

    def _get_file(self, p: Json, files: Any) -> Json:
        f = self.files.get(str(p.get("file_id") or ""))
        if f is None:
            raise bad("invalid file_id")
        return {"file_id": f.file_id, "file_unique_id": f.file_unique_id, "file_size": len(f.data),
                "file_path": f.file_path}

    def _set_menu_button(self, p: Json, files: Any) -> bool:
        button = p.get("menu_button") or {"type": "default"}
        if p.get("chat_id") not in (None, ""):
            self._param_chat(p).menu_button = button
        else:
            self.default_menu_button = button
        return True

    def _get_chat(self, p: Json, files: Any) -> Json:
        return self._param_chat(p).chat | {"accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": {
            k: True for k in ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription",
                              "gifts_from_channels")}}
