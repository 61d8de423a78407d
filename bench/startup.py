"""Seconds from starting `bastau run` (a subprocess) to its first getUpdates at a local Bot API server,
with the national-scale database, against a minimal stock aiogram bot (bench/stock_bot.py) started the
same way in the same run, one after the other; and each process's peak resident memory at that moment."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import REPO, write_config
from bot.sandbox.apiserver import LocalBotAPI


def bastau_env(config: Path, api_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BASTAU_")}
    env.update(BOT_TOKEN="42:TEST", TELEGRAM_API_SERVER=api_url, BASTAU_CONFIG=str(config),
               BASTAU_LOG_LEVEL="WARNING", PYTHONPATH=str(REPO))
    return env


def start_bastau(config: Path, api_url: str, log_file: Path) -> subprocess.Popen:
    """`bastau run` as its own process (its own process group, so a kill reaches only it)."""
    with log_file.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=REPO, env=bastau_env(config, api_url),
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def start_stock_bot(api_url: str, log_file: Path) -> subprocess.Popen:
    """bench/stock_bot.py as a plain script (-P: not even its folder on sys.path), stock aiogram."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BASTAU_", "PYTHON"))}
    env.update(BOT_TOKEN="42:TEST", TELEGRAM_API_SERVER=api_url)
    with log_file.open("ab") as out:
        return subprocess.Popen([sys.executable, "-P", str(REPO / "bench" / "stock_bot.py")], cwd=REPO, env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            return process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.wait()


class FirstPoll:
    """A `faults` hook of the server that records when the first getUpdates arrives (not when it returns)."""

    def __init__(self) -> None:
        self.at: float | None = None
        self.seen = asyncio.Event()

    def __call__(self, method: str, params: dict) -> None:
        if method.lower() == "getupdates" and self.at is None:
            self.at = time.perf_counter()
            self.seen.set()
        return None


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a running process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmHWM in /proc")


@dataclass
class Starts:
    """Per start: seconds to the first getUpdates, CPU seconds used by then, peak RSS (MB) by then."""
    seconds: list[float]
    cpu: list[float]
    rss_mb: list[float]

    @property
    def median(self) -> float:
        return round(sorted(self.seconds)[len(self.seconds) // 2], 2)


async def _start(launch, folder: Path, db_path: Path | None, into: Starts) -> None:
    first = FirstPoll()
    async with LocalBotAPI(faults=first) as server:
        config = write_config(folder, db_path, server.base_url) if db_path else None
        started = time.perf_counter()
        process = launch(config, server.base_url)
        try:
            await asyncio.wait_for(first.seen.wait(), 60)
            into.cpu.append(round(cpu_seconds(process.pid), 2))
            into.rss_mb.append(peak_rss_mb(process.pid))
        finally:
            await asyncio.to_thread(stop, process)
        into.seconds.append(round(first.at - started, 2))


async def measure(db_path: Path, folder: Path, runs: int = 3) -> tuple[Starts, Starts]:
    """`runs` starts of `bastau run` (the first also applies any pending migration) and of the stock
    bot, alternating."""
    bastau, stock = Starts([], [], []), Starts([], [], [])
    log = folder / "startup.log"
    for _ in range(runs):
        await _start(lambda config, url: start_bastau(config, url, log), folder, db_path, bastau)
        await _start(lambda config, url: start_stock_bot(url, log), folder, None, stock)
    return bastau, stock


def run(db_path: Path, folder: Path, quick: bool = False) -> tuple[Starts, Starts]:
    return asyncio.run(measure(db_path, folder, 1 if quick else 3))
