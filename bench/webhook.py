"""webhook_updates_per_s: updates per second that `bastau run --webhook` web workers take (the POST
answered 200 once the update is in the inbox) and handle (the bot's reply delivered to the local Bot
API server, its own process).

The bench plays Telegram: registered chairs open the report (`/report`) and answer its first
questions; each chat's next update is POSTed when the previous one got its 200 (one in flight per
chat, as Telegram does), up to `max_connections` requests at once over all chats, round robin over the
web workers. The clock runs from the first POST to the last expected reply (one question per update).
The messages are dated an hour ahead, so that each answer is taken for the question the bot asked
just before it however fast the bench sends (the dialog tells an answer's question by its date).

SQLite (the default) allows one worker. With `--database-url postgresql://...` and `--redis-url
redis://...` (BASTAU_DATABASE_URL / BASTAU_REDIS_URL for the workers) `--workers N` runs N of them
(`--role web` when given); `--cluster` measures 1 and 2 `--role web` workers on a throw-away PostgreSQL
and Redis. `python -m bench` measures 1 worker on SQLite, and the cluster figures where those servers
and the cluster code exist.

    python -m bench.webhook [--chairs 200] [--workers 1] [--database-url URL --redis-url URL --role web]
    python -m bench.webhook --cluster
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bench.apiproc import ApiProcess
from bench.common import REPO, cluster_servers, free_port, webhook_config, write_config
from bench.crash_drill import FIRST_CHAIR, _prepare
from bench.startup import cpu_seconds, stop

SECRET = "bench-webhook-secret"
ANSWERS = ("/report", "400", "3", "1", "4")  # each gets one message back: the next question
AHEAD_S = 3600
MAX_CONNECTIONS = 40
READY_TIMEOUT_S = 120.0
QUIET_S = 2.0


@dataclass
class Result:
    workers: int
    chairs: int
    updates: int
    seconds: float
    ack_seconds: float  # to the last 200
    engine: str
    worker_cpu_s: float  # CPU time the workers used in that span (tells the work from waiting on a busy machine)

    @property
    def updates_per_s(self) -> float:
        return round(self.updates / self.seconds, 1)

    @property
    def updates_per_cpu_s(self) -> float:
        return round(self.updates / self.worker_cpu_s, 1) if self.worker_cpu_s else 0.0


def _start_worker(config: Path, api_url: str, log: Path, env_extra: dict[str, str], role: str | None
                  ) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BASTAU_")}
    env.update(BOT_TOKEN="42:TEST", TELEGRAM_API_SERVER=api_url, BASTAU_CONFIG=str(config), WEBHOOK_SECRET=SECRET,
               BASTAU_LOG_LEVEL="WARNING", PYTHONPATH=str(REPO), **env_extra)
    args = [sys.executable, "-m", "bot.cli", "run", "--webhook", *(["--role", role] if role else [])]
    with log.open("ab") as out:
        return subprocess.Popen(args, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _update(update_id: int, chair: int, text: str) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()) + AHEAD_S, "text": text,
        "chat": {"id": chair, "type": "private"},
        "from": {"id": chair, "is_bot": False, "first_name": f"Төраға {chair}", "language_code": "kk"}}}


async def _ready(server: ApiProcess, workers: int) -> None:
    """Every worker has called setWebhook (after its replay and resume), and the start's reminders are out."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while len(await server.control("log", method="setWebhook")) < workers:
        if time.monotonic() > deadline:
            raise RuntimeError("the web workers did not set the webhook in time (see the log)")
        await asyncio.sleep(0.2)
    delivered = -1
    while delivered != (delivered := (await server.control("stats"))["delivered"]):  # noqa: ASYNC110 (a count)
        await asyncio.sleep(QUIET_S)
    await server.control("reset_stats", {})


