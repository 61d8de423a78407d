"""kill -9 of the real `bastau run` process in the middle of a broadcast, then a restart
(the short version of bench/drills.py's broadcast drill): every recipient ends sent, blocked or
failed, at most the message in flight at each kill goes twice, the database stays intact."""
from __future__ import annotations

import pytest

from bench.drills import broadcast_kill


@pytest.mark.slow
async def test_broadcast_survives_kill_minus_nine(tmp_path):
    result = await broadcast_kill(tmp_path, recipients=80, kills=2, rate=25.0, seed=11)
    assert result["kills"] >= 1 and result["finished"], result
    assert set(result["states"]) <= {"sent", "blocked", "failed"}, result["states"]
    assert sum(result["states"].values()) == 80
    assert result["marked_sent_never_delivered"] == 0
    assert max(result["duplicates_at_each_kill"], default=0) <= 1, result
    assert result["integrity"] == "ok" and result["backup_same_rows"]
