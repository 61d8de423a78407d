"""A PostgreSQL database that cannot be opened stops `bastau run` and `bastau migrate` at once with one line
naming where the URL came from, never the password."""
from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from tests.support.paths import REPO
from tests.support.postgres import unavailable

# The URL comes from the environment and wins over the config file: one run of each test is enough.
pytestmark = pytest.mark.sqlite_only

TOKEN = "123456:AAE-fake-token-for-the-start-up-checks"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bastau(config_file, command: str, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "BOT_TOKEN": TOKEN, "BASTAU_DATABASE_URL": url}
    env.pop("TELEGRAM_API_SERVER", None)
    return subprocess.run([sys.executable, "-m", "bot", "--config", str(config_file), command], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)


def test_an_unreachable_server_is_one_line_without_the_password(config_file):
    url = f"postgresql://bastau:s3cret-pw@127.0.0.1:{free_port()}/bastau"
    for command in ("run", "migrate"):
        done = bastau(config_file, command, url)
        assert done.returncode == 1, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
        assert "BASTAU_DATABASE_URL" in lines[0] and "unreachable" in lines[0] and "s3cret" not in lines[0]
        assert f"bastau {command}: cannot open the PostgreSQL database postgresql://bastau@127.0.0.1:" in lines[0]


def test_a_missing_database_is_named(config_file, pg_server):
    if isinstance(pg_server, str):
        unavailable(pg_server)
    done = bastau(config_file, "migrate", pg_server.url("no_such_db"))
    assert done.returncode == 1 and "there is no such database" in done.stderr and "Traceback" not in done.stderr
