"""The process's SQLite database: three connections to one WAL file, with serialized writes.

- `quick`, a plain sqlite3 connection used in the event loop's own thread: every read and write outside
  a transaction is first tried there, under a budget of SQLite VM instructions (a progress handler
  interrupts it beyond _BUDGET_STEPS calls: a millisecond of work at most, counted in work and not in
  wall time, so that preemption on a busy machine does not make a lookup look long). Most statements
  of an update are indexed lookups that cost SQLite less than a hop to aiosqlite's worker thread and
  back (bench/README.md has the figures).
- `reader` (aiosqlite): a read that overran the budget is re-run there, and every later run of the
  same SQL goes there directly. An interrupted statement has no effect (SQLite rolls the statement
  back), so the re-run is safe; a write re-runs on `conn`.
- `conn` (aiosqlite): transactions, writes too long for the budget, migrations, backups.
Reads outside a transaction therefore see committed data only, never another coroutine's open
transaction (WAL: each statement of `quick` and `reader` reads the last committed state).
Every write, on whichever connection, holds one asyncio lock, so a statement never lands inside another
coroutine's open transaction and `quick` never waits for SQLite's write lock: it has no busy timeout (a
write lock held by another process sends the statement to `conn`, which waits up to 5 s).
WAL checkpoints: `conn` checkpoints on its commits once the WAL holds 250 pages (a checkpoint runs
inside the committing write, so it is kept short); `quick` never does (it would block the loop):
every _CHECKPOINT_EVERY-th write on it is followed by a checkpoint on `conn`, still under the write
lock, so that it completes and the next write starts the WAL over (a checkpoint run beside the writes
never catches up with them, and the WAL grows without end during a long run of writes).
A `:memory:` database has the one connection `conn` for everything.
"""
from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
import sys
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from db.database import Dialect, Params, Written, returns_rows

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

_CHECK_EVERY = 1000  # SQLite VM instructions between two calls of the progress handler
# The budget: 10 calls, i.e. 10,000 instructions (about a millisecond at most, less time when the
# statement reads few pages); an indexed lookup of an update needs a few hundred.
_BUDGET_STEPS = 10
_CHECKPOINT_EVERY = 100  # writes on `quick` between two checkpoints
_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL")
_TO_WORKER = ("SQLITE_INTERRUPT", "SQLITE_BUSY", "SQLITE_LOCKED")  # error names that send a statement on
# A transaction cannot be interrupted and re-run elsewhere: SQLite rolls back all of it. So a place in
# the code that opens transactions runs its first one on `conn`; if that took under _SHORT_TX_S, the
# next ones run on `quick`, whose progress handler then only counts: one over _TX_STEPS (about 20 ms
# of work) sends that place back to `conn` for good.
_SHORT_TX_S = 0.02
_TX_STEPS = 200


def split_statements(script: str) -> list[str]:
    """Complete SQL statements of a script, as sqlite3 itself decides where one ends."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        raise RuntimeError(f"incomplete SQL statement at the end: {current.strip()[:60]}")
    return statements


class _Quick:
    """The sqlite3 connection used in the event loop's thread, for statements within the budget."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.long: set[str] = set()  # SQL that overran the budget once: straight to a worker from then on
        self.steps = 0
        self.in_transaction = False  # then the handler only counts, and reads go to `reader`
        conn.set_progress_handler(self._overran, _CHECK_EVERY)

    def _overran(self) -> bool:
        self.steps += 1
        return not self.in_transaction and self.steps > _BUDGET_STEPS

    def run(self, sql: str, params: Params) -> tuple[list[sqlite3.Row], sqlite3.Cursor] | None:
        """The rows and the cursor; None when the statement must run in a worker thread instead."""
        if sql in self.long or self.in_transaction:
            return None
        self.steps = 0
        try:
            cursor = self.conn.execute(sql, params)
            return cursor.fetchall(), cursor
        except sqlite3.OperationalError as exc:
            name = getattr(exc, "sqlite_errorname", "")
            if not name.startswith(_TO_WORKER):
                raise
            if name == "SQLITE_INTERRUPT":
                self.long.add(sql)
            return None


