"""Whole database files, apart from the live one: checking a file (PRAGMA integrity_check, Bastau's tables)
and copying one file over another with SQLite's backup API (its WAL is replaced too)."""
from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path


def integrity_of(path: Path) -> str:
    """PRAGMA integrity_check of a database file: 'ok', or what is wrong."""
    with closing(sqlite3.connect(path)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def check_file(path: Path) -> str:
    """'ok', or what is wrong: PRAGMA integrity_check on a read-only connection, and Bastau's tables."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                return str(verdict)
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'").fetchone() is None:
                return "not a Bastau database (no schema_migrations table)"
    except sqlite3.Error as exc:
        return str(exc)
    return "ok"


def copy_file(source: Path, target: Path) -> None:
    """`target` becomes a copy of the database in `source`."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dest:
        src.backup(dest)
