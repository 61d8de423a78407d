"""Telegram errors during a reminder run: 403 marks the chair inactive, 429 is waited out,
5xx and network errors are retried with backoff, nobody is lost or sent twice."""
from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import SendMessage

from bot.telegram.delivery import RetryRequests, deliver
from tests.support.harness import at
from tests.support.schedule import Recorder, people

FORBIDDEN = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
BAD_GATEWAY = {"ok": False, "error_code": 502, "description": "Bad Gateway"}
CHAT_NOT_FOUND = {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}


def flood(seconds: int) -> dict:
    return {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {seconds}",
            "parameters": {"retry_after": seconds}}


@pytest.fixture
def sleeps(harness) -> list[float]:
    """The retry middleware's waits, recorded instead of slept."""
    waited: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waited.append(seconds)

    RetryRequests.of(harness.bot).sleep = fake_sleep
    return waited


def received(harness, chat_id: int) -> list[str]:
    """Messages that reached the chat (the fake API only stores successful sends)."""
    return [m["text"] for m in harness.session.chats[chat_id].values() if "text" in m and "2026" in m["text"]]


async def statuses(harness) -> dict[int, str]:
    return {row.recipient: row.status for row in await harness.app.repos.sent.rows("remind")}


# The reminder run sends in roster order: Мектеп №5 (1003), Қайнарбұлақ (1002), Құтарыс (1001).

async def test_blocked_chair_is_marked_inactive_and_a_flood_wait_is_honoured(harness, clock, sleeps):
    await people(harness, clock)
    harness.session.queue("SendMessage", FORBIDDEN)   # 1003 has blocked the bot
    harness.session.queue("SendMessage", flood(7))    # 1002: Telegram asks to wait 7 s
    recorder = Recorder(harness, clock)
    await recorder.tick(at("2026-11-25 09:00"))
    assert sleeps == [7]
    assert len(received(harness, 1002)) == 1 and len(received(harness, 1001)) == 1
    assert received(harness, 1003) == []
    assert not (await harness.app.repos.users.get(1003)).active
    assert await statuses(harness) == {1001: "sent", 1002: "sent", 1003: "blocked"}
    # Never retried, never reminded again; the others go on.
    await recorder.tick(at("2026-11-25 09:05"))
    await recorder.tick(at("2026-12-02 09:00"))
    assert [c.chat_id for c in recorder.calls if c.chat_id == 1003] == [1003]
    assert len(received(harness, 1002)) == 2 and len(received(harness, 1001)) == 2


async def test_server_errors_are_retried_with_backoff(harness, clock, sleeps):
    await people(harness, clock)
    harness.session.queue("SendMessage", BAD_GATEWAY)
    harness.session.queue("SendMessage", BAD_GATEWAY)
    await Recorder(harness, clock).tick(at("2026-11-25 09:00"))
    assert sleeps == [1.0, 2.0]
    assert [len(received(harness, chat)) for chat in (1001, 1002, 1003)] == [1, 1, 1]
    assert set((await statuses(harness)).values()) == {"sent"}


async def test_a_failure_that_outlasts_the_retries_is_sent_at_the_next_tick(harness, clock, sleeps):
    await people(harness, clock)
    for _ in range(RetryRequests.of(harness.bot).max_tries):
        harness.session.queue("SendMessage", BAD_GATEWAY)
    recorder = Recorder(harness, clock)
    await recorder.tick(at("2026-11-25 09:00"))
    assert sleeps == [1.0, 2.0, 4.0, 8.0]
    assert received(harness, 1003) == [] and 1003 not in await statuses(harness)   # claim given back
    await recorder.tick(at("2026-11-25 09:05"))
    assert [len(received(harness, chat)) for chat in (1001, 1002, 1003)] == [1, 1, 1]


async def test_a_permanent_error_is_recorded_and_not_retried(harness, clock, sleeps):
    await people(harness, clock)
    harness.session.queue("SendMessage", CHAT_NOT_FOUND)
    recorder = Recorder(harness, clock)
    await recorder.tick(at("2026-11-25 09:00"))
    await recorder.tick(at("2026-11-25 09:05"))
    assert sleeps == []
    assert (await statuses(harness))[1003] == "failed"
    assert [c.chat_id for c in recorder.calls].count(1003) == 1
    assert (await harness.app.repos.users.get(1003)).active   # not blocked: still reminded next time


async def test_deliver_reports_sent_blocked_and_failed(harness, clock, sleeps):
    users = harness.app.repos.users
    await users.ensure(5000, clock.now())
    assert (await deliver(harness.bot, users, 5000, "hello")).status == "sent"
    harness.session.queue("SendMessage", CHAT_NOT_FOUND)
    failed = await deliver(harness.bot, users, 5000, "hello")
    assert (failed.status, failed.transient) == ("failed", False) and "chat not found" in failed.reason
    for _ in range(RetryRequests.of(harness.bot).max_tries):
        harness.session.queue("SendMessage", flood(3))
    flooded = await deliver(harness.bot, users, 5000, "hello")
    assert (flooded.status, flooded.transient) == ("failed", True) and sleeps == [3, 3, 3, 3]
    harness.session.queue("SendMessage", FORBIDDEN)
    assert (await deliver(harness.bot, users, 5000, "hello")).status == "blocked"
    assert not (await users.get(5000)).active


async def test_network_errors_are_retried_and_the_tries_are_bounded():
    waited: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waited.append(seconds)

    method = SendMessage(chat_id=1, text="x")
    calls = 0

    async def flaky(bot, method):
        nonlocal calls
        calls += 1
        if calls < 3:
            raise TelegramNetworkError(method=method, message="connection reset")
        return "ok"

    retry = RetryRequests(max_tries=4, base_delay=0.5, sleep=fake_sleep)
    assert await retry(flaky, None, method) == "ok"
    assert (calls, waited) == (3, [0.5, 1.0])

    async def down(bot, method):
        raise TelegramNetworkError(method=method, message="timeout")

    with pytest.raises(TelegramNetworkError):
        await RetryRequests(max_tries=3, base_delay=10, max_delay=15, sleep=fake_sleep)(down, None, method)
    assert waited[2:] == [10, 15]
