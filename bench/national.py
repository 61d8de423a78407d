"""National-scale queries over the data of bench/seed.py, in a process of their own so that its
peak memory is theirs alone:

    python -m bench.national DB [--runs 5]     # prints one JSON object

digest_ms: the branch-wide weekly digest (gathered and rendered), median of the runs;
missing_ms: `repos.stats.missing(open month)`, median; export_s: the XLSX of the last closed month
(the fullest one); rss_mb: this process's peak resident memory; db_mb: the database file.
A piece that does not exist in the code base yet is null, with its reason in "notes".
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Awaitable, Callable

from bench.common import bench_clock, load, median_ms, peak_rss_mb

CPU: dict[str, float] = {}  # median CPU ms of the last _timed_runs per label: tells load from work


async def _timed_runs(runs: int, action: Callable[[], Awaitable[Any]], label: str) -> list[float]:
    """Wall-clock seconds of each run; the median CPU time (all threads) goes to CPU[label]."""
    samples, cpu = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        await action()
        samples.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    CPU[label] = median_ms(cpu)
    return samples


async def measure(db_path: Path, runs: int = 5) -> dict[str, Any]:
    from bot.context import AppContext

    out: dict[str, Any] = {"digest_ms": None, "missing_ms": None, "export_s": None, "notes": {}}
    with tempfile.TemporaryDirectory(prefix="bench-national-") as folder:
        config = load(Path(folder), db_path)
        clock = bench_clock()
        app = await AppContext.create(config, clock=clock)
        try:
            month = str(app.calendar.open_month(clock.now()))
            missing = await app.repos.stats.missing(month)
            out["notes"]["missing_rows"] = len(missing)
            out["missing_ms"] = median_ms(await _timed_runs(runs, lambda: app.repos.stats.missing(month), "missing"))
            out["digest_ms"] = await _digest(app, runs, out["notes"])
            out["export_s"] = await _export(app, out["notes"])
            out["notes"]["cpu_ms"] = dict(CPU)
        finally:
            await app.db.close()
    out["rss_mb"] = round(peak_rss_mb(), 1)
    out["db_mb"] = round(sum(Path(str(db_path) + s).stat().st_size for s in ("", "-wal")
                             if Path(str(db_path) + s).exists()) / 2 ** 20, 1)
    return out


async def _digest(app, runs: int, notes: dict[str, Any]) -> float | None:
    try:
        from bot.features.digest.service import digest_messages
    except ImportError as exc:
        notes["digest"] = f"not built ({exc})"
        return None
    now = app.clock.now()

    async def branch_digest() -> list[str]:
        with app.i18n.context(), app.i18n.use_locale("kk"):
            return await digest_messages(app.repos, app.calendar, app.config.form, None, now)

    parts = await branch_digest()
    notes["digest_messages"] = len(parts)
    notes["digest_chars"] = sum(len(p) for p in parts)
    return median_ms(await _timed_runs(runs, branch_digest, "digest"))


async def _export(app, notes: dict[str, Any]) -> float | None:
    try:
        from bot.features.export.service import export_month
    except ImportError as exc:
        notes["export"] = f"not built ({exc})"
        return None
    month = app.calendar.last_closed_month(app.clock.now())
    started, cpu_started = time.perf_counter(), time.process_time()
    data, name = await export_month(app.repos, app.config.form, app.i18n, "ru", month, None, as_csv=False)
    seconds = time.perf_counter() - started
    CPU["export"] = round((time.process_time() - cpu_started) * 1000)
    notes["export_file"] = f"{name}, {len(data) / 2 ** 20:.1f} MB"
    return round(seconds, 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.national")
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(measure(args.db, args.runs)), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
