"""Benchmarks and fault drills of Bastau.

    python -m bench                  # every benchmark at full scale, then a table with goals
    python -m bench --quick          # smaller data and runs (about a minute)
    python -m bench --json FILE      # also write the figures (a number or null each)
    python -m bench --drills         # the slow fault drills (kill -9, fuzz 10,000, injected faults)
    python -m bench --fuzz [N]       # only the fuzz drill, N updates (default 10,000)
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bench.common import REPO

# key, goal description, passes(value) -> bool
GOALS: dict[str, tuple[str, Callable[[float], bool]]] = {
    "dialog_vs_bare_ratio": ("≥ 0.60", lambda v: v >= 0.60),
    "dialog_vs_floor": ("≥ 0.85", lambda v: v >= 0.85),
    "broadcast_rate_ratio": ("≥ 0.95", lambda v: v >= 0.95),
    "broadcast_429": ("every 429 honoured", lambda v: True),
    "broadcast_busiest_second": ("≤ limit (500)", lambda v: v <= 500),
    "digest_ms": ("≤ 100", lambda v: v <= 100),
    "digest_cold_ms": ("≤ 100", lambda v: v <= 100),
    "digest_chart_ms": ("(apart from digest_ms)", lambda v: True),
    "missing_ms": ("≤ 50", lambda v: v <= 50),
    "export_s": ("≤ 3", lambda v: v <= 3),
    "rss_mb": ("≤ 150", lambda v: v <= 150),
    "rss_vs_aiogram": ("≤ 0.75", lambda v: v <= 0.75),
    "db_mb": ("(size)", lambda v: True),
    "startup_s": ("≤ 1.5", lambda v: v <= 1.5),
    "dashboard_ms": ("≤ 50", lambda v: v <= 50),
    "startup_vs_aiogram": ("≤ 0.45", lambda v: v <= 0.45),
    "digest_ms_50k": ("≤ 150", lambda v: v <= 150),
    "missing_ms_50k": ("≤ 100", lambda v: v <= 100),
    "webhook_updates_per_s": ("(figure)", lambda v: True),
    "webhook_pg_1_per_s": ("(figure)", lambda v: True),
    "webhook_pg_2_per_s": ("(figure)", lambda v: True),
    "webhook_2_vs_1": ("(figure)", lambda v: True),
    "failover_s": ("≤ 30 ([cluster] failover_s)", lambda v: v <= 30),
}


class Run:
    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self.figures: dict[str, float | None] = dict.fromkeys(GOALS)
        self.notes: dict[str, str] = {}
        self.failed: set[str] = set()  # keys that miss whatever their value

    def step(self, name: str, action: Callable[[], None]) -> None:
        print(f"… {name}", flush=True)
        started = time.perf_counter()
        try:
            action()
        except ModuleNotFoundError as exc:
            self.notes[name] = f"n/a (not built: {exc.name})"
        except Exception as exc:  # a broken piece leaves its figures null and the others go on
            traceback.print_exc()
            self.notes[name] = f"error: {type(exc).__name__}: {exc}"
        print(f"  {name}: {time.perf_counter() - started:.1f} s", flush=True)

    def _national(self, db_path: Path, *args: str) -> dict:
        out = subprocess.run([sys.executable, "-m", "bench.national", str(db_path), *args], cwd=REPO,
                             capture_output=True, text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    def national(self, folder: Path) -> Path:
        from bench.seed import seed
        from bot.config import load_config

        db_path = folder / "national.db"
        orgs, months = (2_000, 12) if self.quick else (10_000, 36)
        seeded = seed(db_path, load_config(REPO / "config.toml").form, orgs, months)
        self.notes["seed"] = (f"{seeded.organizations} organizations in {seeded.districts} districts of 20 regions, "
                              f"{seeded.chairs} chairs, {seeded.reports} reports, seeded in {seeded.seconds:.1f} s")
        result = self._national(db_path, "--runs", "3" if self.quick else "7")
        for key in ("digest_ms", "digest_chart_ms", "missing_ms", "export_s", "rss_mb", "db_mb"):
            self.figures[key] = result[key]
        self.notes["national"] = ", ".join(f"{k}: {v}" for k, v in result["notes"].items())
        self.figures["digest_cold_ms"] = self._national(db_path, "--cold")["digest_cold_ms"]
        return db_path

    def national_50k(self, folder: Path) -> None:
        from bench.seed import seed
        from bot.config import load_config

        db_path = folder / "national-50k.db"
        seeded = seed(db_path, load_config(REPO / "config.toml").form, 50_000, 36, tallied=True)
        self.notes["seed_50k"] = (f"{seeded.organizations} organizations, {seeded.reports} reports, month totals "
                                  f"kept by the triggers while seeding, {seeded.seconds:.0f} s")
        result = self._national(db_path, "--runs", "7", "--no-export")
        self.figures["digest_ms_50k"], self.figures["missing_ms_50k"] = result["digest_ms"], result["missing_ms"]
        self.notes["national_50k"] = ", ".join(f"{k}: {v}" for k, v in result["notes"].items())
        db_path.unlink()

    def startup(self, db_path: Path, folder: Path) -> None:
        from bench import startup

        bastau, stock = startup.run(db_path, folder, self.quick)
        self.figures["startup_s"] = bastau.median
        self.figures["startup_vs_aiogram"] = round(bastau.median / stock.median, 3)
        stock_rss = sorted(stock.rss_mb)[len(stock.rss_mb) // 2]
        if self.figures["rss_mb"]:
            self.figures["rss_vs_aiogram"] = round(self.figures["rss_mb"] / stock_rss, 3)
        self.notes["startup"] = (f"bastau run {bastau.seconds} s (CPU by the first getUpdates {bastau.cpu} s, "
                                 f"peak RSS {bastau.rss_mb} MB); stock aiogram bot {stock.seconds} s "
                                 f"(CPU {stock.cpu} s, peak RSS {stock.rss_mb} MB)")

    def dashboard(self, db_path: Path) -> None:
        runs = "3" if self.quick else "7"
        out = subprocess.run([sys.executable, "-m", "bench.dashboard", str(db_path), "--runs", runs],
                             cwd=REPO, capture_output=True, text=True, check=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        self.figures["dashboard_ms"] = result["dashboard_ms"]
        self.notes["dashboard"] = ", ".join(f"{k}: {v}" for k, v in
                                            {**result["notes"], "progress_ms": result["progress_ms"],
                                             "trends_ms": result["trends_ms"]}.items())

    def dialog(self) -> None:
        from bench import dialog

        result = dialog.run(self.quick)
        self.figures["dialog_vs_bare_ratio"] = result.ratio
        self.figures["dialog_vs_floor"] = result.vs_floor
        self.notes["dialog"] = (f"{result.scenario}: {result.updates} updates, {result.dialog_per_s:.0f}/s "
                                f"vs bare {result.bare_per_s:.0f}/s and floor {result.floor_per_s:.0f}/s; per "
                                f"dialog update {result.api_calls_per_update} Bot API calls, "
                                f"{result.sql_per_update} SQL statements of which {result.hops_per_update} "
                                f"in a worker thread")

    def broadcast(self) -> None:
        from bench import broadcast

        result = broadcast.run(self.quick)
        lost = result.recipients - result.receipt["sent"] - result.receipt["blocked"] - result.receipt["failed"]
        self.figures["broadcast_rate_ratio"] = result.ratio
        self.figures["broadcast_429"] = result.too_many_requests
        self.figures["broadcast_busiest_second"] = result.busiest_second
        self.notes["broadcast"] = (f"{result.recipients} messages (two broadcasts) at server limit "
                                   f"{result.limit:.0f}/s, bot at {result.limit * broadcast.OVER_LIMIT:.0f}/s, "
                                   f"in {result.seconds} s; after the first second {result.steady_rate}/s; "
                                   f"receipt {result.receipt}; not delivered {lost}; 429s "
                                   f"{result.too_many_requests}, dishonoured {result.dishonoured_429}; duplicates "
                                   f"{result.duplicates}; progress edits {result.progress_edits}")
        if result.dishonoured_429 or lost or result.receipt["sent"] != result.recipients:
            self.failed.add("broadcast_rate_ratio")  # a rate bought with lost messages or ignored 429s fails
            self.notes["broadcast"] += "  ← MISS: not every message delivered or a 429 not honoured"

    def webhook(self) -> None:
        from bench import webhook

        result = webhook.run(self.quick)
        self.figures["webhook_updates_per_s"] = result.updates_per_s
        self.notes["webhook"] = (f"{result.workers} web worker on {result.engine}: {result.chairs} chairs, "
                                 f"{result.updates} updates POSTed (one in flight per chat, {webhook.MAX_CONNECTIONS} "
                                 f"at once) and handled in {result.seconds} s, the last 200 after "
                                 f"{result.ack_seconds} s; worker CPU {result.worker_cpu_s} s "
                                 f"({result.updates_per_cpu_s} updates per CPU second)")

    def webhook_cluster(self) -> None:
        from bench import webhook

        one, two = webhook.run_cluster(self.quick)
        self.figures["webhook_pg_1_per_s"], self.figures["webhook_pg_2_per_s"] = one.updates_per_s, two.updates_per_s
        self.figures["webhook_2_vs_1"] = round(two.updates_per_s / one.updates_per_s, 2)
        self.notes["webhook_cluster"] = (f"--role web workers on PostgreSQL + Redis, {one.chairs} chairs: 1 worker "
                                         f"{one.seconds} s (CPU {one.worker_cpu_s} s), 2 workers {two.seconds} s "
                                         f"(CPU {two.worker_cpu_s} s)")


    def failover(self) -> None:
        from bench import failover

        result = failover.run(rounds=1 if self.quick else 3)
        self.figures["failover_s"] = result.median
        self.notes["failover"] = (f"two `bastau run --role worker` on PostgreSQL, {result.lock} lock, "
                                  f"leader killed with kill -9: standby led after {result.failover_s} s "
                                  f"(configured {result.configured_s:g} s)")
        if not self.quick:
            advisory = failover.run(rounds=3, lock="postgresql")
            self.notes["failover"] += f"; without Redis (advisory lock) {advisory.failover_s} s"


STEP_OF = {"dialog_vs_bare_ratio": "dialog", "dialog_vs_floor": "dialog", "broadcast_rate_ratio": "broadcast",
           "broadcast_429": "broadcast", "broadcast_busiest_second": "broadcast", "startup_s": "startup",
           "startup_vs_aiogram": "startup", "rss_vs_aiogram": "startup", "digest_ms_50k": "national_50k",
           "missing_ms_50k": "national_50k", "dashboard_ms": "dashboard", "webhook_updates_per_s": "webhook",
           "webhook_pg_1_per_s": "webhook_cluster", "webhook_pg_2_per_s": "webhook_cluster",
           "webhook_2_vs_1": "webhook_cluster", "failover_s": "failover"}


def why_missing(run: Run, key: str) -> str:
    """'n/a (not built)' when the piece does not exist in the code base, else 'n/a (error)'."""
    step = STEP_OF.get(key, "national")
    if step == "national_50k" and run.quick:
        return "n/a (full run)"
    note = run.notes.get(step, "")
    piece = key.removesuffix("_ms").removesuffix("_s")
    if "not built" in note and (step != "national" or f"{piece}: not built" in note):
        return "n/a (not built)"
    return "n/a (error)"


def table(run: Run) -> str:
    lines = [f"{'figure':<22} {'value':>16}  {'goal':<20} result", "-" * 70]
    for key, (goal, passes) in GOALS.items():
        value = run.figures[key]
        shown = why_missing(run, key) if value is None else f"{value:g}"
        verdict = "—" if value is None else ("pass" if passes(value) and key not in run.failed else "MISS")
        lines.append(f"{key:<22} {shown:>16}  {goal:<20} {verdict}")
    lines.append("")
    lines += [f"{name}: {note}" for name, note in run.notes.items()]
    return "\n".join(lines)


def benchmarks(quick: bool) -> Run:
    run = Run(quick)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        folder = Path(tmp)
        holder: dict[str, Path] = {}
        run.step("national", lambda: holder.update(db=run.national(folder)))
        if "db" in holder:
            run.step("startup", lambda: run.startup(holder["db"], folder))
            run.step("dashboard", lambda: run.dashboard(holder["db"]))  # files a few reports: after startup
        run.step("dialog", run.dialog)
        run.step("broadcast", run.broadcast)
        run.step("webhook", run.webhook)
        run.step("webhook_cluster", run.webhook_cluster)
        run.step("failover", run.failover)
        if not quick:
            run.step("national_50k", lambda: run.national_50k(folder))
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller data and fewer runs")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--drills", action="store_true", help="run the slow fault drills instead")
    parser.add_argument("--fuzz", type=int, nargs="?", const=10_000, help="run only the fuzz drill")
    args = parser.parse_args(argv)
    if args.fuzz or args.drills:
        from bench.drills import run_drills

        report = run_drills(quick=args.quick, fuzz_only=args.fuzz)
        print(json.dumps(report, ensure_ascii=False, indent=2))
        if args.json:
            args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        return 0 if all(r.get("ok") for r in report.values()) else 1
    started = time.perf_counter()
    run = benchmarks(args.quick)
    print()
    print(table(run))
    print(f"\n{'quick' if args.quick else 'full'} run: {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(run.figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
