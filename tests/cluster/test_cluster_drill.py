"""The cluster drill (bench/cluster_drill.py) at the size issue 14 names: two web processes behind a
round-robin proxy, two workers, PostgreSQL and Redis; 100 chairs file full reports while the leading
worker and one web process are killed with kill -9 and started again."""
from __future__ import annotations

import json

import pytest

from bench.cluster_drill import run

pytestmark = pytest.mark.slow


async def test_the_cluster_loses_nothing_when_a_web_process_and_the_leader_are_killed(tmp_path, pg_url, redis_url):
    result = await run(tmp_path, pg_url, redis_url, chairs=100, silent=100, recipients=200, failover_s=4.0)
    shown = json.dumps(result, ensure_ascii=False, indent=1)[:6000]
    assert result["kills"] == 2, shown
    assert result["finished"] == 100 and result["reports_exact"] == 100, shown  # every report complete and correct
    assert result["inbox_rows_not_done"] == 0, shown  # every stored update handled, the killed process's too
    # Every reminder due in the window sent exactly once (one in flight at the leader's kill stays claimed
    # until db/queries/sent.py's claim timeout: counted, at most one per kill).
    assert result["reminded_twice_or_more"] == 0, shown
    assert result["not_reminded"] == result["reminders_still_claimed"] <= 1, shown
    # The broadcast finished by the standby: every recipient reached, at most one duplicate per kill.
    assert result["broadcast"] == "done" and result["broadcast_recipients_reached"] == 200, shown
    assert max(result["broadcast_duplicates_at_each_kill"]) <= 1, shown
    assert sum(result["leaders"].values()) >= 2, shown  # the standby took over
    assert result["ok"], shown
