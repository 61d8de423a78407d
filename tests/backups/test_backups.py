"""Scheduled online backups (checked, rotated) and `bastau restore` (round trip; refused while a bot runs)."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import timedelta

import pytest

from bot.config import ConfigError, load_config
from bot.features.backups import first_run
from bot.features.backups import service as backups
from db.lock import WriterLock
from tests.support.paths import REPO

pytestmark = pytest.mark.sqlite_only  # the SQLite file's backups; PostgreSQL's (pg_dump): test_pg_dump.py


def rows(path, table: str = "organizations") -> list[tuple]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()


def bastau(config_file, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "BASTAU_DB", "TELEGRAM_API_SERVER")}
    return subprocess.run([sys.executable, "-m", "bot", "--config", str(config_file), *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)


async def test_backups_are_checked_and_rotated_to_keep(harness, tmp_path):
    folder = tmp_path / "backups"
    written = []
    for _ in range(3):
        written.append(await backups.write_backup(harness.app.db, folder, harness.clock.now(), keep=2))
        harness.clock.advance(timedelta(hours=6))
    assert [p.name for p in backups.backups_in(folder)] == [w.path.name for w in written[1:]]
    assert written[2].removed == [written[0].path]
    for w in written[1:]:
        assert backups.check_file(w.path) == "ok" and rows(w.path) == rows(harness.app.config.db_path)
    assert not list(folder.glob("*.partial"))


async def test_a_backup_that_fails_its_check_is_not_kept(harness, tmp_path, monkeypatch):
    folder = tmp_path / "backups"
    good = await backups.write_backup(harness.app.db, folder, harness.clock.now(), keep=1)
    harness.clock.advance(timedelta(hours=1))
    monkeypatch.setattr(backups, "check_file", lambda path: "*** in database main ***\nPage 3 is never used")
    with pytest.raises(backups.BackupError, match="failed its check"):
        await backups.write_backup(harness.app.db, folder, harness.clock.now(), keep=1)
    assert backups.backups_in(folder) == [good.path] and not list(folder.glob("*.partial"))


async def test_restarts_do_not_add_backups(harness, tmp_path):
    folder = tmp_path / "backups"
    now = harness.clock.now()
    every = timedelta(hours=24)
    assert first_run(folder, now, every) == now + timedelta(minutes=1)  # none yet: soon
    await backups.write_backup(harness.app.db, folder, now, keep=3)
    later = now + timedelta(hours=2)
    assert first_run(folder, later, every) == now.replace(microsecond=0) + every  # a day after the last
    assert first_run(folder, now + timedelta(days=2), every) == now + timedelta(days=2, minutes=1)


def test_backup_settings_are_validated(config_file):
    text = config_file.read_text(encoding="utf-8")
    for bad in ("keep = 0", "every_hours = 0", "every_hours = -2", 'keep = "many"'):
        config_file.write_text(text.replace("keep = 7", bad) if "keep" in bad else
                               text.replace("every_hours = 24", bad), encoding="utf-8")
        with pytest.raises(ConfigError, match="backup"):
            load_config(config_file)


@pytest.mark.slow
async def test_restore_round_trip(harness, config_file, tmp_path):
    folder = tmp_path / "backups"
    db_path = harness.app.config.db_path
    before = rows(db_path)
    taken = await backups.write_backup(harness.app.db, folder, harness.clock.now(), keep=3)
    await harness.app.db.execute("UPDATE organizations SET name = 'changed ' || id")
    await harness.close()
    restored = bastau(config_file, "restore", str(taken.path))
    assert restored.returncode == 0, restored.stderr
    assert rows(db_path) == before
    [kept] = tmp_path.glob("bastau.db.before-restore-*")
    assert all(r[2].startswith("changed ") for r in rows(kept))
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 100)
    refused = bastau(config_file, "restore", str(garbage))
    assert refused.returncode == 1 and "cannot be restored" in refused.stderr and "Traceback" not in refused.stderr
    assert rows(db_path) == before


@pytest.mark.slow
async def test_restore_is_refused_while_a_bot_runs_on_the_database(harness, config_file, tmp_path):
    taken = await backups.write_backup(harness.app.db, tmp_path / "backups", harness.clock.now(), keep=3)
    lock = WriterLock(harness.app.config.db_path).acquire(harness.clock.now())  # as `bastau run` holds it
    try:
        refused = bastau(config_file, "restore", str(taken.path))
    finally:
        lock.release()
    assert refused.returncode == 1
    assert f"in use by another bastau process (pid {os.getpid()} on " in refused.stderr
    assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
