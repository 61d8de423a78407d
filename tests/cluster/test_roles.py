"""`bastau run --role`: SQLite allows only `all`; a web process runs none of the leader's duties and leaves
a confirmed broadcast to the leader; a worker runs them only while it leads."""
from __future__ import annotations

import asyncio

import pytest
from aiogram.methods import CopyMessage

from bot.app import build_bot, build_dispatcher, build_inbox
from bot.cluster.handover import HandOverBroadcasts
from bot.cluster.node import Role, cluster_in
from bot.cluster.roles import role_error
from bot.cluster.worker import Duties
from bot.context import AppContext
from bot.features.broadcast import ENGINE_KEY
from bot.features.reminders.scheduler import SCHEDULER_KEY
from tests.support.cli import bastau
from tests.support.mocked import MockedSession
from tests.support.process import clean_env
from tests.support.roster import seed_roster


@pytest.mark.parametrize("role", [Role.WEB, Role.WORKER])
def test_on_sqlite_only_role_all_runs(role):
    why = role_error(role, "sqlite:///var/lib/bastau/bastau.db")
    assert why is not None and f"--role {role} needs PostgreSQL" in why and "one writer" in why
    assert role_error(role, "postgresql://bastau@db/bastau") is None
    assert role_error(Role.ALL, "sqlite:///bastau.db") is None


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_bastau_run_role_worker_on_sqlite_stops_with_one_line(config_file):
    ran = bastau(config_file, "run", "--role", "worker", env=clean_env(BOT_TOKEN="123:ABC"))
    assert ran.returncode == 1
    assert ran.stderr.strip().splitlines() == [
        "bastau run: --role worker needs PostgreSQL (BASTAU_DATABASE_URL=postgresql://...): SQLite has one "
        "writer, so on SQLite only --role all runs, in one process"]


class Process:
    """One process's dispatcher over the shared database, as `bastau run --role ROLE` builds it."""

    def __init__(self, app: AppContext, role: Role) -> None:
        self.app = app
        self.session = MockedSession()
        self.bot = build_bot("42:TEST", app.config, session=self.session)
        self.dp = build_dispatcher(app, role)

    def workflow(self) -> dict:
        return {"bot": self.bot, "dispatcher": self.dp, "bots": (self.bot,), **self.dp.workflow_data}


async def test_web_leaves_the_duties_and_broadcasts_to_the_leading_worker(config, clock):
    web = Process(await AppContext.create(config, clock=clock), Role.WEB)
    await seed_roster(web.app.db, clock)
    worker = Process(await AppContext.create(config, clock=clock), Role.WORKER)
    try:
        await web.dp.emit_startup(**web.workflow())
        assert SCHEDULER_KEY not in web.app.extra
        engine = web.dp[ENGINE_KEY]
        assert isinstance(engine, HandOverBroadcasts)
        broadcast_id = await engine.create([1001, 1002], from_chat_id=900, message_id=5)
        await engine.start(broadcast_id, web.bot)
        assert not [r for r in web.session.requests if isinstance(r, CopyMessage)]

        await worker.dp.emit_startup(**worker.workflow())
        assert SCHEDULER_KEY not in worker.app.extra  # standing by
        cluster = cluster_in(worker.app.extra)
        assert cluster is not None and cluster.role is Role.WORKER
        duties = Duties(worker.app, worker.bot, worker.dp, cluster, build_inbox(worker.app, worker.dp, worker.bot))
        await duties.lead()
        assert worker.app.extra[SCHEDULER_KEY].running
        receipt = await asyncio.wait_for(worker.dp[ENGINE_KEY].wait(broadcast_id), 10)
        assert receipt.sent == 2
        assert sorted(r.chat_id for r in worker.session.requests if isinstance(r, CopyMessage)) == [1001, 1002]
        await duties.step_down()
        assert SCHEDULER_KEY not in worker.app.extra and duties.rounds == []
    finally:
        await web.dp.emit_shutdown(**web.workflow())
        await worker.dp.emit_shutdown(**worker.workflow())
        await web.app.db.close()
        await worker.app.db.close()


async def test_a_broadcast_stopped_from_a_web_process_is_stopped_by_the_leader(config, clock):
    worker = Process(await AppContext.create(config, clock=clock), Role.WORKER)
    web = Process(await AppContext.create(config, clock=clock), Role.WEB)
    try:
        engine = worker.dp[ENGINE_KEY]
        broadcast_id = await engine.create(list(range(5000, 5400)), from_chat_id=900, message_id=5)
        cluster = cluster_in(worker.app.extra)
        duties = Duties(worker.app, worker.bot, worker.dp, cluster, build_inbox(worker.app, worker.dp, worker.bot))
        await duties.lead()
        assert engine.is_running(broadcast_id)
        assert await web.dp[ENGINE_KEY].cancel(broadcast_id, by=900)  # not running there: marked in the database
        await duties.pick_up_broadcasts()
        receipt = await asyncio.wait_for(engine.wait(broadcast_id), 10)
        assert receipt.sent < 400
        assert (await worker.app.repos.broadcasts.get(broadcast_id)).status == "cancelled"
        await duties.step_down()
    finally:
        await worker.dp.emit_shutdown(**worker.workflow())
        await worker.app.db.close()
        await web.app.db.close()
