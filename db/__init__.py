"""Storage: the database (SQLite by default, or PostgreSQL), numbered migrations, queries and the FSM storage."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from db.database import Database

SQLITE_PREFIX = "sqlite:///"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")


def sqlite_path(url: str) -> Path | None:
    """The file of a sqlite:///path URL (sqlite:////abs/path for an absolute one); None for PostgreSQL.
    ValueError for a URL of neither kind."""
    if url.startswith(SQLITE_PREFIX):
        return Path(url.removeprefix(SQLITE_PREFIX))
    if url.startswith(POSTGRES_PREFIXES):
        return None
    raise ValueError("the database URL is neither sqlite:///path nor postgresql://user:pass@host:port/db")


def is_postgres(url: str) -> bool:
    return sqlite_path(url) is None


async def open_database(url: str, migrate: bool = True) -> Database:
    """The database the URL names, migrated unless told otherwise."""
    path = sqlite_path(url)
    if path is None:
        from db.postgres import PgDatabase

        return await PgDatabase.open(url, migrate=migrate)
    from db.sqlite import SQLiteDatabase

    return await SQLiteDatabase.open(path, migrate=migrate)
