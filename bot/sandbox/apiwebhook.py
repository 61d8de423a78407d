"""Webhook delivery of the local Bot API server, as Telegram does it.

After `setWebhook` each pending update (the same list getUpdates serves) is POSTed as JSON to the url,
with `X-Telegram-Bot-Api-Secret-Token` when a secret was set. An update leaves the list only when the
answer is 200; any other answer, a timeout or a connection error keeps it first in its chat's line and
sends it again after a backoff (`retry_s`: the first wait, doubled each time up to the last), so
nothing is lost and a chat's updates arrive in order. At most one update of a chat is in flight
(the next waits for the previous one's 200); different chats go side by side, up to
`max_connections`. getWebhookInfo reports the pending count and the last error.
"""
from __future__ import annotations

import asyncio
import time
from contextlib import suppress
from dataclasses import dataclass, field

import aiohttp

from .apimodels import Json, Signal

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
IDLE_WAKE_S = 1.0
REQUEST_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Webhook:
    url: str
    secret: str = ""
    max_connections: int = 40
    allowed_updates: tuple[str, ...] = ()


@dataclass
class DeliveryStats:
    delivered: int = 0
    failed: int = 0
    last_error_date: int | None = None
    last_error_message: str | None = None


def chat_of(update: Json) -> str:
    """What orders delivery: the chat of the update's object, else its sender, else the update alone."""
    for kind, obj in update.items():
        if kind == "update_id" or not isinstance(obj, dict):
            continue
        chat = obj.get("chat") or (obj.get("message") or {}).get("chat")
        if chat:
            return f"c{chat['id']}"
        if obj.get("from"):
            return f"u{obj['from']['id']}"
    return f"update {update['update_id']}"


@dataclass(eq=False)
class WebhookDelivery:
    """Delivers `updates` (the server's pending list, shared) to `hook` until stopped."""
    hook: Webhook
    updates: list[Json]
    wake: Signal  # notified by new updates (the server's) and by every finished attempt
    changed: Signal  # the server's: told after every attempt
    retry_s: tuple[float, float] = (0.2, 5.0)
    stats: DeliveryStats = field(default_factory=DeliveryStats)
    _in_flight: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    _failures: dict[int, int] = field(default_factory=dict)  # update_id -> failed attempts
    _not_before: dict[str, float] = field(default_factory=dict)  # chat -> loop time of its next attempt
    _task: asyncio.Task[None] | None = None
    _http: aiohttp.ClientSession | None = None
    _stopped: bool = False

    def start(self) -> None:
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S))
        self._task = asyncio.create_task(self._run(), name="local webhook delivery")

    async def stop(self) -> None:
        """Stop sending; what is in flight is cancelled and stays pending (not lost)."""
        self._stopped = True  # a cancel that wait_for swallows (Python 3.11) still ends the loop
        tasks = [t for t in (self._task, *self._in_flight.values()) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with suppress(asyncio.CancelledError):
                await task
        if self._http is not None:
            await self._http.close()

    def info(self) -> Json:
        out: Json = {"url": self.hook.url, "has_custom_certificate": False, "pending_update_count": len(self.updates),
                     "max_connections": self.hook.max_connections}
        if self.hook.allowed_updates:
            out["allowed_updates"] = list(self.hook.allowed_updates)
        if self.stats.last_error_message:
            out |= {"last_error_date": self.stats.last_error_date, "last_error_message": self.stats.last_error_message}
        return out

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopped:
            await self.wake.wait(self._start_due(loop.time()))

    def _start_due(self, now: float) -> float:
        """Start the first pending update of every chat that is free and due; seconds until the next is due."""
        if self.hook.allowed_updates:
            allowed = set(self.hook.allowed_updates)
            self.updates[:] = [u for u in self.updates if set(u) - {"update_id"} <= allowed]
        wait, seen = IDLE_WAKE_S, set()
        for update in self.updates:
            chat = chat_of(update)
            if chat in seen:
                continue  # an earlier update of this chat goes first
            seen.add(chat)
            if chat in self._in_flight:
                continue
            if len(self._in_flight) >= self.hook.max_connections:
                break
            due = self._not_before.get(chat, 0.0)
            if due > now:
                wait = min(wait, due - now)
                continue
            self._in_flight[chat] = asyncio.create_task(self._post(chat, update), name=f"webhook {chat}")
        return wait

    async def _post(self, chat: str, update: Json) -> None:
        assert self._http is not None
        headers = {SECRET_HEADER: self.hook.secret} if self.hook.secret else {}
        error: str | None = None
        try:
            async with self._http.post(self.hook.url, json=update, headers=headers) as response:
                await response.read()
                if response.status != 200:
                    error = f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"Connection failed: {type(exc).__name__}: {exc}"
        finally:
            self._in_flight.pop(chat, None)
        self._settle(chat, update, error)

    def _settle(self, chat: str, update: Json, error: str | None) -> None:
        update_id = update["update_id"]
        if error is None:
            with suppress(ValueError):
                self.updates.remove(update)
            self._failures.pop(update_id, None)
            self._not_before.pop(chat, None)
            self.stats.delivered += 1
        else:
            failures = self._failures[update_id] = self._failures.get(update_id, 0) + 1
            first, last = self.retry_s
            self._not_before[chat] = asyncio.get_running_loop().time() + min(first * 2 ** (failures - 1), last)
            self.stats.failed += 1
            self.stats.last_error_date, self.stats.last_error_message = int(time.time()), error
        self.wake.notify()
        self.changed.notify()
