"""The database on PostgreSQL, through an asyncpg pool, with the interface of db.database.Database, so the
same repositories run on both. Statements are written for SQLite and translated once each (db/pgsql.py);
parameters are converted to the types PostgreSQL inferred for them (db/pgtypes.py; the types are asked for
once per statement). Rows are asyncpg Records: row[0], row["name"] and dict(row) work as on sqlite3.Row.

Transactions are READ COMMITTED (SQLite's BEGIN IMMEDIATE admits one writer at a time; here several
transactions run side by side): a repository that reads and then writes on what it read takes a row lock
(SELECT ... FOR UPDATE) or `await tx.lock(name)`, a transaction-scoped advisory lock.
Statements outside a transaction run on any connection of the pool, each committed on its own."""
from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from db.database import Dialect, Params, Written
from db.pgsql import translate
from db.pgtypes import Coerce, coerce_all, coercer, decode_numeric

log = logging.getLogger(__name__)
SQLITE_MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATIONS_DIR = SQLITE_MIGRATIONS_DIR / "postgresql"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
POOL_SIZE = 10
# A whole migration's script may run long (an index over a national database): no statement timeout.
_CONNECT_TIMEOUT_S = 10.0


def _rowcount(status: str) -> int:
    """'UPDATE 3' -> 3, 'INSERT 0 1' -> 1; -1 for a status without a count (CREATE TABLE), as sqlite3."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else -1


class _Statements:
    """What is known of each statement text: its PostgreSQL form and its parameters' conversions."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[str, tuple[Coerce, ...]]] = {}

    async def args(self, conn: asyncpg.Connection, sql: str, params: Params) -> tuple[str, list[Any], bool]:
        """The translated SQL, its arguments in $n order, and whether it RETURNs rows of a write."""
        done = translate(sql)
        if done.names is not None:
            if not isinstance(params, dict):
                raise TypeError(f"the statement takes named parameters, got {type(params).__name__}: {sql[:80]}")
            values: Sequence[Any] = [params[name] for name in done.names]
        elif isinstance(params, dict):
            if params:
                raise TypeError(f"named parameters for a statement without :names: {sql[:80]}")
            values = ()
        else:
            values = params
        if not values:
            return done.sql, [], done.returning
        known = self._known.get(done.sql)
        if known is None:
            known = self._known[done.sql] = await _describe(conn, done.sql)
        return known[0], coerce_all(known[1], values), done.returning


_UNTYPED = re.compile(r"parameter \$(\d+)")


def _null_tests(number: str) -> re.Pattern[str]:
    return re.compile(rf"\${number}(?!\d)(\s+IS\s+(?:NOT\s+)?NULL\b)", re.IGNORECASE)


async def _describe(conn: asyncpg.Connection, sql: str) -> tuple[str, tuple[Coerce, ...]]:
    """The statement as it will run, and its parameters' conversions. `? IS NULL OR col = ?` (SQLite infers
    nothing, PostgreSQL refuses a parameter whose only type would come from IS NULL): the IS NULL tests of
    such a parameter are described without it, then run with the type its other uses give it (text when
    it has none: any type tests NULL the same)."""
    casts: dict[str, str] = {}  # parameter number -> "" (its other uses type it) or "text" (it has none)
    while True:
        probe = sql
        for number, kind in casts.items():
            probe = _null_tests(number).sub(rf"${number}::{kind}\1" if kind else r"NULL\1", probe)
        try:
            types = [t.name for t in (await conn.prepare(probe)).get_parameters()]
        except (asyncpg.AmbiguousParameterError, asyncpg.IndeterminateDatatypeError) as exc:
            found = _UNTYPED.search(str(exc))
            number = found.group(1) if found else ""
            if not number or casts.get(number) == "text" or not _null_tests(number).search(sql):
                raise
            casts[number] = "text" if number in casts else ""
            continue
        untyped = [n for n, kind in casts.items() if not kind and int(n) > len(types)]  # the last ones, gone
        if not untyped:
            break
        casts.update(dict.fromkeys(untyped, "text"))
    for number, kind in casts.items():
        sql = _null_tests(number).sub(rf"${number}::{kind or types[int(number) - 1]}\1", sql)
    return sql, tuple(coercer(t) for t in types)


async def _execute(conn: asyncpg.Connection, statements: _Statements, sql: str, params: Params) -> Written:
    text, args, returning = await statements.args(conn, sql, params)
    if returning:
        rows = await conn.fetch(text, *args)
        return Written(len(rows), rows[0][0] if rows else None)
    return Written(_rowcount(await conn.execute(text, *args)), None)


