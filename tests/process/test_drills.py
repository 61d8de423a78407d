"""Fault drills that are quick enough for every run (the slow ones, with kill -9 of a real process, are
in bench/drills.py): re-sent updates, a failure in the middle of a transaction, Bot API errors while a
chair answers, a restart; the database passes integrity_check afterwards and `bastau backup` copies it."""
from __future__ import annotations

import asyncio
import sqlite3

import pytest

from bench.drills import row_counts
from bench.report_driver import file_report
from bot.cli import main as bastau
from bot.form.render import ReportCb
from bot.telegram.delivery import RetryRequests
from db.postgres import PgTx
from db.sqlite import SQLiteTx
from tests.support.people import register

MONTH = "2026-11"
CONFIRM = ReportCb(action="confirm").pack()


async def reports_of(harness) -> list[tuple[int, str]]:
    return [tuple(r) for r in await harness.app.db.fetchall("SELECT org_id, month FROM reports")]


async def to_summary(harness, chair, language: str) -> None:
    """Every question answered: the chair looks at the summary with «Confirm»."""
    await file_report(harness, chair.user_id, language, confirm=False)


async def test_a_confirm_delivered_twice_submits_once(harness):
    chair = await register(harness, 2001, "kk", "Құтарыс")
    await to_summary(harness, chair, "kk")
    first = await chair.press_data(CONFIRM, update_id=880001)
    assert "✅" in chair.reply
    again = await chair.press_data(CONFIRM, update_id=880001)  # Telegram re-sends the same update
    assert again == [] and len(first) > 0
    assert await reports_of(harness) == [(1, MONTH)]


async def test_a_resent_update_after_a_restart_is_still_handled_once(harness):
    chair = await register(harness, 2002, "ru", "Қайнарбұлақ")
    await chair.send("/report")
    answer = chair._message(text="350")
    await chair._feed({"message": answer}, update_id=880010)
    harness = await harness.restart()
    chair = harness.client(2002, "ru")
    assert await chair._feed({"message": answer}, update_id=880010) == []
    await chair.send("351")  # the next question gets the next answer
    draft = await harness.app.repos.reports.get_draft(2, MONTH)
    assert draft.answers == {"members_total": 350, "members_joined": 351}
    await harness.close()


async def test_a_failure_inside_the_submit_transaction_loses_nothing(harness, monkeypatch):
    chair = await register(harness, 2003, "kk", "Құтарыс")
    await to_summary(harness, chair, "kk")
    tx_class = PgTx if harness.app.db.dialect == "postgresql" else SQLiteTx
    execute = tx_class.execute

    async def failing_once(self, sql, params=()):
        if sql.startswith("DELETE FROM drafts") and not failing_once.done:
            failing_once.done = True
            raise sqlite3.OperationalError("disk I/O error")
        return await execute(self, sql, params)

    failing_once.done = False
    monkeypatch.setattr(tx_class, "execute", failing_once)
    await chair.press_data(CONFIRM)
    assert "Кешіріңіз" in chair.reply  # the apology, in Kazakh
    assert await reports_of(harness) == []  # the report row was rolled back with the failed delete
    draft = await harness.app.repos.reports.get_draft(1, MONTH)
    assert draft is not None and draft.answers["members_total"] == 240
    await chair.press_data(CONFIRM)
    assert "✅" in chair.reply
    assert await reports_of(harness) == [(1, MONTH)]
    assert (await harness.app.repos.reports.get(1, MONTH)).answers["members_total"] == 240


async def test_bot_api_errors_while_a_chair_answers_are_retried(harness):
    chair = await register(harness, 2004, "ru", "Қайнарбұлақ")
    await chair.send("/report")
    slept: list[float] = []

    async def no_wait(seconds: float) -> None:
        slept.append(seconds)

    RetryRequests.of(harness.bot).sleep = no_wait
    harness.session.queue("SendMessage", {"ok": False, "error_code": 429, "description": "Too Many Requests: "
                                          "retry after 3", "parameters": {"retry_after": 3}})
    harness.session.queue("SendMessage", {"ok": False, "error_code": 502, "description": "Bad Gateway"})
    await chair.send("400")
    assert "Вопрос 2 из 12" in chair.reply
    assert slept[0] == 3 and len(slept) == 2  # the 429's retry_after honoured, then a backoff after 502
    draft = await harness.app.repos.reports.get_draft(2, MONTH)
    assert draft.answers == {"members_total": 400} and draft.cursor == "members_joined"


@pytest.mark.sqlite_only
async def test_after_the_drills_the_database_is_sound_and_backs_up(harness, config_file, tmp_path):
    for n, (language, org) in enumerate((("kk", "Құтарыс"), ("ru", "Мектеп №5"))):
        await register(harness, 2010 + n, language, org)
        await file_report(harness, 2010 + n, language)
    row = await harness.app.db.fetchone("PRAGMA integrity_check")
    assert row[0] == "ok"
    target = tmp_path / "backup.db"
    code = await asyncio.to_thread(bastau, ["--config", str(config_file), "backup", str(target)])
    assert code == 0
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert row_counts(target) == row_counts(harness.app.config.db_path)
    assert row_counts(target)["reports"] == 2
