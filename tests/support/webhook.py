"""Webhook test helpers: a receiver that records what the local Bot API server POSTs, free ports, and a
config for `bastau run --webhook`."""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from bench.common import free_port

__all__ = ["SECRET", "Delivery", "Receiver", "free_port", "quiet", "webhook_config"]
SECRET = "s3cret-Token_1"


async def quiet(server: Any, chat_id: int, for_s: float = 1.0) -> None:
    """Wait until every update was delivered and the bot has sent nothing to the chat for `for_s` seconds."""
    await server.wait_for_updates_consumed(timeout=30)
    while True:
        mark = server.mark(chat_id)
        try:
            await server.wait_for_bot_message(chat_id, after=mark, timeout=for_s)
        except TimeoutError:
            return


def webhook_config(config_file: Path, port: int, path: str = "/telegram/webhook") -> str:
    """Rewrite the test's config.toml: [web] and [webhook] on `port` (one server); the webhook's url."""
    text = config_file.read_text(encoding="utf-8").replace("port = 0", f"port = {port}")
    url = f"http://127.0.0.1:{port}{path}"
    text = text.replace('enabled = false\nurl = ""', f'enabled = false\nurl = "{url}"')
    config_file.write_text(text, encoding="utf-8")
    return url


@dataclass
class Delivery:
    update_id: int
    chat_id: int | None
    secret: str | None
    status: int
    in_flight_of_chat: int  # requests of this chat being answered at once, this one included
    in_flight: int  # requests being answered at once


@dataclass
class Receiver:
    """An aiohttp endpoint; `answer(update) -> status` (200 by default), `delay` seconds before answering."""
    answer: Callable[[dict[str, Any]], int] = lambda update: 200
    delay: float = 0.0
    deliveries: list[Delivery] = field(default_factory=list)
    url: str = ""
    _runner: web.AppRunner | None = None
    _busy: dict[int | None, int] = field(default_factory=dict)

    async def _handle(self, request: web.Request) -> web.Response:
        update = await request.json()
        chat = next((obj.get("chat", {}).get("id") or obj.get("message", {}).get("chat", {}).get("id")
                     for k, obj in update.items() if k != "update_id"), None)
        self._busy[chat] = self._busy.get(chat, 0) + 1
        try:
            seen = (self._busy[chat], sum(self._busy.values()))
            await asyncio.sleep(self.delay)
            status = self.answer(update)
            self.deliveries.append(Delivery(update["update_id"], chat,
                                            request.headers.get("X-Telegram-Bot-Api-Secret-Token"), status, *seen))
            return web.json_response({}, status=status)
        finally:
            self._busy[chat] -= 1

    async def __aenter__(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def accepted(self) -> list[int]:
        return [d.update_id for d in self.deliveries if d.status == 200]
