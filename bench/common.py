"""What every measurement and drill shares: a config for a given database, the bench clock, memory."""
from __future__ import annotations

import os
import statistics
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from bench.seed import NOW
from bot.domain.clock import FakeClock

REPO = Path(__file__).resolve().parent.parent
BRANCH_ADMIN = 900
DISTRICT_ADMIN = 901


def write_config(folder: Path, db_path: Path, api_server: str = "", district: str | None = None,
                 broadcast_rate: float | None = None) -> Path:
    """The repository's config.toml with another database, API server, broadcast rate and bootstrap
    admins (900 for the branch, 901 for `district` if given)."""
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    if broadcast_rate:
        text = text.replace("rate_per_second = 25", f"rate_per_second = {broadcast_rate}")
    text = text.replace('db_path = "bastau.db"', f'db_path = "{db_path}"')
    text = text.replace('api_server = ""', f'api_server = "{api_server}"')
    text += f'\n[[admins]]\ntelegram_id = {BRANCH_ADMIN}\nscope = "branch"\n'
    if district:
        text += f'\n[[admins]]\ntelegram_id = {DISTRICT_ADMIN}\nscope = "district"\ndistrict = "{district}"\n'
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def webhook_config(config: Path, port: int) -> Path:
    """A copy of a config (write_config's) with [web] and [webhook] on `port` (one server) and the webhook's
    url there: `bastau run --webhook` with WEBHOOK_SECRET set then takes its updates by POST."""
    text = config.read_text(encoding="utf-8").replace("port = 8090", f"port = {port}")
    text = text.replace('enabled = false\nurl = ""',
                        f'enabled = false\nurl = "http://127.0.0.1:{port}/telegram/webhook"')
    path = config.with_name(f"config-{port}.toml")
    path.write_text(text, encoding="utf-8")
    return path


def load(folder: Path, db_path: Path, api_server: str = "", **kwargs):
    from bot.config import load_config

    for name in ("BASTAU_DB", "TELEGRAM_API_SERVER"):
        os.environ.pop(name, None)
    return load_config(write_config(folder, db_path, api_server, **kwargs))


def bench_clock() -> FakeClock:
    """2026-11-26 10:00 in Almaty: November's report is open, the data of bench.seed fits it."""
    return FakeClock(NOW)


def peak_rss_mb() -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """`with stopwatch() as t: ...` then t[0] is the elapsed seconds."""
    out: list[float] = []
    started = time.perf_counter()
    try:
        yield out
    finally:
        out.append(time.perf_counter() - started)


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


@contextmanager
def cluster_servers(folder: Path, redis: bool = True) -> Iterator[tuple[Any, str]]:
    """A throw-away PostgreSQL (its template migrated) and, with `redis`, a Redis in `folder` (the servers of
    tests/support/): yields the PostgreSQL server and the Redis URL ("" without), both stopped at the end."""
    from tests.support.postgres import PgServer
    from tests.support.redis import start_redis, stop_redis

    with ExitStack() as stack:
        pg = PgServer.start()
        stack.callback(pg.stop)
        pg.make_template()
        redis_url = ""
        if redis:
            server = start_redis(folder)
            stack.callback(stop_redis, server)
            redis_url = server.url()
        yield pg, redis_url