async def _fetchall(conn: asyncpg.Connection, statements: _Statements, sql: str, params: Params) -> list[Any]:
    text, args, _ = await statements.args(conn, sql, params)
    return list(await conn.fetch(text, *args))


async def _executemany(conn: asyncpg.Connection, statements: _Statements, sql: str, rows: Iterable[Params]) -> None:
    batch = [await statements.args(conn, sql, row) for row in rows]
    if batch:
        await conn.executemany(batch[0][0], [args for _, args, _ in batch])


class PgTx:
    """Statements inside one transaction, on the one connection that holds it."""

    dialect: Dialect = "postgresql"

    def __init__(self, conn: asyncpg.Connection, statements: _Statements) -> None:
        self.conn = conn
        self._statements = statements

    async def execute(self, sql: str, params: Params = ()) -> Written:
        return await _execute(self.conn, self._statements, sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await _executemany(self.conn, self._statements, sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> Any:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        return await _fetchall(self.conn, self._statements, sql, params)

    async def lock(self, name: str) -> None:
        """Until the transaction ends, no other transaction takes the lock of the same name."""
        await self.conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", name)


def _versions(folder: Path) -> dict[int, Path]:
    found = {}
    for file in sorted(folder.glob("*.sql")):
        match = _MIGRATION_NAME.match(file.name)
        if not match:
            raise RuntimeError(f"badly named migration: {file.name}")
        found[int(match.group(1))] = file
    return found


def _migrations() -> list[tuple[int, Path]]:
    """The PostgreSQL migrations in order; each SQLite migration must have its PostgreSQL twin and back."""
    mine, sqlite = _versions(MIGRATIONS_DIR), _versions(SQLITE_MIGRATIONS_DIR)
    if set(mine) != set(sqlite):
        raise RuntimeError(f"migrations without their twin: only SQLite {sorted(set(sqlite) - set(mine))}, "
                           f"only PostgreSQL {sorted(set(mine) - set(sqlite))}")
    return sorted(mine.items())


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("numeric", schema="pg_catalog", encoder=str, decoder=decode_numeric, format="text")


class PgDatabase:
    """See the module's docstring."""

    dialect: Dialect = "postgresql"

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self.pool = pool
        self.url = url
        self.closed = False
        self._statements = _Statements()

    @classmethod
    async def open(cls, url: str, migrate: bool = True, pool_size: int = POOL_SIZE) -> PgDatabase:
        pool = await asyncpg.create_pool(url, min_size=1, max_size=pool_size, init=_init_connection,
                                         timeout=_CONNECT_TIMEOUT_S)
        db = cls(pool, url)
        try:
            if migrate:
                await db.migrate()
        except BaseException:
            await db.close()
            raise
        return db

    async def close(self) -> None:
        if not self.closed:
            self.closed = True
            await self.pool.close()

    async def execute(self, sql: str, params: Params = ()) -> Written:
        async with self.pool.acquire() as conn:
            return await _execute(conn, self._statements, sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        async with self.transaction() as tx:
            await tx.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> Any:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[Any]:
        async with self.pool.acquire() as conn:
            return await _fetchall(conn, self._statements, sql, params)

    def transaction(self) -> AbstractAsyncContextManager[PgTx]:
        """`async with db.transaction() as tx:` BEGIN ... COMMIT (ROLLBACK on an exception)."""
        return self._transaction()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[PgTx]:
        async with self.pool.acquire() as conn, conn.transaction():
            yield PgTx(conn, self._statements)

    async def migrate(self) -> list[int]:
        """Apply every numbered migration of db/migrations/postgresql/ not yet recorded, each whole script in
        its own transaction (recorded in schema_migrations as on SQLite)."""
        async with self.pool.acquire() as conn:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
            applied = []
            for version, file in _migrations():
                async with conn.transaction():
                    # Two processes migrating at once: the second waits here, then finds the version recorded.
                    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('bastau schema_migrations'))")
                    if await conn.fetchval("SELECT 1 FROM schema_migrations WHERE version = $1", version):
                        continue
                    await conn.execute(file.read_text(encoding="utf-8"))  # no parameters: the whole script
                    await conn.execute(
                        "INSERT INTO schema_migrations(version, name, applied_at) VALUES ($1, $2, $3)",
                        version, file.name, datetime.now(UTC).isoformat())
                applied.append(version)
                log.info("applied migration %s", file.name)
        return applied
