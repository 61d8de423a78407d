"""The sandbox's web page and its JSON / server-sent-events API (aiohttp).

    GET  /                      the page (static/index.html, app.css, app.js)
    GET  /api/state             personas, the demo invite code, the bot's clock
    GET  /api/chat/{user_id}    the persona's conversation and current reply keyboard
    GET  /api/events            server-sent events: `chat` {chat_id, kind} on every change, `clock` {…}
    POST /api/send              {"user", "text"}            the persona sends text
    POST /api/press             {"user", "message_id", "data"}  presses an inline button
    POST /api/contact           {"user"}                    shares the persona's own phone number
    POST /api/upload            multipart: user, kind (photo | document), file, caption
    GET  /api/file/{file_id}    a file of the chat (documents as a download)
    POST /api/clock             {"target": "reminder" | "due" | "digest" | "day"}: fast-forward
    GET  /api/webapp/{user_id}  {"url"}: the Mini App opened as this persona (initData signed here)
"""
from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web

from bot.sandbox.apimodels import ChatEvent, ChatMessage, User
from bot.sandbox.jumps import JUMPS

if TYPE_CHECKING:
    from bot.sandbox.runner import Sandbox

STATIC = Path(__file__).resolve().parent / "static"
KEEPALIVE_S = 15


def create_web_app(sandbox: Sandbox) -> web.Application:
    app = web.Application(client_max_size=20 * 1024 ** 2)
    clients: set[asyncio.Queue[tuple[str, Any] | None]] = set()
    api = SandboxApi(sandbox, clients)

    def on_chat_event(event: ChatEvent) -> None:
        if event.kind == "message" and event.message is not None:
            api.stamps[(event.chat_id, event.message.message_id)] = api.sandbox.local_now().strftime("%d.%m %H:%M")
        payload: dict[str, Any] = {"chat_id": event.chat_id, "kind": event.kind}
        if event.message is not None:
            payload |= {"message_id": event.message.message_id, "from_bot": event.message.from_bot}
        if event.kind == "callback_answer":
            payload["text"] = event.data.get("text")
        api.broadcast("chat", payload)

    sandbox.server.listeners.append(on_chat_event)
    sandbox.on_clock_change(lambda: api.broadcast("clock", api.clock_json()))

    async def on_shutdown(_: web.Application) -> None:
        if on_chat_event in sandbox.server.listeners:
            sandbox.server.listeners.remove(on_chat_event)
        for queue in list(clients):
            queue.put_nowait(None)  # ends the event streams

    app.on_shutdown.append(on_shutdown)
    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC)
    app.router.add_get("/api/state", api.state)
    app.router.add_get("/api/chat/{user_id}", api.chat)
    app.router.add_get("/api/events", api.events)
    app.router.add_post("/api/send", api.send)
    app.router.add_post("/api/press", api.press)
    app.router.add_post("/api/contact", api.contact)
    app.router.add_post("/api/upload", api.upload)
    app.router.add_get("/api/file/{file_id}", api.file)
    app.router.add_post("/api/clock", api.fast_forward)
    app.router.add_get("/api/webapp/{user_id}", api.webapp)
    return app


