"""Scheduled online backups (`[backup] dir, every_hours, keep`): a job on the bot's scheduler
(bot/features/reminders/scheduler.py) added at startup, when `dir` is set."""
from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiogram import Dispatcher
from apscheduler.triggers.interval import IntervalTrigger

from bot.features.backups.service import PREFIX, STAMP, SUFFIX, BackupError, backups_in, write_backup
from db.sqlite import SQLiteDatabase

if TYPE_CHECKING:
    from bot.context import AppContext

log = logging.getLogger(__name__)
BACKUP_JOB_ID = "backup:online"


async def backup_job(app: AppContext) -> None:
    """A job: one backup. Errors are logged; the next run tries again."""
    folder, db = app.config.backup_dir, app.db
    if folder is None or not isinstance(db, SQLiteDatabase):
        return
    try:
        written = await write_backup(db, folder, app.clock.now(), app.config.backup.keep)
    except (BackupError, OSError) as exc:
        log.error("scheduled backup failed: %s", exc)
        return
    log.info("backup written: %s (%d pages, checked); %d old one(s) removed",
             written.path.name, written.pages, len(written.removed))


def setup_backups(app: AppContext, dp: Dispatcher) -> None:
    """Add the backup job to the scheduler once it has started (a startup hook after start_scheduler)."""
    from bot.features.reminders.scheduler import SCHEDULER_KEY

    async def add_job(**_: Any) -> None:
        scheduler = app.extra.get(SCHEDULER_KEY)
        if scheduler is None or app.config.backup_dir is None:
            return
        if app.db.dialect != "sqlite":
            log.warning("[backup] dir is set but the database is PostgreSQL: scheduled backups are of the SQLite "
                        "file; back PostgreSQL up with pg_dump (`bastau backup FILE` runs it)")
            return
        every = timedelta(hours=app.config.backup.every_hours)
        scheduler.add_job(backup_job, IntervalTrigger(seconds=every.total_seconds()), args=(app,),
                          id=BACKUP_JOB_ID, name="online backup", replace_existing=True, coalesce=True,
                          max_instances=1, misfire_grace_time=3600,
                          next_run_time=first_run(app.config.backup_dir, app.clock.now(), every))

    dp.startup.register(add_job)


def first_run(folder: Path, now: datetime, every: timedelta) -> datetime:
    """`every` after the newest backup, or a minute from now when it is due: restarts (even a crash
    loop) do not add backups, so the rotation never drops the older ones for them."""
    newest = backups_in(folder)[-1:] if folder.is_dir() else []
    if newest:
        try:
            taken = datetime.strptime(newest[0].name[len(PREFIX):-len(SUFFIX)], STAMP).replace(tzinfo=UTC)
        except ValueError:
            taken = None
        if taken is not None and taken + every > now + timedelta(minutes=1):
            return taken + every
    return now + timedelta(minutes=1)
