"""Updates per second of the real chair dialog against a bare echo bot and against the aiogram-only
floor bot (bench/floor.py), all fed through `Dispatcher.feed_update` with a session that answers
without a network, in one process.

The dialog side runs the real dispatcher (`bot.app.build_dispatcher`: dedup, user and locale
middlewares, every router, SQLite FSM storage on a file database). A first group of chairs warms the
process up (the first use of each pydantic model builds it) and is not counted; then `gc.freeze()` as
`bastau run` does after start-up. Every counted update is recorded with the Bot API calls it made and
replayed, unchanged, into the bare bot and the floor bot right after each chair's dialog, so that the
three share the machine's load of the moment (on a busy machine it changes from second to second).
"""
from __future__ import annotations

import asyncio
import gc
import itertools
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, F
from aiogram.methods import TelegramMethod
from aiogram.types import CallbackQuery, Message, Update

from bench.common import bench_clock, load
from bench.floor import Call, Replayer, floor_replayer
from db.queries.orgs import RosterRow
from db.queries.roster import apply_rows
from tests.support.harness import Harness
from tests.support.mocked import MockedSession


class RecordingHarness(Harness):
    """The test harness that also records each update, the calls it made and the time its handling took."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recorded: list[dict[str, Any]] = []
        self.replies: dict[int, list[Call]] = {}
        self.measuring = False
        self.busy = 0.0
        self.api_calls = 0
        self.statements = 0  # SQL statements while a counted update was handled
        self.hops = 0  # of which ran in a worker thread of aiosqlite
        self._handling = False
        self._update_ids = itertools.count(1)
        db = self.app.db
        if db.quick is not None:
            run = db.quick.run

            def quick(sql: str, params: Any) -> Any:
                done = run(sql, params)
                self.statements += self._handling and done is not None
                return done

            db.quick.run = quick  # type: ignore[method-assign]
        for conn in {id(db.conn): db.conn, id(db.reader): db.reader}.values():
            for name in ("execute", "execute_fetchall", "executemany"):
                setattr(conn, name, self._counting(getattr(conn, name)))

    def _counting(self, call: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.statements += self._handling
            self.hops += self._handling
            return call(*args, **kwargs)
        return counted

    async def feed(self, payload: dict[str, Any], update_id: int | None = None) -> list[TelegramMethod]:
        update_id = update_id or next(self._update_ids)
        payload = {"update_id": update_id, **payload}
        before = len(self.session.requests)
        started, self._handling = time.perf_counter(), self.measuring
        update = Update.model_validate(payload, context={"bot": self.bot})
        await self.dp.feed_update(self.bot, update)
        calls = self.session.requests[before:]
        if self.measuring:
            self.busy += time.perf_counter() - started
            self._handling = False
            self.recorded.append(payload)
            self.replies[update_id] = [Call.of(c) for c in calls]
            self.api_calls += len(calls)
        return calls


def bare_dispatcher() -> Dispatcher:
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    @dp.callback_query(F.data)
    async def pressed(query: CallbackQuery) -> None:
        await query.answer(query.data)

    return dp


def bare_replayer() -> Replayer:
    return Replayer(Bot("42:TEST", session=MockedSession()), bare_dispatcher())


async def _registration(harness: Harness, first: int, chairs: int) -> None:
    from tests.onboarding.test_registration import register

    for n in range(first, first + chairs):
        await register(harness, 5_000_000 + n, "kk" if n % 3 else "ru", f"Ұйым {n}", name=f"Төраға {n}")


async def _report_dialogs(harness: Harness, first: int, chairs: int) -> None:
    from bench.report_driver import file_report

    for n in range(first, first + chairs):
        await file_report(harness, 5_000_000 + n, "kk" if n % 3 else "ru", f"Ұйым {n}")


@dataclass(frozen=True)
class DialogResult:
    scenario: str
    updates: int
    dialog_per_s: float
    bare_per_s: float
    floor_per_s: float
    api_calls_per_update: float  # the dialog's (and the floor's); the bare bot makes one
    sql_per_update: float
    hops_per_update: float  # statements that went to a worker thread

    @property
    def ratio(self) -> float:
        return round(self.dialog_per_s / self.bare_per_s, 3)

    @property
    def vs_floor(self) -> float:
        return round(self.dialog_per_s / self.floor_per_s, 3)


async def measure(chairs: int = 200, warm_up: int = 20) -> DialogResult:
    from bench.report_driver import report_dialog_available

    with tempfile.TemporaryDirectory(prefix="bench-dialog-") as folder:
        config = load(Path(folder), Path(folder) / "dialog.db")
        clock = bench_clock()
        harness = RecordingHarness(await _app(config, clock), clock)
        rows = [RosterRow(n + 2, f"Аудан {n % 10}", f"Ұйым {n}", "social", 100 + n)
                for n in range(warm_up + 1 + chairs)]
        await apply_rows(harness.app.db, rows, clock.now())
        try:
            dialog = report_dialog_available()
            scenario = "report dialog" if dialog else "registration"
            if dialog:
                await _register_directly(harness, warm_up + 1 + chairs)
            run = _report_dialogs if dialog else _registration
            await run(harness, 0, warm_up)
            floor, bare = floor_replayer(harness.replies, MockedSession()), bare_replayer()
            harness.measuring = True
            await run(harness, warm_up, 1)  # the floor and bare bots warm up on one chair's updates
            for replayer in (floor, bare):
                await replayer.feed(harness.recorded)
            harness.recorded.clear()
            floor.seconds = bare.seconds = harness.busy = harness.api_calls = 0
            harness.statements = harness.hops = 0
            gc.collect()
            gc.freeze()  # as bastau run does once the dispatcher is built
            n = 0
            for chair in range(warm_up + 1, warm_up + 1 + chairs):
                await run(harness, chair, 1)
                for replayer in (floor, bare):
                    await replayer.feed(harness.recorded[n:])
                n = len(harness.recorded)
        finally:
            await harness.close()
    gc.unfreeze()
    return DialogResult(scenario, n, n / harness.busy, n / bare.seconds, n / floor.seconds,
                        round(harness.api_calls / n, 2), round(harness.statements / n, 2), round(harness.hops / n, 2))


async def _app(config, clock):
    from bot.context import AppContext

    return await AppContext.create(config, clock=clock)


async def _register_directly(harness: Harness, chairs: int) -> None:
    """Chairs that registered earlier (registration is not what this scenario measures)."""
    now = harness.clock.now().isoformat(timespec="seconds")
    rows = await harness.app.db.fetchall("SELECT id, name FROM organizations")
    by_name = {r["name"]: r["id"] for r in rows}
    await harness.app.db.executemany(
        "INSERT INTO users(id, locale, full_name, phone, org_id, registered_at, active, created_at) "
        "VALUES (?,?,?,?,?,?,1,?)",
        [(5_000_000 + n, "kk" if n % 3 else "ru", f"Төраға {n}", None, by_name[f"Ұйым {n}"], now, now)
         for n in range(chairs)])


def run(quick: bool = False) -> DialogResult:
    return asyncio.run(measure(30 if quick else 300, 10 if quick else 20))
