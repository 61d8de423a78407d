"""National-scale queries over the data of bench/seed.py, in a process of their own so that its
peak memory is theirs alone:

    python -m bench.national DB [--runs 5] [--no-export]   # prints one JSON object
    python -m bench.national DB --cold                      # only the first digest of a fresh process

As `bastau run` does after start-up, gc.freeze() once the context is built.
digest_ms: the branch-wide weekly digest (gathered and rendered), median of the runs after the first
(the first digest over a database with no month totals yet back-fills them: its time, the number of
back-fill steps and the longest write transaction go to the notes); missing_ms:
`repos.stats.missing(open month)`, median; export_s: the XLSX of the last closed month (the fullest one);
rss_mb: this process's peak resident memory; db_mb: the database file.
digest_chart_ms: the digest's chart alone (texts, then drawing the PNG off the event loop), median.
digest_cold_ms (--cold): the first digest in a fresh process, over a database already back-filled.
A piece that does not exist in the code base yet is null, with its reason in "notes".
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

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


async def _context(db_path: Path, folder: str):
    from bot.context import AppContext

    app = await AppContext.create(load(Path(folder), db_path), clock=bench_clock())
    gc.collect()
    gc.freeze()
    return app


def _time_transactions(db) -> list[float]:
    """Seconds each write transaction of `db` holds the write lock, from now on."""
    holds: list[float] = []
    transaction = db.transaction

    @asynccontextmanager
    async def timed() -> AsyncIterator[Any]:
        started = time.perf_counter()
        async with transaction() as tx:
            yield tx
        holds.append(time.perf_counter() - started)

    db.transaction = timed
    return holds


async def measure(db_path: Path, runs: int = 5, export: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"digest_ms": None, "digest_chart_ms": None, "missing_ms": None, "export_s": None,
                           "notes": {}}
    with tempfile.TemporaryDirectory(prefix="bench-national-") as folder:
        app = await _context(db_path, folder)
        try:
            holds = _time_transactions(app.db)
            first = await _first_digest(app, out["notes"])
            if first is not None and holds:
                out["notes"]["backfill"] = (f"first digest {first / 1000:.1f} s, {len(holds)} write transactions, "
                                            f"longest {max(holds) * 1000:.1f} ms, "
                                            f"median {sorted(holds)[len(holds) // 2] * 1000:.1f} ms")
            month = str(app.calendar.open_month(app.clock.now()))
            missing = await app.repos.stats.missing(month)
            out["notes"]["missing_rows"] = len(missing)
            out["missing_ms"] = median_ms(await _timed_runs(runs, lambda: app.repos.stats.missing(month), "missing"))
            out["digest_ms"] = await _digest(app, runs, out["notes"])
            await _region(app, runs, out["notes"])
            out["digest_chart_ms"] = await _digest_chart(app, runs, out["notes"])
            if export:
                out["export_s"] = await _export(app, out["notes"])
            out["notes"]["cpu_ms"] = dict(CPU)
        finally:
            await app.db.close()
    out["rss_mb"] = round(peak_rss_mb(), 1)
    out["db_mb"] = db_mb(db_path)
    return out


def db_mb(db_path: Path) -> float:
    files = [Path(str(db_path) + suffix) for suffix in ("", "-wal")]
    return round(sum(f.stat().st_size for f in files if f.exists()) / 2 ** 20, 1)


async def cold(db_path: Path) -> dict[str, Any]:
    out: dict[str, Any] = {"digest_cold_ms": None, "notes": {}}
    with tempfile.TemporaryDirectory(prefix="bench-national-") as folder:
        app = await _context(db_path, folder)
        try:
            out["digest_cold_ms"] = await _first_digest(app, out["notes"])
        finally:
            await app.db.close()
    return out


async def _first_digest(app, notes: dict[str, Any]) -> float | None:
    """Milliseconds of the process's first branch digest (None when the digest is not built)."""
    try:
        from bot.features.digest.service import digest_messages
    except ImportError as exc:
        notes["digest"] = f"not built ({exc})"
        return None
    started = time.perf_counter()
    with app.i18n.context(), app.i18n.use_locale("kk"):
        await digest_messages(app.repos, app.calendar, app.config.form, None, app.clock.now())
    return round((time.perf_counter() - started) * 1000, 1)


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


async def _region(app, runs: int, notes: dict[str, Any]) -> None:
    """A region admin's view (the first region, ~500 organizations): their digest and /stats progress."""
    from bot.features.digest.service import digest_messages

    region_id = (await app.repos.orgs.regions())[0][0]
    now = app.clock.now()
    month = str(app.calendar.open_month(now))

    async def region_digest() -> list[str]:
        with app.i18n.context(), app.i18n.use_locale("kk"):
            return await digest_messages(app.repos, app.calendar, app.config.form, None, now, region_id)

    notes["region_digest_ms"] = median_ms(await _timed_runs(runs, region_digest, "region_digest"))
    notes["region_progress_ms"] = median_ms(await _timed_runs(
        runs, lambda: app.repos.stats.progress(month, None, region_id), "region_progress"))


async def _digest_chart(app, runs: int, notes: dict[str, Any]) -> float | None:
    """The weekly digest's picture at national scale, apart from its text: gathered once, then drawn
    as the bot draws it, by a child process (its start included)."""
    try:
        from bot.features.digest.chart import chart_spec, draw_in_child
        from bot.features.digest.service import gather_digest
    except ImportError as exc:
        notes["digest_chart"] = f"not built ({exc})"
        return None
    digest = await gather_digest(app.repos, app.calendar, app.config.form, None, app.clock.now())

    async def chart() -> bytes:
        with app.i18n.context(), app.i18n.use_locale("kk"):
            spec = chart_spec(digest, app.config.form, app.calendar)
        return await draw_in_child(spec)

    notes["digest_chart_bytes"] = len(await chart())
    return median_ms(await _timed_runs(runs, chart, "digest_chart"))


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
    parser.add_argument("--no-export", action="store_true")
    parser.add_argument("--cold", action="store_true", help="only the first digest of this fresh process")
    args = parser.parse_args(argv)
    result = asyncio.run(cold(args.db) if args.cold else measure(args.db, args.runs, not args.no_export))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
