"""The delivery engine against Telegram's answers (429, 403, 5xx, 400) and across a restart."""
from __future__ import annotations

import asyncio
from datetime import datetime

from aiogram.methods import CopyMessage

from bot.config import BroadcastSection
from bot.features.broadcast import ENGINE_KEY, BroadcastEngine
from tests.support.broadcast import CHAIRS, FakeSleep, harness_with_engine

ADMIN = 900
SERVER_ERROR = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
BLOCKED = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}


def engine_for(h, sleep: FakeSleep, max_in_flight: int = 1) -> BroadcastEngine:
    return BroadcastEngine(h.app.repos, h.app.i18n, h.app.config.broadcast, h.clock, sleep=sleep,
                           max_in_flight=max_in_flight)


def record_copies(h) -> list[tuple[int, datetime]]:
    """(chat_id, clock time) of every copyMessage the session sees from now on."""
    seen: list[tuple[int, datetime]] = []
    original = h.session.make_request

    async def make_request(bot, method, timeout=None):
        if isinstance(method, CopyMessage):
            seen.append((method.chat_id, h.clock.now()))
        return await original(bot, method, timeout)

    h.session.make_request = make_request
    return seen


async def states(h, broadcast_id: int) -> dict[int, tuple[str, str | None]]:
    return {chat: (state, error) for chat, state, error in await h.app.repos.broadcasts.recipients(broadcast_id)}


async def test_429_pauses_the_whole_broadcast_for_retry_after_then_retries(bh, sleep):
    engine = engine_for(bh, sleep, max_in_flight=3)
    chats = list(CHAIRS) + [2001, 2002, 2003]
    seen = record_copies(bh)
    bh.session.queue("CopyMessage", {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 7",
                                     "parameters": {"retry_after": 7}})
    broadcast_id = await engine.create(chats, from_chat_id=ADMIN, message_id=5)
    receipt = await engine.run(broadcast_id, bot=bh.bot)

    assert (receipt.sent, receipt.failed, receipt.left) == (6, 0, 0)
    flooded_chat, flooded_at = seen[0]
    assert [chat for chat, _ in seen].count(flooded_chat) == 2
    # Nothing at all went out during the pause, and the retry came after it.
    assert all((at - flooded_at).total_seconds() >= 7 for _, at in seen[1:])
    assert sorted(chat for chat, _ in seen[1:]) == sorted(chats)


async def test_403_marks_the_chair_blocked_and_inactive(bh, sleep):
    engine = engine_for(bh, sleep)
    bh.session.queue("CopyMessage", {"ok": True, "result": {"message_id": 1}})
    bh.session.queue("CopyMessage", BLOCKED)
    broadcast_id = await engine.create(list(CHAIRS), from_chat_id=ADMIN, message_id=5)
    receipt = await engine.run(broadcast_id, bot=bh.bot)

    assert (receipt.sent, receipt.blocked) == (2, 1)
    assert (await states(bh, broadcast_id))[1002] == ("blocked", "Forbidden: bot was blocked by the user")
    assert not (await bh.app.repos.users.get(1002)).active
    assert (await bh.app.repos.users.get(1001)).active
    # The next broadcast to all chairs leaves the inactive chair out.
    assert 1002 not in await bh.app.repos.users.chair_ids()


