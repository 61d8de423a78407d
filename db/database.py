"""What repositories see of a database, whichever engine holds it: SQLite (db/sqlite.py, the default: one
process, one file) or PostgreSQL (db/postgres.py). `db.dialect` says which, for the few statements that
must be written differently. Open one with db.open_database(url).

Statements are written with `?` or `:name` placeholders. A statement ending in `RETURNING ...` reports the
first column of its first row as Written.lastrowid on both engines (`INSERT ... RETURNING id`)."""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from functools import lru_cache
from typing import Any, Literal, NamedTuple, Protocol

Params = Sequence[Any] | dict[str, Any]
Dialect = Literal["sqlite", "postgresql"]
_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)


class Written(NamedTuple):
    """What a write reports: the rows it changed, and the id it inserted (SQLite's rowid, or the first
    column its RETURNING gave)."""
    rowcount: int
    lastrowid: int | None


@lru_cache(maxsize=4096)
def returns_rows(sql: str) -> bool:
    """The statement may return rows of a write (RETURNING); a word in a literal only costs a fetch."""
    return _RETURNING.search(sql) is not None


class Tx(Protocol):
    """Statements inside one transaction."""

    @property
    def dialect(self) -> Dialect: ...

    async def execute(self, sql: str, params: Params = ()) -> Written: ...

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None: ...

    async def fetchone(self, sql: str, params: Params = ()) -> Any: ...

    async def fetchall(self, sql: str, params: Params = ()) -> list[Any]: ...

    async def lock(self, name: str) -> None:
        """Serialize the transactions that take the lock of this name (PostgreSQL: an advisory lock held to
        the transaction's end; SQLite: nothing to do, its transactions already run one at a time)."""


class Database(Protocol):
    """Rows are sqlite3.Row or asyncpg.Record: row[0], row["name"] and dict(row) work on both."""

    @property
    def dialect(self) -> Dialect: ...

    @property
    def closed(self) -> bool: ...

    async def execute(self, sql: str, params: Params = ()) -> Written: ...

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None: ...

    async def fetchone(self, sql: str, params: Params = ()) -> Any: ...

    async def fetchall(self, sql: str, params: Params = ()) -> list[Any]: ...

    def transaction(self) -> AbstractAsyncContextManager[Tx]: ...

    async def migrate(self) -> list[int]: ...

    async def close(self) -> None: ...