async def index(_: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


def message_view(m: ChatMessage, stamp: str | None = None) -> dict[str, Any]:
    """What the page draws: plain text with Telegram entities (the page never renders HTML), buttons, a file.
    `stamp`: when it was sent by the bot's clock, which the clock buttons move."""
    d = m.data
    view: dict[str, Any] = {
        "id": m.message_id, "from_bot": m.from_bot, "kind": m.kind, "deleted": m.deleted, "edited": m.edits > 0,
        "stamp": stamp, "text": d.get("text", d.get("caption")) or "",
        "entities": d.get("entities", d.get("caption_entities")) or [],
        "buttons": [[{k: b[k] for k in ("text", "callback_data", "url", "web_app") if k in b} for b in row]
                    for row in m.inline_keyboard],
    }
    if "document" in d:
        doc = d["document"]
        view["file"] = {"file_id": doc["file_id"], "name": doc.get("file_name") or "document"}
    elif d.get("photo"):
        view["file"] = {"file_id": d["photo"][-1]["file_id"], "name": "photo.jpg", "image": True}
    elif "contact" in d:
        view["text"] = "📱 " + d["contact"].get("phone_number", "")
    elif m.kind in ("sticker", "voice"):
        view["text"] = view["text"] or {"sticker": "🙂 sticker", "voice": "🎤 voice"}[m.kind]
    return view


class SandboxApi:
    def __init__(self, sandbox: Sandbox, clients: set[asyncio.Queue[tuple[str, Any] | None]]) -> None:
        self.sandbox = sandbox
        self.clients = clients
        self.stamps: dict[tuple[int, int], str] = {}  # (chat_id, message_id) -> bot time it was sent

    def broadcast(self, event: str, payload: Any) -> None:
        for queue in list(self.clients):
            queue.put_nowait((event, payload))

    def clock_json(self) -> dict[str, Any]:
        local = self.sandbox.local_now()
        return {"iso": local.isoformat(timespec="seconds"), "timezone": self.sandbox.app.config.calendar.timezone,
                "label": local.strftime("%Y-%m-%d %H:%M"), "targets": list(JUMPS)}

    def _persona_user(self, value: Any) -> User:
        try:
            persona = self.sandbox.personas[int(value)]
        except (KeyError, TypeError, ValueError):
            raise web.HTTPBadRequest(text="unknown persona") from None
        return User(persona.id, first_name=persona.first_name, last_name=persona.last_name,
                    language_code=persona.language_code)

    async def state(self, request: web.Request) -> web.Response:
        personas = [{"id": p.id, "name": f"{p.first_name} {p.last_name or ''}".strip(), "title": p.title,
                     "role": p.role, "language": p.language_code, "phone": p.phone,
                     "invite_code": self.sandbox.invite_code if p.role == "new" else None}
                    for p in self.sandbox.personas.values()]
        return web.json_response({"personas": personas, "invite_code": self.sandbox.invite_code,
                                  "clock": self.clock_json()})

    async def chat(self, request: web.Request) -> web.Response:
        user = self._persona_user(request.match_info["user_id"])
        chat = self.sandbox.server.chats.get(user.id)
        messages = [message_view(m, self.stamps.get((user.id, m.message_id)))
                    for m in self.sandbox.server.messages(user.id) if not m.deleted]
        keyboard = chat.reply_keyboard if chat else None
        return web.json_response({"user_id": user.id, "messages": messages,
                                  "reply_keyboard": (keyboard or {}).get("keyboard")})

    async def events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await response.prepare(request)
        queue: asyncio.Queue[tuple[str, Any] | None] = asyncio.Queue()
        self.clients.add(queue)
        try:
            await response.write(b"event: hello\ndata: {}\n\n")
            while True:
                try:
                    item = await asyncio.wait_for(queue.get(), KEEPALIVE_S)
                except TimeoutError:
                    await response.write(b": keepalive\n\n")
                    continue
                if item is None:
                    break
                event, payload = item
                data = json.dumps(payload, ensure_ascii=False)
                await response.write(f"event: {event}\ndata: {data}\n\n".encode())
        except ConnectionResetError:
            pass  # the page was closed
        finally:
            self.clients.discard(queue)
        return response

    async def _body(self, request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError:
            raise web.HTTPBadRequest(text="expected a JSON body") from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="expected a JSON object")
        return body

    async def send(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        text = str(body.get("text") or "").strip()
        if not text:
            raise web.HTTPBadRequest(text="empty text")
        msg = self.sandbox.server.send_text(self._persona_user(body.get("user")), text)
        return web.json_response({"message_id": msg.message_id})

    async def press(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        user = self._persona_user(body.get("user"))
        try:
            query_id = self.sandbox.server.press(user, int(body["message_id"]), str(body["data"]))
        except (KeyError, ValueError, LookupError) as exc:
            raise web.HTTPBadRequest(text=str(exc)) from None
        return web.json_response({"query_id": query_id})

    async def contact(self, request: web.Request) -> web.Response:
        user = self._persona_user((await self._body(request)).get("user"))
        msg = self.sandbox.server.send_contact(user, self.sandbox.personas[user.id].phone)
        return web.json_response({"message_id": msg.message_id})

    async def upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        user = self._persona_user(form.get("user"))
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            raise web.HTTPBadRequest(text="no file")
        data, caption = upload.file.read(), str(form.get("caption") or "") or None
        if form.get("kind") == "photo":
            msg = self.sandbox.server.send_photo(user, data, caption)
        else:
            msg = self.sandbox.server.send_document(user, data, upload.filename or "file", caption)
        return web.json_response({"message_id": msg.message_id})

    async def file(self, request: web.Request) -> web.Response:
        stored = self.sandbox.server.files.get(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound(text="no such file")
        headers = {}
        if stored.kind != "photo":
            name = stored.file_name or "file"
            headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name, safe='')}"
        return web.Response(body=stored.data, content_type=stored.mime_type, headers=headers)

    async def fast_forward(self, request: web.Request) -> web.Response:
        target = (await self._body(request)).get("target")
        if target not in JUMPS:
            raise web.HTTPBadRequest(text=f"target must be one of {', '.join(JUMPS)}")
        sent = await self.sandbox.fast_forward(target)
        return web.json_response({"clock": self.clock_json(), "sent": sent})


    async def webapp(self, request: web.Request) -> web.Response:
        url = self.sandbox.webapp_url(self._persona_user(request.match_info["user_id"]))
        if url is None:
            raise web.HTTPServiceUnavailable(text="the Mini App's web server is not running")
        return web.json_response({"url": url})