async def test_server_errors_are_retried_then_the_recipient_fails_with_the_reason(bh, sleep):
    engine = engine_for(bh, sleep)
    for _ in range(3):
        bh.session.queue("CopyMessage", SERVER_ERROR)          # 1001: three times, gives up
    bh.session.queue("CopyMessage", {**SERVER_ERROR, "error_code": 502, "description": "Bad Gateway"})  # 1002: once
    bh.session.queue("CopyMessage", {"ok": True, "result": {"message_id": 1}})
    bh.session.queue("CopyMessage", {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"})
    broadcast_id = await engine.create(list(CHAIRS), from_chat_id=ADMIN, message_id=5)
    receipt = await engine.run(broadcast_id, bot=bh.bot)

    assert (receipt.sent, receipt.failed, receipt.blocked) == (1, 2, 0)
    result = await states(bh, broadcast_id)
    assert result[1001] == ("failed", "Internal Server Error")
    assert result[1002] == ("sent", None)
    assert result[1003] == ("failed", "Bad Request: chat not found")  # a 400 is not retried
    assert len([c for c in bh.session.requests if isinstance(c, CopyMessage)]) == 6
    assert {1.0, 2.0} <= set(sleep.calls)  # backoff between the tries


async def test_a_restart_resumes_the_broadcast_and_resends_only_the_one_in_flight(bh, config, clock):
    chats = [1001, 1002, 1003, 2001, 2002]
    repo = bh.app.repos.broadcasts
    broadcast_id = await repo.create(created_by=ADMIN, admin_chat_id=ADMIN, district_id=None, audience="all",
                                     from_chat_id=ADMIN, message_id=5, chat_ids=chats, now=clock.now())
    # The previous process delivered two, and crashed during the call to the third.
    await repo.save_states([("sent", 1, None, broadcast_id, 1001), ("sent", 1, None, broadcast_id, 1002),
                            ("sending", 1, None, broadcast_id, 1003)])
    await bh.app.db.close()

    h = await harness_with_engine(config, clock, FakeSleep(clock), max_in_flight=2)
    try:
        engine = h.app.extra[ENGINE_KEY]
        assert engine.on_startup in [handler.callback for handler in h.dp.startup.handlers]
        assert engine.on_shutdown in [handler.callback for handler in h.dp.shutdown.handlers]
        await engine.on_startup(bot=h.bot)
        receipt = await engine.wait(broadcast_id)
        resent = sorted(c.chat_id for c in h.session.requests if isinstance(c, CopyMessage))
        assert resent == [1003, 2001, 2002]
        assert (receipt.sent, receipt.left) == (5, 0)
        assert (await h.app.repos.broadcasts.get(broadcast_id)).status == "done"
    finally:
        await h.close()


async def test_an_interrupted_broadcast_goes_on_after_restart_without_skips_or_repeats(bh, config, clock, sleep):
    chats = list(CHAIRS) + [2001, 2002, 2003, 2004]
    engine = bh.app.extra[ENGINE_KEY]
    bh.session.queue("CopyMessage", {"ok": True, "result": {"message_id": 1}})
    bh.session.queue("CopyMessage", {"ok": True, "result": {"message_id": 1}})
    bh.session.queue("CopyMessage", {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 60",
                                     "parameters": {"retry_after": 60}})
    sleep.hold = asyncio.Event()
    broadcast_id = await engine.create(chats, from_chat_id=ADMIN, message_id=5)
    engine.start(broadcast_id, bh.bot)
    await asyncio.wait_for(sleep.holding.wait(), 5)
    first_run = [c.chat_id for c in bh.session.requests if isinstance(c, CopyMessage)]
    # Results reach the DB right away, not only at the end: a crash now would repeat nobody.
    written = [state for _, state, _ in await bh.app.repos.broadcasts.recipients(broadcast_id)]
    assert written[:4] == ["sent", "sent", "sending", "pending"]
    await engine.stop()  # shutdown while paused
    assert (await bh.app.repos.broadcasts.get(broadcast_id)).status == "running"
    await bh.app.db.close()

    h = await harness_with_engine(config, clock, FakeSleep(clock))
    try:
        await h.app.extra[ENGINE_KEY].on_startup(bot=h.bot)
        receipt = await h.app.extra[ENGINE_KEY].wait(broadcast_id)
        second_run = [c.chat_id for c in h.session.requests if isinstance(c, CopyMessage)]
        delivered = first_run[:2] + second_run  # the third call of the first run got the 429
        assert sorted(delivered) == sorted(chats)
        assert (receipt.sent, receipt.left) == (len(chats), 0)
    finally:
        await h.close()


async def test_a_delivery_is_recorded_before_the_next_one_is_due(bh, sleep):
    slow = BroadcastSection(rate_per_second=0.05)  # one message every 20 s
    engine = BroadcastEngine(bh.app.repos, bh.app.i18n, slow, bh.clock, sleep=sleep, max_in_flight=1)
    sleep.hold = asyncio.Event()
    broadcast_id = await engine.create([1001, 1002], from_chat_id=ADMIN, message_id=5)
    engine.start(broadcast_id, bh.bot)
    await asyncio.wait_for(sleep.holding.wait(), 5)  # waiting for the second slot
    await engine.jobs[broadcast_id].writer.flusher
    # A crash now would not send the first message again.
    assert [state for _, state, _ in await bh.app.repos.broadcasts.recipients(broadcast_id)] == ["sent", "pending"]
    sleep.hold.set()
    assert (await engine.wait(broadcast_id)).sent == 2
