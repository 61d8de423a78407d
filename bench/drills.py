"""The slow fault drills: a real `bastau run` process against the local Bot API server (its own process),
killed with SIGKILL and started again. Everything listens on 127.0.0.1 only.

- broadcast_kill: kill -9 at random points of a broadcast, ten times, then let it finish: every
  recipient ends sent, blocked or failed; duplicates counted from the server's log (goal ≤ 1 per kill).
- dialog_kill: kill -9 in the middle of a chair's report; after the restart the chair continues at the
  same question with every earlier answer.
- fuzz: 10,000 random and malformed updates (bench/fuzz.py).
- faults: 10% of Bot API calls fail (429 with retry_after, 5xx, timeouts, 403) during a broadcast and a
  reminder run (bench/faults.py).
After each drill the database passes PRAGMA integrity_check and `bastau backup` copies it with the same rows.
"""
from __future__ import annotations

import asyncio
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.apiproc import ApiProcess
from bench.common import BRANCH_ADMIN, REPO, bench_clock, write_config
from bench.startup import bastau_env, start_bastau, stop


def integrity_and_backup(db_path: Path, config: Path, folder: Path) -> dict[str, Any]:
    """PRAGMA integrity_check, then `bastau backup` and the same row counts in the copy."""
    target = folder / f"backup-{time.monotonic_ns()}.db"
    with sqlite3.connect(db_path) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    done = subprocess.run([sys.executable, "-m", "bot.cli", "backup", str(target)], cwd=REPO,
                          env=bastau_env(config, ""), capture_output=True, text=True)
    same = done.returncode == 0 and row_counts(db_path) == row_counts(target)
    with sqlite3.connect(target) as conn:
        backup_integrity = conn.execute("PRAGMA integrity_check").fetchone()[0] if done.returncode == 0 else None
    return {"integrity": integrity, "backup_same_rows": same, "backup_integrity": backup_integrity}


