"""A broadcast engine that sleeps on the fake clock, and the chairs the broadcast stories send to."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.context import AppContext
from bot.domain.clock import FakeClock
from bot.features.broadcast import ENGINE_KEY, BroadcastEngine
from tests.support.harness import Harness

CHAIRS = {1001: ("kk", "Құтарыс"), 1002: ("ru", "Қайнарбұлақ"), 1003: ("kk", "Мектеп №5")}


class FakeSleep:
    """Sleeps move the fake clock instead of waiting. With `hold` set, a sleep of at least
    `hold_from` seconds waits until the test sets the event: a broadcast paused on demand."""

    def __init__(self, clock: FakeClock, hold_from: float = 10.0) -> None:
        self.clock = clock
        self.calls: list[float] = []
        self.hold_from = hold_from
        self.hold: asyncio.Event | None = None
        self.holding = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        if self.hold is not None and seconds >= self.hold_from:
            self.holding.set()
            await self.hold.wait()
        self.clock.advance(timedelta(seconds=seconds))
        await asyncio.sleep(0)


async def harness_with_engine(config, clock: FakeClock, sleep: FakeSleep, max_in_flight: int = 1) -> Harness:
    """A harness whose broadcast engine sleeps on the fake clock (one call at a time: a fixed order)."""
    app = await AppContext.create(config, clock=clock)
    app.extra[ENGINE_KEY] = BroadcastEngine(app.repos, app.i18n, config.broadcast, clock, sleep=sleep,
                                            max_in_flight=max_in_flight)
    return Harness(app, clock)
