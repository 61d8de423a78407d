"""A broadcast to N chairs through the real engine (bot/broadcast/engine.py) over HTTP against the local
Bot API server in its own process, which enforces a global rate and 1 message/s per chat and answers
429 with retry_after when they are exceeded. The bot is configured to the same global rate.

rate ratio = recipients delivered / seconds the broadcast took / the server's limit.
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


@dataclass
class BroadcastResult:
    recipients: int
    limit: float
    seconds: float
    delivered: int
    receipt: dict[str, int]
    too_many_requests: int
    dishonoured_429: int
    duplicates: int
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.delivered / self.seconds

    @property
    def ratio(self) -> float:
        return round(self.rate / self.limit, 3)


def check_log(calls: list[dict[str, Any]]) -> tuple[dict[int, int], int]:
    """Deliveries per chat, and how many 429s were not honoured: a chat told to wait r seconds was
    tried again sooner than that."""
    delivered: dict[int, int] = defaultdict(int)
    wait_until: dict[int, float] = {}
    dishonoured = 0
    for call in sorted(calls, key=lambda c: c["time"]):
        chat = int(call["params"]["chat_id"])
        if chat in wait_until and call["time"] < wait_until.pop(chat) - 0.05:
            dishonoured += 1
        if call["status"] == 200:
            delivered[chat] += 1
        elif call["status"] == 429:
            match = RETRY_AFTER.search(call.get("description") or "")
            wait_until[chat] = call["time"] + (int(match.group(1)) if match else 1)
    return delivered, dishonoured


async def copy_log(server: ApiProcess) -> list[dict[str, Any]]:
    return await server.control("log", method="copyMessage", limit=1_000_000)


async def source_message(server: ApiProcess) -> int:
    """The admin's message that the broadcast copies."""
    sent = await server.control("send_text", {"user": BRANCH_ADMIN, "text": "Құрметті төрағалар! Жиналыс 1 желтоқсанда."})
    return sent["message_id"]


async def measure(recipients: int = 10_000, limit: float = 500.0) -> BroadcastResult:
    from bot.app import build_bot
    from bot.context import AppContext
    from bot.features.broadcast import ensure_engine

    with tempfile.TemporaryDirectory(prefix="bench-broadcast-") as folder:
        db_path = Path(folder) / "broadcast.db"
        async with ApiProcess(global_rate=limit, per_chat_interval=1.0) as server:
            config = load(Path(folder), db_path, server.url, broadcast_rate=limit)
            await asyncio.to_thread(seed, db_path, config.form, recipients + recipients // 20 + 10, 1)
            app = await AppContext.create(config)
            bot = build_bot("42:TEST", config)
            try:
                chats = [r[0] for r in await app.db.fetchall("SELECT id FROM users ORDER BY id LIMIT ?", (recipients,))]
                engine = ensure_engine(app)
                message_id = await source_message(server)
                broadcast_id = await engine.create(chats, from_chat_id=BRANCH_ADMIN, message_id=message_id,
                                                   created_by=BRANCH_ADMIN)
                await server.control("reset_stats", {})
                started = time.perf_counter()
                receipt = await engine.run(broadcast_id, bot)
                seconds = time.perf_counter() - started
                stats = await server.control("stats")
                delivered, dishonoured = check_log(await copy_log(server))
            finally:
                await bot.session.close()
                await app.db.close()
    return BroadcastResult(
        recipients=len(chats), limit=limit, seconds=round(seconds, 2), delivered=sum(delivered.values()),
        receipt={"sent": receipt.sent, "blocked": receipt.blocked, "failed": receipt.failed,
                 "left": receipt.left},
        too_many_requests=stats["too_many_requests"], dishonoured_429=dishonoured,
        duplicates=sum(n - 1 for n in delivered.values() if n > 1),
        notes={"server_calls": stats["calls"]})


def run(quick: bool = False) -> BroadcastResult:
    return asyncio.run(measure(2_000 if quick else 10_000))