async def _drive(server: ApiProcess, urls: list[str], chairs: int) -> tuple[float, float]:
    ids = itertools.count(1)
    gate = asyncio.Semaphore(MAX_CONNECTIONS)
    targets = itertools.cycle(urls)
    expected = chairs * len(ANSWERS)
    async with aiohttp.ClientSession() as http:
        async def chat(chair: int) -> None:
            for text in ANSWERS:
                update = _update(next(ids), chair, text)
                while True:
                    async with gate, http.post(next(targets), json=update,
                                               headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
                        if response.status == 200:
                            break
                    await asyncio.sleep(0.1)  # as Telegram, the same update again

        started = time.perf_counter()
        await asyncio.gather(*(chat(FIRST_CHAIR + n) for n in range(chairs)))
        acked = time.perf_counter() - started
        while (await server.control("stats"))["delivered"] < expected:  # noqa: ASYNC110 (a count)
            await asyncio.sleep(0.02)
        seconds = time.perf_counter() - started
    for chair in (FIRST_CHAIR, FIRST_CHAIR + chairs - 1):  # a figure bought with wrong handling is no figure
        last = (await server.control("messages", chat_id=chair, bot_only=1))[-1]["data"].get("text") or ""
        if f"Сұрақ {len(ANSWERS)}/" not in last:
            raise RuntimeError(f"chair {chair} was not taken through the dialog: {last[:80]!r}")
    return seconds, acked


async def measure(folder: Path, chairs: int = 200, workers: int = 1, database_url: str = "", redis_url: str = "",
                  role: str | None = None) -> Result:
    if workers > 1 and not database_url.startswith("postgresql"):
        raise ValueError("more than one web worker needs PostgreSQL (--database-url) and Redis (--redis-url)")
    db_path = folder / "webhook.db"
    env = {k: v for k, v in (("BASTAU_DATABASE_URL", database_url), ("BASTAU_REDIS_URL", redis_url)) if v}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the chairs are seeded where the workers will look (AppContext opens the URL)
    try:
        await _prepare(folder, db_path, chairs)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    log = folder / "webhook.log"
    async with ApiProcess() as server:
        ports = [free_port() for _ in range(workers)]
        configs = [webhook_config(write_config(folder, db_path, server.url), port) for port in ports]
        processes = [_start_worker(config, server.url, log, env, role) for config in configs]
        try:
            await _ready(server, workers)
            cpu_before = sum(cpu_seconds(p.pid) for p in processes)
            seconds, acked = await _drive(server, [f"http://127.0.0.1:{p}/telegram/webhook" for p in ports], chairs)
            cpu = sum(cpu_seconds(p.pid) for p in processes) - cpu_before
        finally:
            for process in processes:
                stop(process, signal.SIGTERM)
    return Result(workers, chairs, chairs * len(ANSWERS), round(seconds, 2), round(acked, 2),
                  "postgresql" if database_url.startswith("postgresql") else "sqlite", round(cpu, 2))


def run(quick: bool = False) -> Result:
    with tempfile.TemporaryDirectory(prefix="bench-webhook-") as tmp:
        return asyncio.run(measure(Path(tmp), chairs=60 if quick else 200))


def run_cluster(quick: bool = False) -> tuple[Result, Result]:
    """One, then two `--role web` workers on a throw-away PostgreSQL and Redis (the servers of tests/support/),
    each run on a fresh database."""
    chairs = 60 if quick else 200
    with tempfile.TemporaryDirectory(prefix="bench-webhook-") as tmp, cluster_servers(Path(tmp)) as (pg, redis_url):
        results = []
        for workers in (1, 2):
            part = Path(tmp) / f"workers-{workers}"
            part.mkdir()
            results.append(asyncio.run(measure(part, chairs, workers, pg.fresh_database(), redis_url, "web")))
    return results[0], results[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.webhook", description=__doc__.splitlines()[0])
    parser.add_argument("--chairs", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--role", default=None, help="passed to `bastau run` (e.g. web)")
    parser.add_argument("--cluster", action="store_true",
                        help="1 and 2 --role web workers on a throw-away PostgreSQL and Redis, and their ratio")
    args = parser.parse_args(argv)
    if args.cluster:
        one, two = run_cluster(args.chairs < 200)
        print(json.dumps({"webhook_pg_1_per_s": one.updates_per_s, "webhook_pg_2_per_s": two.updates_per_s,
                          "webhook_2_vs_1": round(two.updates_per_s / one.updates_per_s, 2),
                          "one": one.__dict__, "two": two.__dict__}, ensure_ascii=False))
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-webhook-") as tmp:
        result = asyncio.run(measure(Path(tmp), args.chairs, args.workers, args.database_url, args.redis_url,
                                     args.role))
    print(json.dumps({"webhook_updates_per_s": result.updates_per_s, "updates_per_cpu_s": result.updates_per_cpu_s,
                      **result.__dict__}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
