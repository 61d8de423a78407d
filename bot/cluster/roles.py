"""What each `bastau run --role` does, and the one-writer rule of SQLite.

- web: takes updates (polling or webhook) and serves the Mini App; runs no scheduled work.
- worker: takes no updates; while it is the leader (bot/cluster/leader.py) it runs the duties: the
  scheduler (reminders, escalations, digests), broadcast delivery, scheduled backups, the inbox retry.
- all: both in one process (the default, and the only role on SQLite).

The duties are the startup and shutdown hooks of an aiogram Dispatcher: for `all` the main one (they
start with the process, as before); for `worker` a second one that holds only them, started when the
process becomes the leader and shut down when it steps down; for `web` they are never started.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import Dispatcher

from bot.cluster.node import CLUSTER_KEY, Cluster, Role, new_node

if TYPE_CHECKING:
    from bot.context import AppContext


def role_error(role: Role, database_url: str) -> str | None:
    """Why `role` cannot run on this database (one line), or None."""
    from db import is_postgres

    if role is not Role.ALL and not is_postgres(database_url):
        return (f"--role {role} needs PostgreSQL (BASTAU_DATABASE_URL=postgresql://...): SQLite has one writer, "
                f"so on SQLite only --role all runs, in one process")
    return None


def wire_duties(app: AppContext, dp: Dispatcher, role: Role) -> None:
    """Register the scheduler, broadcast delivery and backups where `role` runs them."""
    from bot.cluster.handover import HandOverBroadcasts
    from bot.features.backups import setup_backups
    from bot.features.broadcast import ENGINE_KEY, ensure_engine, setup_broadcasts
    from bot.features.reminders.scheduler import start_scheduler, stop_scheduler

    duties = dp if role is Role.ALL else Dispatcher()
    if role is Role.WEB:  # a broadcast recorded here is delivered by the leading worker
        app.extra[ENGINE_KEY] = HandOverBroadcasts.of(app)
    duties.startup.register(start_scheduler)
    duties.shutdown.register(stop_scheduler)
    setup_broadcasts(app, duties)  # resume unfinished broadcasts when the duties start, interrupt them at the end
    setup_backups(app, duties)  # the scheduled online backups, once the scheduler runs
    dp[ENGINE_KEY] = ensure_engine(app)
    if role is not Role.ALL:
        app.extra[CLUSTER_KEY] = dp[CLUSTER_KEY] = Cluster(role, new_node(), duties)
