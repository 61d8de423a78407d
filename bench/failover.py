"""failover_s: how long after the leading worker is killed with kill -9 the standby leads.

Two real `bastau run --role worker` processes on a throw-away PostgreSQL and Redis (the servers of
tests/support/), with the local Bot API server (its own process) for their getMe. Each round kills the
leader (found by its log line), times until the other one logs that it leads, then starts the killed one
again as the standby. `[cluster] failover_s` is the bound: the Redis key lives failover_s / 2 and a
standby tries every failover_s / 4.

    python -m bench.failover [--rounds 3] [--failover-s 30] [--lock redis|postgresql]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.apiproc import ApiProcess
from bench.common import REPO, cluster_servers, write_config
from bench.startup import bastau_env, stop

LEADS = "this process leads the workers"
START_S = 90.0


@dataclass
class Result:
    failover_s: list[float]
    configured_s: float
    lock: str

    @property
    def median(self) -> float:
        return round(statistics.median(self.failover_s), 2)


class Worker:
    def __init__(self, name: str, folder: Path, env: dict[str, str]) -> None:
        self.log = folder / f"{name}.log"
        self.env = env
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--role", "worker"], cwd=REPO,
                                            env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def leads(self) -> int:
        """How many times this worker's log says it became the leader."""
        return self.log.read_text(errors="replace").count(LEADS) if self.log.exists() else 0

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


async def wait_for(condition, within_s: float, what: str, workers: list[Worker]) -> float:
    """Poll every 20 ms; the monotonic time it became true."""
    deadline = time.monotonic() + within_s
    while not condition():
        if time.monotonic() > deadline:
            tails = {w.log.name: w.log.read_text(errors="replace")[-800:] for w in workers if w.log.exists()}
            raise RuntimeError(f"{what} did not happen within {within_s:g} s; logs: {tails}")
        await asyncio.sleep(0.02)
    return time.monotonic()


async def measure(folder: Path, database_url: str, redis_url: str, rounds: int, failover_s: float) -> list[float]:
    async with ApiProcess() as api:
        config = write_config(folder, folder / "unused.db", api_server=api.url)
        env = bastau_env(config, api.url) | {"BASTAU_DATABASE_URL": database_url,
                                             "BASTAU_CLUSTER__FAILOVER_S": str(failover_s)}
        if redis_url:
            env["BASTAU_REDIS_URL"] = redis_url
        migrated = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "bot.cli", "migrate"], cwd=REPO,
                                           env=env, capture_output=True, text=True, timeout=120)
        if migrated.returncode != 0:
            raise RuntimeError(f"bastau migrate failed: {migrated.stderr[-500:]}")
        workers = [Worker("worker-a", folder, env), Worker("worker-b", folder, env)]
        times: list[float] = []
        try:
            for worker in workers:
                worker.start()
            await wait_for(lambda: sum(w.leads() for w in workers) == 1, START_S, "a first leader", workers)
            for _ in range(rounds):
                leader = next(w for w in workers if w.alive() and w.leads() and _is_leader(w, workers))
                standby = next(w for w in workers if w is not leader)
                before = standby.leads()
                await asyncio.sleep(1.0)  # the standby is up and trying
                killed_at = time.monotonic()
                assert leader.process is not None
                leader.process.send_signal(signal.SIGKILL)
                leader.process.wait()
                took_over = await wait_for(lambda s=standby, b=before: s.leads() > b, failover_s * 3 + 30,
                                           "the standby's takeover", workers)
                times.append(round(took_over - killed_at, 2))
                leader.start()
                await asyncio.sleep(3.0)  # started again, as the standby
        finally:
            for worker in workers:
                if worker.process is not None:
                    stop(worker.process)
        return times


def _is_leader(worker: Worker, workers: list[Worker]) -> bool:
    """The live worker whose log said it leads most recently (the others since stood by or were killed)."""
    live = [w for w in workers if w.alive() and w.leads()]
    return worker is max(live, key=lambda w: w.log.stat().st_mtime if w.leads() else 0)


def run(rounds: int = 3, failover_s: float = 30.0, lock: str = "redis") -> Result:
    with tempfile.TemporaryDirectory(prefix="bench-failover-") as tmp, \
            cluster_servers(Path(tmp), redis=lock == "redis") as (pg, redis_url):
        times = asyncio.run(measure(Path(tmp), pg.fresh_database(), redis_url, rounds, failover_s))
    return Result(times, failover_s, lock)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.failover", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--failover-s", type=float, default=30.0)
    parser.add_argument("--lock", choices=("redis", "postgresql"), default="redis")
    args = parser.parse_args(argv)
    result = run(args.rounds, args.failover_s, args.lock)
    print(json.dumps({"failover_s": result.median, "rounds": result.failover_s, "configured_s": result.configured_s,
                      "lock": result.lock}))


if __name__ == "__main__":
    main()
