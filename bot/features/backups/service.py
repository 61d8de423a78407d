"""Online backups: written with SQLite's backup API while the bot runs, checked with PRAGMA
integrity_check, rotated; and the restore of one (only while no bot runs on the database)."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from db.backup import check_file, copy_file, integrity_of
from db.sqlite import SQLiteDatabase

log = logging.getLogger(__name__)
PREFIX = "bastau-"
SUFFIX = ".db"
STAMP = "%Y%m%dT%H%M%SZ"  # in UTC


class BackupError(Exception):
    """str() is one line for the operator."""


@dataclass(frozen=True)
class Written:
    path: Path
    pages: int
    removed: list[Path]


def backups_in(folder: Path) -> list[Path]:
    """The finished backups in `folder`, oldest first (their names sort by time)."""
    return sorted(p for p in folder.glob(f"{PREFIX}*{SUFFIX}") if p.is_file())


def rotate(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups; returns the deleted ones."""
    old = backups_in(folder)[:-keep]
    for path in old:
        path.unlink(missing_ok=True)
    return old


async def write_backup(db: SQLiteDatabase, folder: Path, now: datetime, keep: int) -> Written:
    """A new checked backup named by `now` (UTC) in `folder`, then the rotation. A backup that fails
    the check is removed and raises BackupError; the older ones are kept."""
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    final = folder / f"{PREFIX}{now.astimezone(UTC).strftime(STAMP)}{SUFFIX}"
    partial = final.with_name(final.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        pages = await db.backup_to(partial)
        verdict = await asyncio.to_thread(check_file, partial)
        if verdict != "ok":
            raise BackupError(f"the backup {final.name} failed its check: {verdict}")
        partial.replace(final)
    finally:
        partial.unlink(missing_ok=True)
    removed = rotate(folder, keep)
    return Written(final, pages, removed)


def restore(source: Path, db_path: Path, now: datetime) -> Path:
    """Copy a checked backup over the database (SQLite's backup API, so its WAL is replaced too);
    the database as it was is kept beside it first. Returns that copy's path. The caller holds
    the writer lock (db/lock.py)."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    verdict = check_file(source)
    if verdict != "ok":
        raise BackupError(f"{source} cannot be restored: {verdict}")
    kept = db_path.with_name(f"{db_path.name}.before-restore-{now.astimezone(UTC).strftime(STAMP)}")
    if db_path.exists():
        copy_file(db_path, kept)
    copy_file(source, db_path)
    verdict = integrity_of(db_path)
    if verdict != "ok":
        raise BackupError(f"the restored database failed its check: {verdict}; the previous one is {kept}")
    return kept
