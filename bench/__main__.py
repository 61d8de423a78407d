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
from pathlib import Path
from typing import Callable

from bench.common import REPO

# key, goal description, passes(value) -> bool
GOALS: dict[str, tuple[str, Callable[[float], bool]]] = {
    "dialog_vs_bare_ratio": ("≥ 0.60", lambda v: v >= 0.60),
    "broadcast_rate_ratio": ("≥ 0.95", lambda v: v >= 0.95),
    "broadcast_429": ("every 429 honoured", lambda v: True),
    "digest_ms": ("≤ 100", lambda v: v <= 100),
    "missing_ms": ("≤ 50", lambda v: v <= 50),
    "export_s": ("≤ 3", lambda v: v <= 3),
    "rss_mb": ("≤ 150", lambda v: v <= 150),
    "db_mb": ("(size)", lambda v: True),
    "startup_s": ("≤ 1.5", lambda v: v <= 1.5),
    "dashboard_ms": ("≤ 50", lambda v: v <= 50),
}


class Run:
    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self.figures: dict[str, float | None] = dict.fromkeys(GOALS)
        self.notes: dict[str, str] = {}

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

    def national(self, folder: Path) -> Path:
        from bench.seed import seed
        from bot.config import load_config

        db_path = folder / "national.db"
        orgs, months = (2_000, 12) if self.quick else (10_000, 36)
        seeded = seed(db_path, load_config(REPO / "config.toml").form, orgs, months)
        self.notes["seed"] = (f"{seeded.organizations} organizations in {seeded.districts} districts of 20 regions, "
                              f"{seeded.chairs} chairs, {seeded.reports} reports, seeded in {seeded.seconds:.1f} s")
        out = subprocess.run([sys.executable, "-m", "bench.national", str(db_path), "--runs",
                              "3" if self.quick else "7"], cwd=REPO, capture_output=True, text=True, check=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        for key in ("digest_ms", "missing_ms", "export_s", "rss_mb", "db_mb"):
            self.figures[key] = result[key]
        self.notes["national"] = ", ".join(f"{k}: {v}" for k, v in result["notes"].items())
        return db_path

    def startup(self, db_path: Path, folder: Path) -> None:
        from bench import startup

        median, samples, cpu = startup.run(db_path, folder, self.quick)
        self.figures["startup_s"] = median
        self.notes["startup"] = f"samples {samples} s; CPU used by the first getUpdates {cpu} s"

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
        self.notes["dialog"] = (f"{result.scenario}: {result.updates} updates, {result.dialog_per_s:.0f}/s "
                                f"vs bare {result.bare_per_s:.0f}/s; per dialog update {result.api_calls_per_update} "
                                f"Bot API calls and {result.sql_per_update} SQL statements")

    def broadcast(self) -> None:
        from bench import broadcast

        result = broadcast.run(self.quick)
        lost = result.recipients - result.receipt["sent"] - result.receipt["blocked"] - result.receipt["failed"]
        self.figures["broadcast_rate_ratio"] = result.ratio
        self.figures["broadcast_429"] = result.too_many_requests
        self.notes["broadcast"] = (f"{result.recipients} recipients at limit {result.limit:.0f}/s in {result.seconds} s "
                                   f"({result.rate:.0f}/s); receipt {result.receipt}; not delivered {lost}; "
                                   f"429s {result.too_many_requests}, dishonoured {result.dishonoured_429}; "
                                   f"duplicates {result.duplicates}")
        if result.dishonoured_429 or lost or result.receipt["sent"] != result.recipients:
            self.notes["broadcast"] += "  ← MISS: not every recipient delivered or a 429 not honoured"


STEP_OF = {"dialog_vs_bare_ratio": "dialog", "broadcast_rate_ratio": "broadcast", "broadcast_429": "broadcast",
           "startup_s": "startup", "dashboard_ms": "dashboard"}


def why_missing(run: Run, key: str) -> str:
    """'n/a (not built)' when the piece does not exist in the code base, else 'n/a (error)'."""
    step = STEP_OF.get(key, "national")
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
        verdict = "—" if value is None else ("pass" if passes(value) else "MISS")
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
