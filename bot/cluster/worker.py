"""`bastau run --role worker`: no updates taken; stands by, and while it leads runs the duties.

Becoming the leader starts the duties' hooks (the scheduler with its catch-up run, unfinished broadcasts
resumed, the backup job: bot/cluster/roles.py) and two rounds: every `PICKUP_S` the broadcasts that web
processes recorded are started (and one stopped from a web process is stopped here), and every
`failover_s / 4` the inbox rows of stopped processes are taken over (bot/telegram/inbox.py).
Stepping down stops all of it at once; what was under way resumes on the next leader.
"""
from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from aiogram import Bot, Dispatcher

from bot.cluster.leader import Election, LeaderLock
from bot.cluster.node import Cluster, cluster_in
from bot.context import AppContext
from bot.features.broadcast import ENGINE_KEY, BroadcastEngine
from bot.telegram.inbox import Inbox

log = logging.getLogger(__name__)
PICKUP_S = 2.0
STOP_GRACE_S = 5.0


class Duties:
    """What the leader runs; `lead` and `step_down` are the Election's hooks."""

    def __init__(self, app: AppContext, bot: Bot, dp: Dispatcher, cluster: Cluster, inbox: Inbox) -> None:
        self.app = app
        self.bot = bot
        self.dp = dp
        self.cluster = cluster
        self.inbox = inbox
        self.rounds: list[asyncio.Task[None]] = []

    @property
    def engine(self) -> BroadcastEngine:
        engine: BroadcastEngine = self.dp[ENGINE_KEY]
        return engine

    def workflow(self) -> dict[str, Any]:
        return {"bot": self.bot, "dispatcher": self.dp, "bots": (self.bot,), **self.dp.workflow_data}

    async def lead(self) -> None:
        await self.cluster.duties.emit_startup(**self.workflow())
        period = self.app.config.cluster.failover_s / 4
        self.rounds = [asyncio.create_task(self._every(PICKUP_S, self.pick_up_broadcasts), name="broadcast pickup"),
                       asyncio.create_task(self._every(period, self.inbox.retry_stale), name="inbox retry")]

    async def step_down(self) -> None:
        rounds, self.rounds = self.rounds, []
        for task in rounds:
            task.cancel()
        await asyncio.gather(*rounds, return_exceptions=True)
        await self.cluster.duties.emit_shutdown(**self.workflow())

    async def pick_up_broadcasts(self) -> None:
        """Start the running broadcasts not running here; stop those cancelled from elsewhere."""
        await self.engine.resume_all(self.bot)
        for broadcast_id, job in list(self.engine.jobs.items()):
            broadcast = await self.app.repos.broadcasts.get(broadcast_id)
            if broadcast is not None and broadcast.status != "running" and not job.cancel_requested:
                job.cancel_requested = True

    @staticmethod
    async def _every(period: float, work: Callable[[], Awaitable[object]]) -> None:
        while True:
            try:
                await work()
            except Exception:  # the database is busy or away: the next round tries again
                log.exception("leader round %s failed", getattr(work, "__name__", work))
            await asyncio.sleep(period)


async def run_worker(app: AppContext, bot: Bot, dp: Dispatcher, inbox: Inbox, lock: LeaderLock,
                     handle_signals: bool = True) -> None:
    """Stand by or lead until SIGTERM/SIGINT (or cancellation); then step down and give the lock back."""
    cluster = cluster_in(app.extra)
    if cluster is None:
        raise RuntimeError("run_worker needs the dispatcher of --role worker (build_dispatcher(app, Role.WORKER))")
    stop = asyncio.Event()
    if handle_signals:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    duties = Duties(app, bot, dp, cluster, inbox)
    election = Election(lock, app.config.cluster.failover_s, duties.lead, duties.step_down)
    await dp.emit_startup(**duties.workflow())
    log.info("worker %s standing by (failover within %g s)", cluster.node, app.config.cluster.failover_s)
    task = asyncio.create_task(election.run(), name="election")
    try:
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if task.done():
            task.result()
        log.info("stopping")
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        await inbox.close(STOP_GRACE_S)
        try:
            await dp.emit_shutdown(**duties.workflow())
        finally:
            await bot.session.close()
            if handle_signals:
                for sig in (signal.SIGTERM, signal.SIGINT):
                    asyncio.get_running_loop().remove_signal_handler(sig)