def row_counts(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(db_path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def _migrated(db_path: Path) -> None:
    from db.sqlite import SQLiteDatabase

    async def run() -> None:
        await (await SQLiteDatabase.open(db_path)).close()

    asyncio.run(run())


async def _copies(server: ApiProcess) -> int:
    return (await server.control("stats"))["calls"].get("copyMessage", 0)


def _status(db_path: Path, broadcast_id: int) -> str:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT status FROM broadcasts WHERE id = ?", (broadcast_id,)).fetchone()[0]


async def _wait(predicate, timeout: float, every: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await predicate():
            return True
        await asyncio.sleep(every)
    return False


async def broadcast_kill(folder: Path, recipients: int = 1000, kills: int = 10, rate: float = 25.0,
                         seed: int = 5) -> dict[str, Any]:
    """The bot at `rate` (config.toml's default: 25/s) against a server enforcing Telegram's 30/s."""
    from db.sqlite import SQLiteDatabase
    from db.repos import Repos

    rng = random.Random(seed)
    db_path = folder / "kill-broadcast.db"
    await asyncio.to_thread(_migrated, db_path)
    async with ApiProcess(global_rate=30, per_chat_interval=1.0) as server:
        config = write_config(folder, db_path, server.url, broadcast_rate=rate)
        message = await server.control("send_text", {"user": BRANCH_ADMIN, "text": "Жиналыс ертең сағат 10-да."})
        db = await SQLiteDatabase.open(db_path)
        chats = list(range(20_000_001, 20_000_001 + recipients))
        broadcast_id = await Repos(db).broadcasts.create(
            created_by=BRANCH_ADMIN, admin_chat_id=BRANCH_ADMIN, district_id=None, audience="custom",
            from_chat_id=BRANCH_ADMIN, message_id=message["message_id"], chat_ids=chats,
            now=bench_clock().now())
        await db.close()
        log = folder / "kill-broadcast.log"
        kill_points = []
        for _ in range(kills):
            before = await _copies(server)
            process = start_bastau(config, server.url, log)
            started = await _wait(lambda: _more(server, before), 90)
            await asyncio.sleep(rng.uniform(0.1, 2.5))
            process.kill()
            killed_at = time.monotonic()  # the server's log uses the same system-wide monotonic clock
            process.wait()
            kill_points.append({"sent_before_kill": await _copies(server), "started": started, "at": killed_at})
            if _status(db_path, broadcast_id) != "running":
                break
        process = start_bastau(config, server.url, log)
        finished = await _wait(lambda: _done(db_path, broadcast_id), recipients / rate * 3 + 120, every=0.5)
        stop(process)
        calls = await server.control("log", method="copyMessage", limit=1_000_000)
    delivered = Counter(int(c["params"]["chat_id"]) for c in calls if c["status"] == 200)
    state_of = _recipient_states(db_path, broadcast_id)
    states = Counter(state_of.values())
    duplicates = sum(n - 1 for n in delivered.values() if n > 1)
    per_kill = duplicates_per_kill(calls, [k["at"] for k in kill_points])
    unfinished = states.get("pending", 0) + states.get("sending", 0)
    result = {"recipients": recipients, "rate": rate, "kills": len(kill_points), "finished": finished,
              "states": dict(states),
              "marked_sent_never_delivered": sum(1 for c in chats if state_of[c] == "sent" and c not in delivered),
              "duplicates": duplicates, "duplicates_per_kill": round(duplicates / max(1, len(kill_points)), 2),
              "duplicates_at_each_kill": per_kill,
              "kill_points": [k["sent_before_kill"] for k in kill_points]}
    result |= integrity_and_backup(db_path, config, folder)
    result["ok"] = (finished and unfinished == 0 and max(per_kill, default=0) <= 1
                    and result["marked_sent_never_delivered"] == 0 and result["integrity"] == "ok"
                    and result["backup_same_rows"])
    return result


def duplicates_per_kill(calls: list[dict[str, Any]], kills: list[float]) -> list[int]:
    """For each kill, the chats delivered before it and again after it (the messages in flight then)."""
    first: dict[int, float] = {}
    counts = [0] * len(kills)
    for call in sorted((c for c in calls if c["status"] == 200), key=lambda c: c["time"]):
        chat = int(call["params"]["chat_id"])
        if chat not in first:
            first[chat] = call["time"]
            continue
        between = [n for n, at in enumerate(kills) if first[chat] <= at <= call["time"]]
        if between:
            counts[between[0]] += 1
    return counts


def _recipient_states(db_path: Path, broadcast_id: int) -> dict[int, str]:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        return dict(conn.execute("SELECT chat_id, state FROM broadcast_recipients WHERE broadcast_id = ?",
                                 (broadcast_id,)).fetchall())


async def _more(server: ApiProcess, before: int) -> bool:
    return await _copies(server) > before


async def _done(db_path: Path, broadcast_id: int) -> bool:
    return _status(db_path, broadcast_id) != "running"


def run_drills(quick: bool = False, fuzz_only: int | None = None) -> dict[str, dict[str, Any]]:
    from bench import crash_drill, dialog_kill, fuzz

    report: dict[str, dict[str, Any]] = {}
    if fuzz_only:
        found = fuzz.main(fuzz_only)
        report["fuzz"] = _fuzz_summary(found)
        return report
    with tempfile.TemporaryDirectory(prefix="bench-drills-") as tmp:
        folder = Path(tmp)
        steps = [
            ("broadcast_kill", lambda: asyncio.run(broadcast_kill(folder, 300 if quick else 1000,
                                                                  3 if quick else 10))),
            ("dialog_kill", lambda: asyncio.run(dialog_kill.run(folder))),
            ("crash_drill", lambda: asyncio.run(crash_drill.run(folder, 50 if quick else 200, 3 if quick else 10))),
            ("faults", lambda: asyncio.run(__import__("bench.faults", fromlist=["run"]).run(folder, quick))),
            ("fuzz", lambda: _fuzz_summary(fuzz.main(1_000 if quick else 10_000))),
        ]
        for name, step in steps:
            print(f"… drill {name}", flush=True)
            started = time.perf_counter()
            try:
                report[name] = step()
            except ModuleNotFoundError as exc:
                report[name] = {"ok": None, "note": f"n/a (not built: {exc.name})"}
            except Exception as exc:
                import traceback

                traceback.print_exc()
                report[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            report[name]["seconds"] = round(time.perf_counter() - started, 1)
            print(f"  {name}: {report[name]}", flush=True)
    return report


def _fuzz_summary(found) -> dict[str, Any]:
    return {"ok": found.ok, "updates": found.updates, "replies_checked": found.replies_checked,
            "errors": found.errors[:5], "error_count": len(found.errors),
            "wrong_language": found.wrong_language[:5], "wrong_language_count": len(found.wrong_language)}
