"""A throw-away PostgreSQL server for the session: initdb into a temporary folder, pg_ctl start on a free
127.0.0.1 port (socket in that folder; fsync, synchronous_commit and full_page_writes off; trust auth),
stopped when the session ends. One template database is migrated once; each test gets its own copy
(CREATE DATABASE ... TEMPLATE, a file copy: fast).

Run as root (CI, this machine), initdb refuses to start: the server then runs as the `postgres` system user
(runuser), owning its folder. When no server can be started the PostgreSQL tests are skipped with the
reason, except in CI (CI=true), where they fail."""
from __future__ import annotations

import asyncio
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

TEMPLATE = "bastau_template"
_START_TIMEOUT_S = 60


def _bindir() -> Path | None:
    candidates = []
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True, timeout=10)
        candidates.append(out.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in candidates:
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found and shutil.which("pg_ctl") else None


def _run_apart(work: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine to its end in a thread of its own (a fixture may be set up inside a running loop)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, work).result()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgServer:
    def __init__(self, bindir: Path, folder: Path, port: int, as_user: list[str]) -> None:
        self.bindir = bindir
        self.folder = folder
        self.port = port
        self.as_user = as_user
        self.user = "postgres"
        self._numbers = itertools.count(1)

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self.as_user, str(self.bindir / tool), *args], capture_output=True, text=True,
                              timeout=_START_TIMEOUT_S, check=False, cwd=self.folder)

    @classmethod
    def start(cls) -> PgServer:
        bindir = _bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL's initdb and pg_ctl were not found (pg_config --bindir, "
                               "/usr/lib/postgresql/*/bin, PATH)")
        folder = Path(tempfile.mkdtemp(prefix="bastau-pg-"))
        as_user: list[str] = []
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                raise RuntimeError("running as root and runuser is missing: initdb refuses root")
            as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(folder, "postgres")
            os.chmod(folder, 0o700)
        server = cls(bindir, folder, _free_port(), as_user)
        data = folder / "data"
        done = server.run("initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                          "--locale=C", "--no-sync")
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {(done.stderr or done.stdout).strip()[-500:]}")
        options = (f"-h 127.0.0.1 -p {server.port} -k {folder} -c fsync=off -c synchronous_commit=off "
                   f"-c full_page_writes=off -c max_connections=200 -c shared_buffers=32MB")
        done = server.run("pg_ctl", "start", "-w", "-t", str(_START_TIMEOUT_S), "-D", str(data),
                          "-l", str(folder / "server.log"), "-o", options)
        if done.returncode != 0:
            log = (folder / "server.log").read_text(errors="replace") if (folder / "server.log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {(done.stderr or done.stdout).strip()[-300:]} {log[-500:]}")
        return server

    def stop(self) -> None:
        self.run("pg_ctl", "stop", "-m", "immediate", "-D", str(self.folder / "data"))
        shutil.rmtree(self.folder, ignore_errors=True)

    def make_template(self) -> None:
        """The template database, migrated once for the session."""
        _run_apart(self._make_template())

    async def _make_template(self) -> None:
        import asyncpg

        from db.postgres import PgDatabase

        conn = await asyncpg.connect(self.url("postgres"))
        try:
            await conn.execute(f"CREATE DATABASE {TEMPLATE}")
        finally:
            await conn.close()
        db = await PgDatabase.open(self.url(TEMPLATE), pool_size=1)
        await db.close()

    def fresh_database(self, template: str = TEMPLATE) -> str:
        """A new database copied from the template (migrated, empty); its URL."""
        name = f"t_{os.getpid()}_{next(self._numbers)}"
        _run_apart(self._create(name, template))
        return self.url(name)

    async def _create(self, name: str, template: str) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.url("postgres"))
        try:
            await conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
        finally:
            await conn.close()


def unavailable(reason: str) -> None:
    """Skip (fail in CI) a test that needs PostgreSQL."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(f"PostgreSQL is not available: {reason}")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer | str]:
    """The session's server, or why there is none (a str: the tests that need it skip or fail with it)."""
    try:
        server = PgServer.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        yield str(exc)
        return
    try:
        server.make_template()
    except Exception as exc:
        server.stop()
        yield f"the template database could not be made: {exc}"
        return
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer | str) -> str:
    """A fresh, migrated, empty PostgreSQL database for this test."""
    if isinstance(pg_server, str):
        unavailable(pg_server)
        raise AssertionError("unreachable")
    return pg_server.fresh_database()


@pytest.fixture
def pg_empty_url(pg_server: PgServer | str) -> str:
    """A fresh PostgreSQL database with no tables at all (template0)."""
    if isinstance(pg_server, str):
        unavailable(pg_server)
        raise AssertionError("unreachable")
    return pg_server.fresh_database("template0")
