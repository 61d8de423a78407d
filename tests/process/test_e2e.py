"""`bastau run` end to end: the real process polls a local Bot API server; a chair registers and files
the month's report through it, as a Telegram client would; SIGTERM stops it cleanly."""
from __future__ import annotations

import asyncio
import signal
import subprocess
import sys

import pytest

from bot.config import load_config
from bot.sandbox.apiserver import LocalBotAPI, User
from db import open_database
from db.repos import Repos
from tests.support.paths import REPO
from tests.support.process import clean_env, file_report, register

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM")]


async def test_bastau_run_serves_a_chair_over_the_bot_api(config_file, roster_codes, tmp_path):
    config = load_config(config_file)
    log = (tmp_path / "bastau.log").open("w")
    async with LocalBotAPI() as server:
        env = clean_env(BOT_TOKEN="42:TEST", TELEGRAM_API_SERVER=server.base_url, BASTAU_LOG_LEVEL="INFO")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--config", str(config_file), "run", cwd=REPO, env=env,
            stdout=log, stderr=subprocess.STDOUT)
        chair = User(1001, first_name="Айбек", last_name="Асанов", language_code="kk")
        try:
            await register(server, chair, roster_codes["Құтарыс"])
            assert "✅" in await file_report(server, chair, config.form)
        finally:
            process.send_signal(signal.SIGTERM)
            exit_code = await asyncio.wait_for(process.wait(), timeout=20)
            log.close()
        output = (tmp_path / "bastau.log").read_text()
        assert exit_code == 0, output
        assert "Traceback" not in output and " ERROR " not in output, output
        assert server.calls("getUpdates")  # it did poll the local server
    db = await open_database(config.database_url)
    try:
        repos = Repos(db)
        user = await repos.users.get(1001)
        org = await repos.orgs.by_code(roster_codes["Құтарыс"])
        assert user.org_id == org.id and user.full_name == "Асанов Айбек Серікұлы" and user.phone == "+77010000001"
        [month] = await repos.reports.months_of(org.id)
        report = await repos.reports.get(org.id, month)
        assert report.answers["members_total"] == 400 and report.answers["appeals_resolved"] == 4
        assert report.answers["events_summary"] == "Ардагерлермен кездесу, сенбілік."
    finally:
        await db.close()

