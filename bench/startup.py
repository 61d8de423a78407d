"""Seconds from starting `bastau run` (a subprocess) to its first getUpdates at a local Bot API server,
with the national-scale database."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
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


async def measure(db_path: Path, folder: Path, runs: int = 3) -> tuple[float, list[float], list[float]]:
    """Median and all samples of `runs` starts (the first also applies any pending migration), and the
    CPU seconds the process had used by its first getUpdates (wall minus CPU is waiting for a core)."""
    samples, cpu = [], []
    for n in range(runs):
        first = FirstPoll()
        async with LocalBotAPI(faults=first) as server:
            config = write_config(folder, db_path, server.base_url)
            started = time.perf_counter()
            process = start_bastau(config, server.base_url, folder / "startup.log")
            try:
                await asyncio.wait_for(first.seen.wait(), 60)
                cpu.append(round(cpu_seconds(process.pid), 2))
            finally:
                await asyncio.to_thread(stop, process)
            samples.append(first.at - started)
    return round(sorted(samples)[len(samples) // 2], 2), [round(s, 2) for s in samples], cpu


def run(db_path: Path, folder: Path, quick: bool = False) -> tuple[float, list[float], list[float]]:
    return asyncio.run(measure(db_path, folder, 1 if quick else 3))
