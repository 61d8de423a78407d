"""The crash drill of issue 10 in the suite (bench/crash_drill.py runs it at 200 dialogs and 10 kills):
50 chairs file their reports at once through the real `bastau run` and the local Bot API server while
the bot is killed with kill -9 three times and restarted; every report ends with exactly the chair's
answers, every chair gets its receipt, and nothing beyond the restart's own re-ask comes twice."""
from __future__ import annotations

import pytest

from bench.crash_drill import run

pytestmark = pytest.mark.slow


async def test_fifty_dialogs_survive_three_kills(tmp_path):
    result = await run(tmp_path, dialogs=50, kills=3)
    assert result["kills"] == 3, result
    assert result["unanswered"] == 0 and result["finished"] == 50, result["unanswered_last_messages"]
    assert result["reports_exact"] == 50, result["wrong_answers"]
    assert len(result["reasked_at_each_restart"]) == 3 and sum(result["reasked_at_each_restart"]) > 0, result
    assert max(result["duplicates_at_each_kill"]) <= 1, result
    assert result["tracebacks_in_log"] == 0, result
    assert result["integrity"] == "ok" and result["backup_same_rows"], result


async def test_chairs_who_type_their_answer_again_after_a_kill(tmp_path):
    """The same drill with chairs who type an unanswered answer again (the bot is down): each such
    answer stays with the question it was typed for."""
    result = await run(tmp_path, dialogs=50, kills=3, resend=True)
    assert result["kills"] == 3 and result["answers_typed_again"] > 0, result
    assert result["unanswered"] == 0, result["unanswered_last_messages"]
    assert result["reports_exact"] == 50, result["wrong_answers"]
    assert max(result["duplicates_at_each_kill"]) <= 1, result
