"""The scheduler: APScheduler 3's AsyncIOScheduler inside the bot process.

Jobs with fixed ids, rebuilt from config at every start (`replace_existing=True`, memory job
store): a tick every few minutes, one run right at start (catch-up after downtime), and the weekly
digest at digest_weekday digest_time. Both run `run_due_work`, which works out from the calendar and the
sent-log what is due, so overlapping or repeated runs send nothing twice.
"""
from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from aiogram import Bot
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.features.reminders.due_work import run_due_work

if TYPE_CHECKING:
    from bot.context import AppContext

log = logging.getLogger(__name__)

TICK_JOB_ID = "schedule:tick"
DIGEST_JOB_ID = "schedule:digest"
STARTUP_JOB_ID = "schedule:startup"
TICK_MINUTES = 5
SCHEDULER_KEY = "scheduler"


async def tick(app: AppContext, bot: Bot) -> None:
    """A job: everything due at the clock's now. Errors are logged; the next tick tries again."""
    try:
        outcomes = await run_due_work(app, bot, app.clock.now())
    except Exception:
        log.exception("scheduled work failed")
        return
    if outcomes:
        log.info("scheduled messages: %d sent, %d not", sum(o.status == "sent" for o in outcomes),
                 sum(o.status != "sent" for o in outcomes))


def setup_jobs(scheduler: AsyncIOScheduler, app: AppContext, bot: Bot) -> None:
    cfg = app.config.calendar
    common: dict[str, Any] = {"args": (app, bot), "replace_existing": True, "coalesce": True,
                              "max_instances": 1, "misfire_grace_time": 3600}
    scheduler.add_job(tick, IntervalTrigger(minutes=TICK_MINUTES, timezone=cfg.tz), id=TICK_JOB_ID,
                      name="reminders, escalations and digests", **common)
    # No trigger: runs once, as soon as the scheduler starts (the scheduler's own wall clock).
    scheduler.add_job(tick, id=STARTUP_JOB_ID, name="catch-up at start", **common)
    scheduler.add_job(tick, CronTrigger(day_of_week=cfg.digest_weekday, hour=cfg.digest_at.hour,
                                        minute=cfg.digest_at.minute, timezone=cfg.tz),
                      id=DIGEST_JOB_ID, name="weekly digest", **common)


async def start_scheduler(bot: Bot, app: AppContext, **_: Any) -> None:
    """Dispatcher startup hook."""
    scheduler = AsyncIOScheduler(timezone=app.config.calendar.tz)
    setup_jobs(scheduler, app, bot)
    scheduler.start()
    app.extra[SCHEDULER_KEY] = scheduler
    log.info("scheduler started: %s", ", ".join(job.id for job in scheduler.get_jobs()))


async def stop_scheduler(app: AppContext, **_: Any) -> None:
    """Dispatcher shutdown hook."""
    scheduler = app.extra.pop(SCHEDULER_KEY, None)
    if scheduler is not None and scheduler.running:
        scheduler.shutdown(wait=False)
        await asyncio.sleep(0)  # AsyncIOScheduler finishes its shutdown on the next loop turn
