"""Broadcasts through the real engine (bot/features/broadcast/engine.py) over HTTP against the local Bot
API server in its own process, which enforces a global rate (a token bucket holding one second's worth)
and 1 message/s per chat, and answers 429 with retry_after beyond them.

The bot is configured at 1.5x the server's limit, so that only the engine's handling of 429s keeps it
within; two broadcasts run at once, one to N chairs and one to the first N/5 of them (those chats get
two messages: the per-chat limit bites), each with its progress message edited as it goes.
rate ratio = messages delivered after the first second / the seconds from then to the last delivery /
the server's limit (the first second is the bucket's burst allowance). From the server's log: every
429 honoured (no retry of that chat before retry_after), and the most deliveries in any one second
after the first.
"""
from __future__ import annotations

import asyncio
import re
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.apiproc import ApiProcess
from bench.common import BRANCH_ADMIN, load
from bench.seed import seed

RETRY_AFTER = re.compile(r"retry after (\d+)")


OVER_LIMIT = 1.5  # the bot's configured rate / the server's


@dataclass
class BroadcastResult:
    recipients: int  # messages to deliver, both broadcasts
    limit: float
    seconds: float
    delivered: int
    receipt: dict[str, int]
    too_many_requests: int
    dishonoured_429: int
    duplicates: int
    steady_rate: float  # deliveries per second after the first second
    busiest_second: int  # the most deliveries in one whole second after the first
    progress_edits: int
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.delivered / self.seconds

    @property
    def ratio(self) -> float:
        return round(self.steady_rate / self.limit, 3)


def steady(calls: list[dict[str, Any]]) -> tuple[float, int]:
    """Deliveries per second after the first second of sending, and the most in one second after it."""
    times = sorted(c["time"] for c in calls if c["status"] == 200)
    if not times:
        return 0.0, 0
    start = min(c["time"] for c in calls) + 1.0
    later = [t for t in times if t >= start]
    if len(later) < 2:
        return 0.0, len(later)
    per_second: dict[int, int] = defaultdict(int)
    for t in later:
        per_second[int(t - start)] += 1
    return len(later) / (later[-1] - start), max(per_second.values())


def check_log(calls: list[dict[str, Any]]) -> tuple[dict[tuple[int, int], int], int]:
    """Deliveries per (chat, message copied), and how many 429s were not honoured: a chat told to wait
    r seconds was tried again sooner than that."""
    delivered: dict[tuple[int, int], int] = defaultdict(int)
    wait_until: dict[int, float] = {}
    dishonoured = 0
    for call in sorted(calls, key=lambda c: c["time"]):
        chat = int(call["params"]["chat_id"])
        if chat in wait_until and call["time"] < wait_until.pop(chat) - 0.05:
            dishonoured += 1
        if call["status"] == 200:
            delivered[chat, int(call["params"]["message_id"])] += 1
        elif call["status"] == 429:
            match = RETRY_AFTER.search(call.get("description") or "")
            wait_until[chat] = call["time"] + (int(match.group(1)) if match else 1)
    return delivered, dishonoured


async def copy_log(server: ApiProcess) -> list[dict[str, Any]]:
    return await server.control("log", method="copyMessage", limit=1_000_000)


async def source_message(server: ApiProcess, text: str) -> int:
    """The admin's message that a broadcast copies."""
    sent = await server.control("send_text", {"user": BRANCH_ADMIN, "text": text})
    return sent["message_id"]


async def measure(recipients: int = 10_000, limit: float = 500.0) -> BroadcastResult:
    from bot.app import build_bot
    from bot.context import AppContext
    from bot.features.broadcast import ensure_engine

    with tempfile.TemporaryDirectory(prefix="bench-broadcast-") as folder:
        db_path = Path(folder) / "broadcast.db"
        async with ApiProcess(global_rate=limit, per_chat_interval=1.0) as server:
            config = load(Path(folder), db_path, server.url, broadcast_rate=limit * OVER_LIMIT)
            await asyncio.to_thread(seed, db_path, config.form, recipients + recipients // 20 + 10, 1)
            app = await AppContext.create(config)
            bot = build_bot("42:TEST", config)
            try:
                chats = [r[0] for r in await app.db.fetchall("SELECT id FROM users ORDER BY id LIMIT ?", (recipients,))]
                engine = ensure_engine(app)
                ids = []
                for audience, text in ((chats, "Құрметті төрағалар! Жиналыс 1 желтоқсанда."),
                                       (chats[: len(chats) // 5], "Есеп беру мерзімі: 25 қарашаға дейін.")):
                    ids.append(await engine.create(audience, from_chat_id=BRANCH_ADMIN,
                                                   message_id=await source_message(server, text),
                                                   created_by=BRANCH_ADMIN))
                    progress = await bot.send_message(BRANCH_ADMIN, f"Тарату {ids[-1]}…")
                    await app.repos.broadcasts.set_progress_message(ids[-1], progress.message_id)
                await server.control("reset_stats", {})
                started = time.perf_counter()
                receipts = await asyncio.gather(*(engine.run(i, bot) for i in ids))
                seconds = time.perf_counter() - started
                stats = await server.control("stats")
                log = await copy_log(server)
                edits = await server.control("log", method="editMessageText", limit=1_000_000)
            finally:
                await bot.session.close()
                await app.db.close()
    delivered, dishonoured = check_log(log)
    rate, busiest = steady(log)
    receipt = {key: sum(getattr(r, key) for r in receipts) for key in ("sent", "blocked", "failed", "left")}
    return BroadcastResult(
        recipients=len(chats) + len(chats) // 5, limit=limit, seconds=round(seconds, 2),
        delivered=sum(delivered.values()), receipt=receipt,
        too_many_requests=stats["too_many_requests"], dishonoured_429=dishonoured,
        duplicates=sum(n - 1 for n in delivered.values() if n > 1), steady_rate=round(rate, 1),
        busiest_second=busiest, progress_edits=len(edits), notes={"server_calls": stats["calls"]})


def run(quick: bool = False) -> BroadcastResult:
    return asyncio.run(measure(2_000 if quick else 10_000))
