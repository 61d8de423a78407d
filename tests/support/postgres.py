"""A throw-away PostgreSQL server for the session: initdb into a temporary folder, pg_ctl start on a free
127.0.0.1 port (socket in that folder; fsync, synchronous_commit and full_page_writes off; trust auth),
stopped when the session ends. One template database is migrated once; each test gets its own copy
(CREATE DATABASE ... TEMPLATE). A copy costs a checkpoint (about half a second on a busy machine), so a
test's database is emptied when the test ends (its connections cut, every row deleted with triggers off,
the sequences restarted) and lent to the next test, unless its tables are no longer the template's.

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
from typing import Any, TypeVar

import pytest

TEMPLATE = "bastau_template"
PREFIX = "bastau-pg-"
OWNER = "owner.pid"  # the pid of the test session that started the server
T = TypeVar("T")
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


def _run_apart(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end in a thread of its own (a fixture may be set up inside a running loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


async def _shape(conn: Any) -> str:
    """What must stay as the template made it for a database to be lent again."""
    return str(await conn.fetchval(
        "SELECT (SELECT string_agg(relname || ':' || relkind::text, ',' ORDER BY relname) FROM pg_class "
        "WHERE relnamespace = current_schema()::regnamespace) || '|' || "
        "(SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations)"))


def _sweep(bindir: Path) -> None:
    """Stop and remove the servers of test sessions that were killed before they could (their owner is gone)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        try:
            owner = int((folder / OWNER).read_text())
            os.kill(owner, 0)
            continue  # its session still runs
        except ProcessLookupError:
            pass
        except (OSError, ValueError):
            continue  # not ours to judge
        as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "stop", "-m", "immediate", "-D", str(folder / "data")],
                       capture_output=True, timeout=_START_TIMEOUT_S, check=False)
        shutil.rmtree(folder, ignore_errors=True)


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
        self._free: list[str] = []  # emptied databases of finished tests, as the template is
        self._shape = ""  # the template's tables, sequences and migrations; "" when it is not reusable
        self._emptying = ""  # the script that empties a copy

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
        _sweep(bindir)
        folder = Path(tempfile.mkdtemp(prefix=PREFIX))
        (folder / OWNER).write_text(str(os.getpid()))
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
        conn = await asyncpg.connect(self.url(TEMPLATE))
        try:
            tables = [r[0] for r in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename <> 'schema_migrations' ORDER BY tablename")]
            sequences = [r[0] for r in await conn.fetch(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")]
            filled = [t for t in tables if await conn.fetchval(f'SELECT EXISTS (SELECT 1 FROM "{t}")')]
            self._shape = "" if filled else await _shape(conn)
        finally:
            await conn.close()
        self._emptying = "SET session_replication_role = replica;" + "".join(
            f'DELETE FROM "{t}";' for t in tables) + "".join(f"ALTER SEQUENCE \"{q}\" RESTART;" for q in sequences)

    def lend(self) -> str:
        """A migrated, empty database for a test: an emptied one, or a new copy of the template; its name."""
        return self._free.pop() if self._free else self.fresh_database(url=False)

    def give_back(self, name: str) -> None:
        """Empty a test's database for the next test (when its tables are still the template's)."""
        if self._shape and _run_apart(self._empty(name)):
            self._free.append(name)

    async def _empty(self, name: str) -> bool:
        import asyncpg

        conn = await asyncpg.connect(self.url(name))
        try:
            await conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            if await _shape(conn) != self._shape:
                return False
            await conn.execute(self._emptying)
            return True
        finally:
            await conn.close()

    def fresh_database(self, template: str = TEMPLATE, url: bool = True) -> str:
        """A new database copied from the template (migrated, empty); its URL (or its name)."""
        name = f"t_{os.getpid()}_{next(self._numbers)}"
        _run_apart(self._create(name, template))
        return self.url(name) if url else name

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
def pg_url(pg_server: PgServer | str) -> Iterator[str]:
    """A migrated, empty PostgreSQL database of this test's own."""
    if isinstance(pg_server, str):
        unavailable(pg_server)
        raise AssertionError("unreachable")
    name = pg_server.lend()
    yield pg_server.url(name)
    pg_server.give_back(name)


@pytest.fixture
def pg_empty_url(pg_server: PgServer | str) -> str:
    """A fresh PostgreSQL database with no tables at all (template0)."""
    if isinstance(pg_server, str):
        unavailable(pg_server)
        raise AssertionError("unreachable")
    return pg_server.fresh_database("template0")
