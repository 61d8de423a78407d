"""One aiosqlite connection shared by the whole process, with serialized writes."""
from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, AsyncIterator, Iterable, Sequence

import aiosqlite

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

Params = Sequence[Any] | dict[str, Any]


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


class Tx:
    """Statements inside one transaction (see Database.transaction)."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def execute(self, sql: str, params: Params = ()) -> aiosqlite.Cursor:
        return await self.conn.execute(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self.conn.executemany(sql, rows)

    # One round trip to the connection's thread each (a cursor would take three: execute, fetch, close).
    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        rows = await self.conn.execute_fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        return list(await self.conn.execute_fetchall(sql, params))


class Database(Tx):
    """Reads go straight to the connection; every write holds the lock, so that one
    coroutine's statement never lands inside another coroutine's open transaction."""

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        super().__init__(conn)
        self.path = path
        self.closed = False
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path, migrate: bool = True) -> "Database":
        path = str(path)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None)
        try:
            conn.row_factory = aiosqlite.Row
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA synchronous=NORMAL")
            await conn.execute("PRAGMA busy_timeout=5000")
            db = cls(conn, path)
            if migrate:
                await db.migrate()
        except BaseException:  # never leave the connection's thread running: the process would hang
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        if not self.closed:
            self.closed = True
            await self.conn.close()

    async def backup_to(self, target: str | Path) -> int:
        """Copy the live database into `target` with SQLite's online backup; returns its page count."""
        async with self._lock:
            dest = await aiosqlite.connect(str(target))
            try:
                await self.conn.backup(dest)
                row = await (await dest.execute("PRAGMA page_count")).fetchone()
            finally:
                await dest.close()
        return row[0]

    async def execute(self, sql: str, params: Params = ()) -> aiosqlite.Cursor:
        async with self._lock:
            return await self.conn.execute(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        async with self.transaction() as tx:
            await tx.executemany(sql, rows)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(self.conn)
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            else:
                await self.conn.execute("COMMIT")

    async def migrate(self) -> list[int]:
        """Apply every numbered migration not yet recorded, each in its own transaction."""
        await self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        done = {row[0] for row in await self.fetchall("SELECT version FROM schema_migrations")}
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
                    (version, file.name, datetime.now(timezone.utc).isoformat()),
                )
            applied.append(version)
            log.info("applied migration %s", file.name)
        return applied
