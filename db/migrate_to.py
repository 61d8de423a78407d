"""`bastau migrate-to postgresql://...`: the SQLite database copied into an empty PostgreSQL one at the same
schema version. In one PostgreSQL transaction (all or nothing): every table in foreign-key order, in batches
through COPY, with the tables' own triggers off (the tallies and month stamps they would write are copied
as they are), then each identity sequence set to the largest id; then both sides' row counts, which must
be equal."""
from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any, NamedTuple

import asyncpg

from db.pgtypes import coercer
from db.postgres import PgDatabase

BATCH = 5000


class MigrateError(Exception):
    """str() is one line for the operator."""


class Counted(NamedTuple):
    table: str
    sqlite: int
    postgresql: int


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def foreign_key_order(tables: list[str], edges: list[tuple[str, str]]) -> list[str]:
    """`tables` with every parent (edge: child, parent) before its children; ties in name order."""
    parents = {t: {p for c, p in edges if c == t and p != t and p in tables} for t in tables}
    order: list[str] = []
    while len(order) < len(tables):
        ready = sorted(t for t in tables if t not in order and parents[t] <= set(order))
        if not ready:
            raise MigrateError(f"a foreign-key cycle among {sorted(set(tables) - set(order))}")
        order.extend(ready)
    return order


def _source_versions(path: Path) -> set[int]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        try:
            return {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        except sqlite3.OperationalError:
            raise MigrateError(f"{path} is not a Bastau database (no schema_migrations)") from None


def _sqlite_tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' "
            "AND name <> 'schema_migrations'")}


def _count(path: Path, table: str) -> int:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {_quote(table)}").fetchone()[0])


def _sqlite_columns(path: Path, table: str) -> list[str]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return [row[1] for row in conn.execute(f"PRAGMA table_info({_quote(table)})")]


async def _batches(path: Path, table: str, columns: list[str], convert: list[Callable[[Any], Any]],
                   copy: Callable[[list[tuple[Any, ...]]], Any]) -> None:
    """Read the SQLite table in batches (in a thread) and hand each, converted, to `copy`."""
    conn = await asyncio.to_thread(sqlite3.connect, f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    try:
        cursor = await asyncio.to_thread(
            conn.execute, f"SELECT {', '.join(_quote(c) for c in columns)} FROM {_quote(table)}")
        while rows := await asyncio.to_thread(cursor.fetchmany, BATCH):
            await copy([tuple(None if v is None else f(v) for f, v in zip(convert, row, strict=True)) for row in rows])
    finally:
        conn.close()


async def _target_tables(conn: asyncpg.Connection) -> tuple[list[str], list[tuple[str, str]]]:
    tables = [r[0] for r in await conn.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'")]
    edges = [(r[0], r[1]) for r in await conn.fetch(
        "SELECT c.relname, p.relname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
        "JOIN pg_class p ON p.oid = k.confrelid WHERE k.contype = 'f'")]
    return tables, edges


async def migrate_to(sqlite_file: Path, url: str, report: Callable[[str], None] | None = None) -> list[Counted]:
    """Copy; returns the row counts of both sides. MigrateError when the target is not empty, the schema
    versions differ, or a count differs afterwards."""
    versions = await asyncio.to_thread(_source_versions, sqlite_file)
    target = await PgDatabase.open(url, migrate=True, pool_size=1)
    try:
        async with target.pool.acquire() as conn:
            done = {r[0] for r in await conn.fetch("SELECT version FROM schema_migrations")}
            if done != versions:
                raise MigrateError(
                    f"schema versions differ: SQLite has {sorted(versions)}, PostgreSQL {sorted(done)} "
                    f"(run `bastau migrate` on the SQLite database first)")
            tables, edges = await _target_tables(conn)
            extra = await asyncio.to_thread(_sqlite_tables, sqlite_file) - set(tables)
            if extra:
                raise MigrateError(f"tables missing in PostgreSQL: {sorted(extra)}")
            for table in tables:
                if await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {_quote(table)})"):
                    raise MigrateError(f"the PostgreSQL database is not empty: {table} has rows")
            async with conn.transaction():
                for table in foreign_key_order(tables, edges):
                    await _copy_table(conn, sqlite_file, table)
                    if report is not None:
                        report(f"copied {table}")
            counts = [Counted(t, await asyncio.to_thread(_count, sqlite_file, t),
                              int(await conn.fetchval(f"SELECT COUNT(*) FROM {_quote(t)}")))
                      for t in foreign_key_order(tables, edges)]
    finally:
        await target.close()
    return counts


async def _copy_table(conn: asyncpg.Connection, sqlite_file: Path, table: str) -> None:
    types = {r[0]: r[1] for r in await conn.fetch(
        "SELECT column_name, udt_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = $1", table)}
    source = await asyncio.to_thread(_sqlite_columns, sqlite_file, table)
    if not source:
        raise MigrateError(f"the SQLite database has no table {table}")
    missing = set(source) - set(types)
    if missing:
        raise MigrateError(f"{table}: the PostgreSQL table lacks the columns {sorted(missing)}")
    await conn.execute(f"ALTER TABLE {_quote(table)} DISABLE TRIGGER USER")

    async def copy(records: list[tuple[Any, ...]]) -> None:
        await conn.copy_records_to_table(table, records=records, columns=source)

    await _batches(sqlite_file, table, source, [coercer(types[c]) for c in source], copy)
    await conn.execute(f"ALTER TABLE {_quote(table)} ENABLE TRIGGER USER")
    for (column,) in await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = $1 AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')", table):
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence($1, $2), m, true) FROM "
            f"(SELECT MAX({_quote(column)}) AS m FROM {_quote(table)}) s WHERE m IS NOT NULL", table, column)


def check_counts(counts: list[Counted]) -> list[Counted]:
    """The tables whose counts differ."""
    return [c for c in counts if c.sqlite != c.postgresql]