class SQLiteTx:
    """Statements inside one transaction (see SQLiteDatabase.transaction), on `conn` through its worker
    thread or on `quick` in the loop's thread."""

    dialect: Dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, quick: sqlite3.Connection | None = None) -> None:
        self.conn = conn
        self.quick = quick

    async def execute(self, sql: str, params: Params = ()) -> Written:
        if self.quick:
            cursor = self.quick.execute(sql, params)
            return _written(cursor, cursor.fetchall() if returns_rows(sql) else None)
        return await _execute(self.conn, sql, params)

    async def lock(self, name: str) -> None:
        """Nothing to do: SQLite's transactions (BEGIN IMMEDIATE) already run one at a time."""

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        if self.quick:
            self.quick.executemany(sql, rows)
        else:
            await self.conn.executemany(sql, rows)

    # One round trip to the connection's thread each (a cursor would take three: execute, fetch, close).
    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        if self.quick:
            return self.quick.execute(sql, params).fetchall()
        return list(await self.conn.execute_fetchall(sql, params))


class SQLiteDatabase:
    """See the module's docstring. Repositories use execute/executemany/fetchone/fetchall/transaction."""

    dialect: Dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, path: str, reader: aiosqlite.Connection | None = None,
                 quick: sqlite3.Connection | None = None) -> None:
        self.conn = conn
        self.reader = reader or conn
        self.quick = _Quick(quick) if quick is not None else None
        self.path = path
        self.closed = False
        self._lock = asyncio.Lock()
        self._quick_writes = 0
        self._tx_sites: dict[tuple[str, int], bool] = {}  # where transactions are opened -> short

    @classmethod
    async def open(cls, path: str | Path, migrate: bool = True) -> SQLiteDatabase:
        path = str(path)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = await _connect(path)
        db = cls(conn, path)
        try:
            await conn.execute("PRAGMA busy_timeout=5000")
            await conn.execute("PRAGMA wal_autocheckpoint=250")
            if migrate:
                await db.migrate()
            if path != ":memory:":
                db.reader = await _connect(path)
                db.quick = _Quick(_connect_quick(path))
        except BaseException:  # never leave a connection's thread running: the process would hang
            await db.close()
            raise
        return db

    async def close(self) -> None:
        if not self.closed:
            self.closed = True
            if self.quick is not None:
                self.quick.conn.close()
            if self.reader is not self.conn:
                await self.reader.close()
            await self.conn.close()

    async def backup_to(self, target: str | Path) -> int:
        """Copy the live database into `target` with SQLite's online backup; returns its page count."""
        async with self._lock:
            dest = await aiosqlite.connect(str(target))
            try:
                await self.conn.backup(dest)
                pages = list(await dest.execute_fetchall("PRAGMA page_count"))
            finally:
                await dest.close()
        return pages[0][0]

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        if self.quick is not None and (done := self.quick.run(sql, params)) is not None:
            return done[0]
        return list(await self.reader.execute_fetchall(sql, params))

    async def execute(self, sql: str, params: Params = ()) -> Written:
        async with self._lock:
            if self.quick is not None and (done := self.quick.run(sql, params)) is not None:
                await self._quick_wrote()
                return _written(done[1], done[0] if returns_rows(sql) else None)
            return await _execute(self.conn, sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        async with self.transaction() as tx:
            await tx.executemany(sql, rows)

    def transaction(self) -> AbstractAsyncContextManager[SQLiteTx]:
        """`async with db.transaction() as tx:` BEGIN IMMEDIATE ... COMMIT (ROLLBACK on an exception)."""
        caller = sys._getframe(1)
        return self._transaction((caller.f_code.co_filename, caller.f_lineno))

    @asynccontextmanager
    async def _transaction(self, site: tuple[str, int]) -> AsyncIterator[SQLiteTx]:
        async with self._lock:
            quick = self.quick if self._tx_sites.get(site) else None
            if quick is not None:
                quick.in_transaction, quick.steps = True, 0  # the handler only counts from here on
                try:
                    quick.conn.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError as exc:
                    quick.in_transaction = False
                    if quick.conn.in_transaction:  # a refused BEGIN IMMEDIATE can leave it open
                        quick.conn.execute("ROLLBACK")
                    if not getattr(exc, "sqlite_errorname", "").startswith(_TO_WORKER):
                        raise
                    quick = None  # the write lock is busy: wait for it on `conn`
            if quick is None:
                started = time.perf_counter()
                await self.conn.execute("BEGIN IMMEDIATE")
                try:
                    yield SQLiteTx(self.conn)
                except BaseException:
                    await self.conn.execute("ROLLBACK")
                    raise
                await self.conn.execute("COMMIT")
                if self.quick is not None and site not in self._tx_sites:
                    self._tx_sites[site] = time.perf_counter() - started < _SHORT_TX_S
                return
            try:
                yield SQLiteTx(self.conn, quick.conn)
            except BaseException:
                quick.conn.execute("ROLLBACK")
                raise
            else:
                quick.conn.execute("COMMIT")
                await self._quick_wrote()
            finally:
                quick.in_transaction = False
                if quick.steps > _TX_STEPS:
                    self._tx_sites[site] = False

    async def _quick_wrote(self) -> None:
        """Count a write on `quick`; after every _CHECKPOINT_EVERY-th, a checkpoint (the lock is held)."""
        self._quick_writes += 1
        if self._quick_writes % _CHECKPOINT_EVERY == 0:
            await self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    async def migrate(self) -> list[int]:
        """Apply every numbered migration not yet recorded, each in its own transaction."""
        await self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        done = {row[0] for row in await self.conn.execute_fetchall("SELECT version FROM schema_migrations")}
        applied = []
        for file in sorted(MIGRATIONS_DIR.glob("*.sql")):
            match = _MIGRATION_NAME.match(file.name)
            if not match:
                raise RuntimeError(f"badly named migration: {file.name}")
            version = int(match.group(1))
            if version in done:
                continue
            statements = split_statements(file.read_text(encoding="utf-8"))
            async with self.transaction() as tx:
                for statement in statements:
                    await tx.execute(statement)
                await tx.execute(
                    "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)",
                    (version, file.name, datetime.now(UTC).isoformat()),
                )
            applied.append(version)
            log.info("applied migration %s", file.name)
        return applied


def _written(cursor: sqlite3.Cursor | aiosqlite.Cursor, rows: Sequence[Any] | None) -> Written:
    """A statement with RETURNING reports its first row's first column as the inserted id."""
    if rows is not None:
        return Written(len(rows), rows[0][0] if rows else None)
    return Written(cursor.rowcount, cursor.lastrowid)


async def _execute(conn: aiosqlite.Connection, sql: str, params: Params) -> Written:
    cursor = await conn.execute(sql, params)
    if not returns_rows(sql):
        return _written(cursor, None)
    try:  # RETURNING: the statement is complete (and its write done) once every row is read
        return _written(cursor, list(await cursor.fetchall()))
    finally:
        await cursor.close()


async def _connect(path: str) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        conn.row_factory = aiosqlite.Row
        for pragma in _PRAGMAS:
            await conn.execute(pragma)
    except BaseException:  # a read-only or broken file: close the connection's thread before raising
        await conn.close()
        raise
    return conn


def _connect_quick(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    for pragma in (*_PRAGMAS, "PRAGMA busy_timeout=0", "PRAGMA wal_autocheckpoint=0"):
        conn.execute(pragma)
    return conn
