"""JSON control API of the local Bot API server, for a server or a bot in another process.

Every answer is {"ok": true, "result": ...} or {"ok": false, "description": ...} (HTTP 400/404/408).

    POST /_control/send_text      {"user": 1 | {"id": 1, "first_name": ...}, "text": "/start"}  -> message
    POST /_control/press          {"user", "message_id", "callback_data", "strict": true}      -> query id
    POST /_control/send_contact   {"user", "phone", "contact_user_id": null}                   -> message
    POST /_control/send_photo     {"user", "data_b64", "caption"}                              -> message
    POST /_control/send_document  {"user", "data_b64", "filename", "caption"}                  -> message
    POST /_control/send_sticker   {"user"};  POST /_control/send_voice {"user"}                -> message
    POST /_control/edit_text      {"user", "message_id", "new_text"}                           -> message
    GET  /_control/messages?chat_id=1[&bot_only=1]                                             -> [message]
    GET  /_control/chat?chat_id=1          chat state: reply_keyboard, callback_answers, actions, messages
    GET  /_control/wait_bot_message?chat_id=1&after=0&timeout=10[&contains=text]               -> message
    GET  /_control/stats;  POST /_control/reset_stats;  POST /_control/reset (all state)
    GET  /_control/log?method=sendMessage&limit=100                                            -> [call]
    POST /_control/config         {"global_rate": 30, "per_chat_interval": 1.0}   (null/0: off)
    POST /_control/faults         {"rules": [{"error_code": 403, "description": "...", "chat_id": 42,
                                   "method": "sendMessage", "probability": 0.1, "retry_after": null,
                                   "delay": 0}], "seed": 0}                       ({"rules": []}: none)
"""
from __future__ import annotations

import base64
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .apimodels import FaultRules, Json

if TYPE_CHECKING:
    from .apiserver import LocalBotAPI


def add_control_routes(app: web.Application, server: LocalBotAPI) -> None:
    async def handle(request: web.Request) -> web.Response:
        action = request.match_info["action"]
        handler = ACTIONS.get((request.method, action))
        if handler is None:
            return web.json_response({"ok": False, "description": f"no control action {request.method} {action}"},
                                     status=404)
        try:
            body: Json = dict(request.query)
            if request.method == "POST" and request.can_read_body:
                body |= await request.json()
            result = await handler(server, body)
        except TimeoutError as e:
            return web.json_response({"ok": False, "description": str(e)}, status=408)
        except (LookupError, ValueError, TypeError) as e:
            return web.json_response({"ok": False, "description": f"{type(e).__name__}: {e}"}, status=400)
        return web.json_response({"ok": True, "result": result})

    app.router.add_route("*", "/_control/{action}", handle)


def _user(body: Json) -> Any:
    return body["user"]


async def _send_text(s: LocalBotAPI, b: Json) -> Json:
    return s.send_text(_user(b), b["text"]).to_json()


async def _press(s: LocalBotAPI, b: Json) -> str:
    return s.press(_user(b), int(b["message_id"]), b["callback_data"], strict=b.get("strict", True))


async def _send_contact(s: LocalBotAPI, b: Json) -> Json:
    return s.send_contact(_user(b), b["phone"], b.get("contact_user_id")).to_json()


async def _send_photo(s: LocalBotAPI, b: Json) -> Json:
    return s.send_photo(_user(b), base64.b64decode(b["data_b64"]), b.get("caption")).to_json()


async def _send_document(s: LocalBotAPI, b: Json) -> Json:
    return s.send_document(_user(b), base64.b64decode(b["data_b64"]), b["filename"], b.get("caption")).to_json()


async def _send_sticker(s: LocalBotAPI, b: Json) -> Json:
    return s.send_sticker(_user(b)).to_json()


async def _send_voice(s: LocalBotAPI, b: Json) -> Json:
    return s.send_voice(_user(b)).to_json()


async def _edit_text(s: LocalBotAPI, b: Json) -> Json:
    return s.edit_text(_user(b), int(b["message_id"]), b["new_text"]).to_json()


async def _messages(s: LocalBotAPI, b: Json) -> list[Json]:
    chat_id = int(b["chat_id"])
    found = s.bot_messages(chat_id, include_deleted=True) if _flag(b.get("bot_only")) else s.messages(chat_id)
    return [m.to_json() for m in found]


async def _chat(s: LocalBotAPI, b: Json) -> Json | None:
    chat = s.chats.get(int(b["chat_id"]))
    return chat.to_json() if chat else None


async def _wait_bot_message(s: LocalBotAPI, b: Json) -> Json:
    contains = b.get("contains")
    msg = await s.wait_for_bot_message(
        int(b["chat_id"]), (lambda m: contains in (m.text or "")) if contains else None,
        timeout=float(b.get("timeout", 10)), after=int(b.get("after", 0)))
    return msg.to_json()


async def _stats(s: LocalBotAPI, b: Json) -> Json:
    return s.stats()


async def _reset_stats(s: LocalBotAPI, b: Json) -> bool:
    s.reset_stats()
    return True


async def _reset(s: LocalBotAPI, b: Json) -> bool:
    s.reset()
    return True


async def _log(s: LocalBotAPI, b: Json) -> list[Json]:
    calls = s.calls(b.get("method"))
    return [asdict(c) for c in calls[-int(b.get("limit", 100)):]]


async def _config(s: LocalBotAPI, b: Json) -> Json:
    s.configure(b.get("global_rate"), b.get("per_chat_interval"))
    return s.stats()


async def _faults(s: LocalBotAPI, b: Json) -> bool:
    rules = b.get("rules") or []
    s.faults = FaultRules(rules, seed=int(b.get("seed", 0))) if rules else None
    return True


def _flag(value: Any) -> bool:
    return str(value).lower() in ("1", "true", "yes")


ACTIONS = {
    ("POST", "send_text"): _send_text, ("POST", "press"): _press, ("POST", "send_contact"): _send_contact,
    ("POST", "send_photo"): _send_photo, ("POST", "send_document"): _send_document,
    ("POST", "send_sticker"): _send_sticker, ("POST", "send_voice"): _send_voice,
    ("POST", "edit_text"): _edit_text, ("GET", "messages"): _messages, ("GET", "chat"): _chat,
    ("GET", "wait_bot_message"): _wait_bot_message, ("GET", "stats"): _stats,
    ("POST", "reset_stats"): _reset_stats, ("POST", "reset"): _reset, ("GET", "log"): _log,
    ("POST", "config"): _config, ("POST", "faults"): _faults,
}
