"""Updates per second of the real chair dialog against a bare echo bot, both fed through
`Dispatcher.feed_update` with a session that answers without a network.

The dialog side runs the real dispatcher (`bot.app.build_dispatcher`: dedup, user and locale
middlewares, every router, SQLite FSM storage on a file database). Every update it handled is
recorded and then replayed, unchanged, into the bare bot, so both sides handle the same updates.
"""
from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, F
from aiogram.methods import TelegramMethod
from aiogram.types import CallbackQuery, Message, Update

from bench.common import bench_clock, load
from db.queries.orgs import RosterRow, apply_rows
from tests.support.harness import Harness
from tests.support.mocked import MockedSession


class RecordingHarness(Harness):
    """The test harness that also records each update and the time its handling took."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recorded: list[dict[str, Any]] = []
        self.busy = 0.0
        self.api_calls = 0
        self.statements = 0  # SQL statements while an update was handled
        self._handling = False
        execute = self.app.db.conn.execute

        def counting(sql: str, parameters: Any = None) -> Any:
            self.statements += self._handling
            return execute(sql, parameters)

        self.app.db.conn.execute = counting  # type: ignore[method-assign]
        fetch = self.app.db.conn.execute_fetchall

        def counting_fetch(sql: str, parameters: Any = None) -> Any:
            self.statements += self._handling
            return fetch(sql, parameters)

        self.app.db.conn.execute_fetchall = counting_fetch  # type: ignore[method-assign]

    async def feed(self, payload: dict[str, Any], update_id: int | None = None) -> list[TelegramMethod]:
        update_id = update_id or (len(self.recorded) + 1)
        self.recorded.append({"update_id": update_id, **payload})
        before = len(self.session.requests)
        started, self._handling = time.perf_counter(), True
        update = Update.model_validate(self.recorded[-1], context={"bot": self.bot})
        await self.dp.feed_update(self.bot, update)
        self.busy += time.perf_counter() - started
        self._handling = False
        self.api_calls += len(self.session.requests) - before
        return self.session.requests[before:]


def bare_dispatcher() -> Dispatcher:
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    @dp.callback_query(F.data)
    async def pressed(query: CallbackQuery) -> None:
        await query.answer(query.data)

    return dp


async def replay_bare(payloads: list[dict[str, Any]]) -> tuple[float, int]:
    """Seconds the bare bot needs for the same updates, and its Bot API calls."""
    session = MockedSession()
    bot = Bot("42:TEST", session=session)
    dp = bare_dispatcher()
    started = time.perf_counter()
    for payload in payloads:
        await dp.feed_update(bot, Update.model_validate(payload, context={"bot": bot}))
    return time.perf_counter() - started, len(session.requests)


async def _registration(harness: Harness, chairs: int) -> None:
    from tests.onboarding.test_registration import register

    for n in range(chairs):
        await register(harness, 5_000_000 + n, "kk" if n % 3 else "ru", f"Ұйым {n}", name=f"Төраға {n}")


async def _report_dialogs(harness: Harness, chairs: int) -> None:
    from bench.report_driver import file_report

    for n in range(chairs):
        await file_report(harness, 5_000_000 + n, "kk" if n % 3 else "ru", f"Ұйым {n}")


@dataclass(frozen=True)
class DialogResult:
    scenario: str
    updates: int
    dialog_per_s: float
    bare_per_s: float
    api_calls_per_update: float  # the dialog's; the bare bot makes one
    sql_per_update: float

    @property
    def ratio(self) -> float:
        return round(self.dialog_per_s / self.bare_per_s, 3)


async def measure(chairs: int = 200) -> DialogResult:
    from bench.report_driver import report_dialog_available

    with tempfile.TemporaryDirectory(prefix="bench-dialog-") as folder:
        config = load(Path(folder), Path(folder) / "dialog.db")
        clock = bench_clock()
        harness = RecordingHarness(await _app(config, clock), clock)
        rows = [RosterRow(n + 2, f"Аудан {n % 10}", f"Ұйым {n}", "social", 100 + n) for n in range(chairs)]
        await apply_rows(harness.app.db, rows, clock.now())
        try:
            if report_dialog_available():
                scenario = "report dialog"
                await _register_directly(harness, chairs)
                await _report_dialogs(harness, chairs)
            else:
                scenario = "registration"
                await _registration(harness, chairs)
            payloads, busy = harness.recorded, harness.busy
        finally:
            await harness.close()
    bare = min([(await replay_bare(payloads))[0] for _ in range(2)])
    n = len(payloads)
    return DialogResult(scenario, n, n / busy, n / bare, round(harness.api_calls / n, 1),
                        round(harness.statements / n, 1))


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
    return asyncio.run(measure(30 if quick else 300))
