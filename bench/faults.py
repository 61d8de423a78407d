"""Bot API faults on 10% of the calls (429 with retry_after, 500, timeouts, 403; 2.5% each) during a
broadcast and a reminder run: both complete, and nothing is lost — every recipient ends delivered,
blocked or failed, and every "sent" in the database was delivered at the server."""
from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.apiproc import ApiProcess
from bench.common import BRANCH_ADMIN, load
from bench.drills import integrity_and_backup
from bench.seed import seed
from bot.domain.clock import FakeClock
from tests.support.harness import at

TIMEOUT_S = 1.0  # the bot's request timeout in this drill; a "timeout" fault answers after 2 s


def fault_rules(method: str, share: float = 0.10) -> list[dict[str, Any]]:
    """Four faults of share/4 each; rules are tried in order, so each probability is conditional."""
    each = share / 4
    kinds = [{"error_code": 429, "description": "Too Many Requests: retry after 1", "retry_after": 1},
             {"error_code": 500, "description": "Internal Server Error"},
             {"delay": TIMEOUT_S * 2},
             {"error_code": 403, "description": "Forbidden: bot was blocked by the user"}]
    rules = []
    for n, kind in enumerate(kinds):
        rules.append({"method": method, "probability": each / (1 - each * n)} | kind)
    return rules


async def _delivered(server: ApiProcess, method: str) -> Counter[int]:
    calls = await server.control("log", method=method, limit=1_000_000)
    return Counter(int(c["params"]["chat_id"]) for c in calls if c["status"] == 200)


async def broadcast_with_faults(folder: Path, recipients: int) -> dict[str, Any]:
    from bot.app import build_bot
    from bot.context import AppContext
    from bot.features.broadcast import ensure_engine

    db_path = folder / "faults-broadcast.db"
    async with ApiProcess() as server:
        config = load(folder, db_path, server.url, broadcast_rate=200)
        await asyncio.to_thread(seed, db_path, config.form, recipients, 1)
        app = await AppContext.create(config)
        bot = build_bot("42:TEST", config)
        bot.session.timeout = TIMEOUT_S
        try:
            chats = [r[0] for r in await app.db.fetchall("SELECT id FROM users WHERE active = 1")]
            message = await server.control("send_text", {"user": BRANCH_ADMIN, "text": "Ескерту: есеп 5-ке дейін."})
            engine = ensure_engine(app)
            broadcast_id = await engine.create(chats, from_chat_id=BRANCH_ADMIN, message_id=message["message_id"])
            await server.control("faults", {"rules": fault_rules("copyMessage"), "seed": 3})
            receipt = await asyncio.wait_for(engine.run(broadcast_id, bot), 600)
            stats = await server.control("stats")
            states = dict((r[0], r[1]) for r in await app.db.fetchall(
                "SELECT chat_id, state FROM broadcast_recipients WHERE broadcast_id = ?", (broadcast_id,)))
        finally:
            await bot.session.close()
            await app.db.close()
        delivered = await _delivered(server, "copyMessage")
    lost = [c for c, s in states.items() if s == "sent" and c not in delivered]
    unfinished = [c for c, s in states.items() if s not in ("sent", "blocked", "failed")]
    result = {"recipients": len(chats), "receipt": {"sent": receipt.sent, "blocked": receipt.blocked,
                                                    "failed": receipt.failed, "left": receipt.left},
              "server_statuses": stats["statuses"], "marked_sent_not_delivered": len(lost),
              "unfinished": len(unfinished), "duplicates": sum(n - 1 for n in delivered.values() if n > 1)}
    result |= integrity_and_backup(db_path, folder / "config.toml", folder)
    result["ok"] = not lost and not unfinished and result["integrity"] == "ok" and result["backup_same_rows"]
    return result


async def reminders_with_faults(folder: Path, chairs: int, ticks: int = 4) -> dict[str, Any]:
    """The opening-day reminder to every chair, with faults; further ticks retry what failed for now."""
    from bot.app import build_bot
    from bot.context import AppContext
    from bot.features.reminders.due_work import run_due_work
    from bot.telegram.delivery import RetryRequests

    db_path = folder / "faults-reminders.db"
    async with ApiProcess() as server:
        config = load(folder, db_path, server.url)
        await asyncio.to_thread(seed, db_path, config.form, chairs, 1, 7, 0.0)  # nobody reported November
        clock = FakeClock(at("2026-11-25 10:00"))
        app = await AppContext.create(config, clock=clock)
        bot = build_bot("42:TEST", config)
        bot.session.timeout = TIMEOUT_S
        RetryRequests.of(bot).base_delay = 0.2  # shorter backoff, the same logic
        outcomes: Counter[str] = Counter()
        try:
            await server.control("faults", {"rules": fault_rules("sendMessage"), "seed": 4})
            for _ in range(ticks):
                for outcome in await run_due_work(app, bot, clock.now()):
                    outcomes[outcome.status] += 1
                clock.advance(timedelta(minutes=5))
            log = dict((r[0], r[1]) for r in await app.db.fetchall(
                "SELECT recipient, status FROM sent_log WHERE kind = 'remind' AND period = '2026-11'"))
            active = {r[0] for r in await app.db.fetchall("SELECT id FROM users WHERE org_id IS NOT NULL "
                                                          "AND active = 1")}
            meant = {r[0] for r in await app.db.fetchall(
                "SELECT u.id FROM users u WHERE u.org_id IS NOT NULL")}
        finally:
            await bot.session.close()
            await app.db.close()
        delivered = await _delivered(server, "sendMessage")
    seeded_inactive = meant - set(log) - active
    lost = [c for c in meant - seeded_inactive if log.get(c) not in ("sent", "blocked", "failed")]
    wrong = [c for c, s in log.items() if s == "sent" and c not in delivered]
    result = {"chairs": len(meant), "outcomes": dict(outcomes), "final": dict(Counter(log.values())),
              "not_reminded": len(lost), "marked_sent_not_delivered": len(wrong),
              "duplicates": sum(n - 1 for c, n in delivered.items() if c in meant and n > 1)}
    with sqlite3.connect(db_path) as conn:
        result["integrity"] = conn.execute("PRAGMA integrity_check").fetchone()[0]
    result["ok"] = not lost and not wrong and result["integrity"] == "ok"
    return result


async def run(folder: Path, quick: bool = False) -> dict[str, Any]:
    broadcast = await broadcast_with_faults(folder, 300 if quick else 2000)
    reminders = await reminders_with_faults(folder, 100 if quick else 300)
    return {"ok": broadcast["ok"] and reminders["ok"], "broadcast": broadcast, "reminders": reminders}
