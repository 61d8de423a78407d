"""`bastau run` as an operator meets it: a second instance on the same database is refused with a clear
line while the first keeps working; every known misconfiguration exits non-zero within seconds with one
line, no traceback and never the token; DEBUG logs hold neither the token nor anyone's data."""
from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.sandbox.apimodels import Fault
from bot.sandbox.apiserver import LocalBotAPI, User
from tests.support.paths import REPO
from tests.support.process import clean_env, register

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM, flock")]
TOKEN = "4242:SECRET-token-for-tests"


async def start_run(config_file: Path, log: Path, **env: str) -> asyncio.subprocess.Process:
    out = log.open("ab")
    try:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--config", str(config_file), "run", cwd=REPO,
            env=clean_env(BOT_TOKEN=TOKEN, **env), stdout=out, stderr=subprocess.STDOUT)
    finally:
        out.close()


async def polled(server: LocalBotAPI, within_s: float = 60) -> None:
    deadline = time.monotonic() + within_s
    while not server.calls("getUpdates"):
        assert time.monotonic() < deadline, "bastau run never polled"
        await asyncio.sleep(0.1)


def run_once(config_file: Path, timeout: float = 20, **env: str) -> tuple[int, str, float]:
    """`bastau run` expected to stop by itself; (exit code, output, seconds)."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "bot", "--config", str(config_file), "run"], cwd=REPO,
                          env=clean_env(**env), capture_output=True, text=True, timeout=timeout)
    return done.returncode, done.stdout + done.stderr, time.monotonic() - started


def assert_one_clear_line(code: int, output: str, seconds: float, expected: str) -> None:
    assert code != 0, output
    assert "Traceback" not in output and TOKEN not in output and TOKEN.split(":")[1] not in output, output
    said = [line for line in output.splitlines() if line.startswith("bastau run: ")]
    assert len(said) == 1 and expected in said[0], output
    assert seconds < 10, f"took {seconds:.1f} s: {output}"


@pytest.mark.sqlite_only  # the SQLite file's lock and path; PostgreSQL takes several processes
async def test_a_second_instance_is_refused_while_the_first_keeps_working(config_file, roster_codes, tmp_path):
    async with LocalBotAPI() as server:
        first = await start_run(config_file, tmp_path / "first.log", TELEGRAM_API_SERVER=server.base_url,
                                BASTAU_LOG_LEVEL="DEBUG")
        try:
            await polled(server)
            code, output, seconds = await asyncio.to_thread(
                run_once, config_file, TELEGRAM_API_SERVER=server.base_url, BOT_TOKEN=TOKEN)
            assert_one_clear_line(code, output, seconds, "in use by another bastau process")
            assert f"(pid {first.pid} on {socket.gethostname()} since 20" in output
            # The first one still serves: a chair registers through it.
            chair = User(1001, first_name="Айбек", last_name="Асанов", language_code="kk")
            await register(server, chair, roster_codes["Құтарыс"])
        finally:
            first.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(first.wait(), 20) == 0
    log = (tmp_path / "first.log").read_text()
    assert "Traceback" not in log and " DEBUG aiosqlite: executing execute INSERT" in log  # it did log SQL
    for secret in (TOKEN, TOKEN.split(":")[1], "+77010000001", "77010000001", "Асанов", "Айбек",
                   roster_codes["Құтарыс"], roster_codes["Құтарыс"].lower()):
        assert secret not in log, f"{secret!r} is in the DEBUG log"


def test_a_token_that_is_not_one(config_file):
    assert_one_clear_line(*run_once(config_file, BOT_TOKEN="not-a-token"), "BOT_TOKEN is not a bot token")


async def test_a_token_the_bot_api_refuses(config_file):
    refuse = lambda method, params: Fault(401, "Unauthorized") if method == "getMe" else None  # noqa: E731
    async with LocalBotAPI(faults=refuse) as server:
        result = await asyncio.to_thread(run_once, config_file, BOT_TOKEN=TOKEN, TELEGRAM_API_SERVER=server.base_url,
                                         BASTAU_LOG_LEVEL="DEBUG")
    assert_one_clear_line(*result, "refused BOT_TOKEN (401 Unauthorized)")


@pytest.mark.parametrize("url, expected", [
    ("http://127.0.0.1:9", "cannot reach the Bot API at http://127.0.0.1:9"),
    ("http://[bad", "is not a base URL"),
    ("127.0.0.1:8081", "is not a base URL"),
    ("http://127.0.0.1:99999", "is not a base URL"),
])
def test_a_bad_api_server(config_file, url, expected):
    result = run_once(config_file, BOT_TOKEN=TOKEN, TELEGRAM_API_SERVER=url, BASTAU_LOG_LEVEL="DEBUG")
    assert_one_clear_line(*result, expected)


@pytest.mark.sqlite_only  # the SQLite file's lock and path; PostgreSQL takes several processes
def test_a_database_path_that_is_a_folder_or_cannot_be_made(config_file, tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    assert_one_clear_line(*run_once(config_file, BOT_TOKEN=TOKEN, BASTAU_DB=str(folder)), "is a folder")
    file = tmp_path / "a-file"
    file.write_text("x")
    assert_one_clear_line(*run_once(config_file, BOT_TOKEN=TOKEN, BASTAU_DB=str(file / "bastau.db")),
                          "cannot create")
    assert_one_clear_line(*run_once(config_file, BOT_TOKEN=TOKEN, BASTAU_DB="/proc/no-such/bastau.db"),
                          "cannot create")
    not_sqlite = tmp_path / "not.db"
    not_sqlite.write_bytes(b"this is not SQLite" * 200)
    assert_one_clear_line(*run_once(config_file, BOT_TOKEN=TOKEN, BASTAU_DB=str(not_sqlite)), "not a database")


def make_read_only(path: Path) -> bool:
    """Read-only even for root (an immutable file); False when that cannot be done here."""
    path.chmod(0o444)
    if os.geteuid() != 0:
        return True
    return shutil.which("chattr") is not None and subprocess.run(["chattr", "+i", str(path)]).returncode == 0


@pytest.mark.sqlite_only  # the SQLite file's lock and path; PostgreSQL takes several processes
def test_a_read_only_database(config_file, tmp_path):
    db = tmp_path / "ro.db"
    subprocess.run([sys.executable, "-m", "bot", "--config", str(config_file), "migrate"], cwd=REPO,
                   env=clean_env(BASTAU_DB=str(db)), check=True, capture_output=True, timeout=60)
    if not make_read_only(db):
        pytest.skip("cannot make a file read-only for root here (no chattr)")
    try:
        result = run_once(config_file, BOT_TOKEN=TOKEN, BASTAU_DB=str(db), TELEGRAM_API_SERVER="http://127.0.0.1:9")
        assert_one_clear_line(*result, "read-only")
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(db)])
