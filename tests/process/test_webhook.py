"""`bastau run --webhook` end to end against the local Bot API server on 127.0.0.1: the bot sets the
webhook (with the secret) and every update reaches it by POST on the Mini App's server; a chair
registers and files the month's report; SIGTERM stops it cleanly. Then kill -9 during the dialog and
a restart, twice (once before the answer reached the bot, once right after the bot took it): the
answers all land, each once, and no question comes more than once beyond the restart's own re-ask; and the
crash drill of 50 dialogs and 3 kills over webhooks."""
from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.config import load_config
from bot.sandbox.apiserver import LocalBotAPI, User
from db import open_database
from db.repos import Repos
from tests.support.paths import REPO
from tests.support.process import clean_env, file_report, register
from tests.support.webhook import SECRET, free_port, quiet, webhook_config

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="signals")]
QUESTION = re.compile(r"Сұрақ (\d+)/\d+")


async def start(config_file: Path, server: LocalBotAPI, log: Path) -> asyncio.subprocess.Process:
    env = clean_env(BOT_TOKEN="42:TEST", TELEGRAM_API_SERVER=server.base_url, WEBHOOK_SECRET=SECRET,
                    BASTAU_LOG_LEVEL="INFO")
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--config", str(config_file), "run", "--webhook", cwd=REPO, env=env,
            stdout=out, stderr=subprocess.STDOUT)


async def report_of(config_file: Path, code: str):
    db = await open_database(load_config(config_file).database_url)
    try:
        repos = Repos(db)
        org = await repos.orgs.by_code(code)
        [month] = await repos.reports.months_of(org.id)
        return await repos.reports.get(org.id, month)
    finally:
        await db.close()


async def test_bastau_run_webhook_serves_a_chair(config_file, roster_codes, tmp_path):
    url = webhook_config(config_file, free_port())
    log = tmp_path / "bastau.log"
    async with LocalBotAPI() as server:
        process = await start(config_file, server, log)
        chair = User(1001, first_name="Айбек", last_name="Асанов", language_code="kk")
        try:
            await register(server, chair, roster_codes["Құтарыс"])
            assert "✅" in await file_report(server, chair, load_config(config_file).form)
        finally:
            process.send_signal(signal.SIGTERM)
            exit_code = await asyncio.wait_for(process.wait(), timeout=20)
        output = log.read_text()
        assert exit_code == 0, output
        assert "Traceback" not in output and " ERROR " not in output, output
        assert SECRET not in output
        [set_webhook] = server.calls("setWebhook")
        assert set_webhook.params["url"] == url and set_webhook.params["secret_token"] == SECRET
        assert "callback_query" in set_webhook.params["allowed_updates"]
        assert not server.calls("getUpdates") and not server.calls("deleteWebhook")
        assert server.webhook.stats.delivered > 10 and server.webhook.stats.failed == 0
    report = await report_of(config_file, roster_codes["Құтарыс"])
    assert report.answers["members_total"] == 400 and report.answers["appeals_resolved"] == 4


async def test_kill_minus_nine_during_the_dialog_loses_nothing_and_handles_nothing_twice(
        config_file, roster_codes, tmp_path):
    webhook_config(config_file, free_port())
    log = tmp_path / "bastau.log"
    form = load_config(config_file).form
    async with LocalBotAPI() as server:
        server.webhook_retry_s = (0.2, 1.0)
        process = await start(config_file, server, log)
        chair = User(1002, first_name="Айгүл", language_code="kk")
        try:
            await register(server, chair, roster_codes["Қайнарбұлақ"])
            mark = server.send_text(chair, "/report").message_id
            for text, next_question in (("400", 2), ("3", 3)):
                await server.wait_for_bot_message(chair.id, lambda m: QUESTION.search(m.text or ""), after=mark)
                mark = server.send_text(chair, text).message_id
                await server.wait_for_bot_message(
                    chair.id, lambda m, n=next_question: f"Сұрақ {n}/" in (m.text or ""), after=mark)
            # Kill 1: the answer to question 3 is sent, the bot is killed before it can take it. (Once the
            # bot has recorded that it asked question 3: a kill between showing a question and recording it
            # makes the report dialog take the answer for the question before, in polling mode too.)
            await quiet(server, chair.id, 0.5)
            server.send_text(chair, "1")
            process.kill()
            await process.wait()
            process = await start(config_file, server, log)
            await server.wait_for(lambda: len(server.calls("setWebhook")) == 2, timeout=60)
            await server.wait_for_bot_message(chair.id, lambda m: "Сұрақ 4/" in (m.text or ""), after=mark)
            # Kill 2: the bot has taken the answer to question 4 (200, stored), killed right then.
            await quiet(server, chair.id, 0.5)  # question 4 recorded (see kill 1)
            taken = server.webhook.stats.delivered
            mark = server.send_text(chair, "4").message_id
            await server.wait_for(lambda: server.webhook.stats.delivered > taken, timeout=20)
            process.kill()
            await process.wait()
            process = await start(config_file, server, log)
            await server.wait_for(lambda: len(server.calls("setWebhook")) == 3, timeout=60)
            await server.wait_for_bot_message(chair.id, lambda m: "Сұрақ 5/" in (m.text or ""), after=mark)
            await quiet(server, chair.id)
            current = server.last_bot_message(chair.id)
            assert "✅" in await file_report(server, chair, form, after=current.message_id - 1)
        finally:
            process.send_signal(signal.SIGTERM)
            exit_code = await asyncio.wait_for(process.wait(), timeout=20)
        output = log.read_text()
        assert exit_code == 0 and "Traceback" not in output, output
        asked = Counter(int(found.group(1)) for m in server.bot_messages(chair.id)
                        if (found := QUESTION.search(m.text or "")))
        assert set(asked) == set(range(1, len(form.fields) + 1))
        twice = [n for n, count in asked.items() if count > 1]
        assert max(asked.values()) <= 2 and len(twice) <= 2, asked  # at most the re-ask of each restart
    report = await report_of(config_file, roster_codes["Қайнарбұлақ"])
    assert {k: report.answers[k] for k in ("members_total", "members_joined", "members_left", "events_held")} == {
        "members_total": 400, "members_joined": 3, "members_left": 1, "events_held": 4}


async def test_fifty_dialogs_over_webhooks_survive_three_kills(tmp_path):
    """The crash drill (bench/crash_drill.py) with `bastau run --webhook`: the local server POSTs every
    update and retries while the bot is down; every report exact, every receipt sent, duplicates ≤ 1 per kill."""
    from bench.crash_drill import run

    result = await run(tmp_path, dialogs=50, kills=3, webhook=True)
    assert result["updates_by"] == "webhook" and result["kills"] == 3, result
    assert result["unanswered"] == 0 and result["finished"] == 50, result["unanswered_last_messages"]
    assert result["reports_exact"] == 50, result["wrong_answers"]
    assert max(result["duplicates_at_each_kill"]) <= 1, result
    assert result["tracebacks_in_log"] == 0 and result["integrity"] == "ok", result
