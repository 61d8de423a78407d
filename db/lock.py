"""One writer per database: `bastau run` (and `bastau restore`) hold an exclusive lock on
<database>.lock, which also names the holder (pid, host, start time) for the message a second
instance prints. The operating system releases the lock when the process ends, even on kill -9.

With one writer the in-memory caches of dialog state (db/storage.py) and drafts
(db/queries/reports.py) are correct: every change goes through them.
SQLite only: on PostgreSQL several processes share the database and nothing is cached in a process.
"""
from __future__ import annotations

import fcntl
import json
import os
import socket
from datetime import datetime
from pathlib import Path
from typing import IO

from db.database import Database


class LockHeld(Exception):
    """Another process holds the database; str() names it."""


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


def describe(path: Path) -> str:
    try:
        holder = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        holder = {}
    return f"pid {holder.get('pid', '?')} on {holder.get('host', '?')} since {holder.get('since', '?')}"


class WriterLock:
    def __init__(self, db_path: Path) -> None:
        self.path = lock_path(db_path)
        self._file: IO[str] | None = None

    def acquire(self, now: datetime, role: str = "bastau run") -> WriterLock:
        """Take the lock or raise LockHeld naming the holder. OSError when the file cannot be made."""
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise LockHeld(f"{self.path.name.removesuffix('.lock')} is in use by another bastau process "
                           f"({describe(self.path)})") from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "role": role,
                                 "since": now.isoformat(timespec="seconds")}))
        handle.flush()
        self._file = handle
        return self

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


async def probe_write(db: Database) -> None:
    """A write that changes nothing: raises sqlite3.OperationalError when the database is read-only
    (SQLite opens such a file read-only without a word, and says so only at the first write)."""
    async with db.transaction() as tx:
        await tx.execute("UPDATE schema_migrations SET version = version WHERE 0")
