"""The Mini App's dashboard at national scale, over the data of bench/seed.py:

    python -m bench.dashboard DB [--runs 7]     # prints one JSON object

dashboard_ms: the slower of the two medians below, each the whole request through the real aiohttp app
(initData check, role, query, JSON) for the branch admin, who sees all 10,000 organizations:
progress_ms (GET /app/api/progress, the open month with its missing list) and trends_ms (GET
/app/api/trends, 12 months of every whole-number field like-for-like and project participation) with
one more report of the open month filed before every request, as on a busy reporting day (the months'
figures are kept between requests until their reports change: db/queries/dashboard.py).
Notes: trends_cold_ms, the first request after start (every month computed); trends_unchanged_ms, with
no report filed in between.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import BRANCH_ADMIN, bench_clock, load, median_ms
from bench.seed import NOW
from bot.sandbox.apimodels import User
from bot.sandbox.miniapp import sign_init_data

TOKEN = "42:BENCH"


async def measure(db_path: Path, runs: int = 7) -> dict[str, Any]:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.app import build_bot
    from bot.context import AppContext
    from bot.features.webapp.server import create_web_app

    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as folder:
        config = load(Path(folder), db_path)
        app = await AppContext.create(config, clock=bench_clock())
        bot = build_bot(TOKEN, config)
        headers = {"Authorization": "tma " + sign_init_data(TOKEN, User(BRANCH_ADMIN, language_code="kk"), NOW)}
        out: dict[str, Any] = {"notes": {}}
        try:
            async with TestClient(TestServer(create_web_app(app, bot))) as client:
                async def get(path: str) -> float:
                    started = time.perf_counter()
                    response = await client.get(path, headers=headers)
                    body = await response.read()
                    assert response.status == 200, (path, response.status, body[:200])
                    out["notes"][path.rsplit("/", 1)[1] + "_kb"] = round(len(body) / 1024, 1)
                    return time.perf_counter() - started

                out["notes"]["trends_cold_ms"] = round(await get("/app/api/trends") * 1000, 1)
                out["progress_ms"] = median_ms([await get("/app/api/progress") for _ in range(runs)])
                out["notes"]["trends_unchanged_ms"] = median_ms([await get("/app/api/trends") for _ in range(runs)])
                month = str(app.calendar.open_month(app.clock.now()))
                missing = await app.repos.stats.missing(month)
                samples = []
                for status in missing[:runs]:
                    await app.repos.reports.submit(status.org_id, month, status.chair_id or 0,
                                                   {"members_total": 100, "projects": []}, False, NOW)
                    samples.append(await get("/app/api/trends"))
                out["trends_ms"] = median_ms(samples)
        finally:
            await bot.session.close()
            await app.db.close()
    out["dashboard_ms"] = max(out["progress_ms"], out["trends_ms"])
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard")
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(measure(args.db, args.runs)), ensure_ascii=False))


if __name__ == "__main__":
    main()
