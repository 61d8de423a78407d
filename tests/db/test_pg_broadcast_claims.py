"""Broadcast recipients are claimed before delivery (db/queries/broadcasts.py, migration 0015), on SQLite
and on PostgreSQL (FOR UPDATE SKIP LOCKED): two engines delivering the same broadcast over one database
send each recipient once, and a dead worker's claims are taken over once their lease has passed."""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from aiogram.methods import CopyMessage, SendMessage

from bot.features.broadcast import ENGINE_KEY, recipients
from db import open_database
from db.queries.broadcasts import CLAIM_LEASE, SENDING, Holder
from db.repos import Repos
from tests.support.broadcast import FakeSleep, harness_with_engine

ADMIN = 900
CHATS = list(range(5001, 5121))  # 120 recipients


@pytest.fixture
async def repos(config, clock):
    db = await open_database(config.database_url)
    yield Repos(db)
    await db.close()


async def new_broadcast(repos: Repos, clock, chats=CHATS) -> int:
    return await repos.broadcasts.create(created_by=ADMIN, admin_chat_id=ADMIN, district_id=None, audience="custom",
                                         from_chat_id=ADMIN, message_id=5, chat_ids=chats, now=clock.now())


async def test_two_workers_claim_disjoint_recipients_in_delivery_order(repos, clock):
    broadcast_id = await new_broadcast(repos, clock)
    a, b = Holder(broadcast_id, "a"), Holder(broadcast_id, "b")
    first = await repos.broadcasts.claim(a, 10, clock.now())
    second = await repos.broadcasts.claim(b, 10, clock.now())
    again = await repos.broadcasts.claim(a, 10, clock.now())  # never its own claims twice
    assert [r.chat_id for r in first] == CHATS[:10]
    assert [r.chat_id for r in second] == CHATS[10:20]
    assert [r.chat_id for r in again] == CHATS[20:30]
    assert {r.state for r in first} == {"pending"}


async def test_a_silent_workers_claims_are_taken_over_after_the_lease_and_released_ones_at_once(repos, clock):
    broadcast_id = await new_broadcast(repos, clock, CHATS[:6])
    dead, alive, stopping = (Holder(broadcast_id, name) for name in ("dead", "alive", "stopping"))
    await repos.broadcasts.claim(dead, 2, clock.now())
    await repos.broadcasts.save_states([(SENDING, 1, None, broadcast_id, CHATS[0])])  # in flight at the kill
    await repos.broadcasts.claim(stopping, 2, clock.now())
    await repos.broadcasts.release(stopping)
    assert [r.chat_id for r in await repos.broadcasts.claim(alive, 10, clock.now())] == CHATS[2:6]

    clock.advance(CLAIM_LEASE - timedelta(seconds=1))
    assert await repos.broadcasts.claim(alive, 10, clock.now()) == []
    clock.advance(timedelta(seconds=2))
    taken = await repos.broadcasts.claim(alive, 10, clock.now())
    assert [(r.chat_id, r.state, r.attempts) for r in taken] == [(CHATS[0], SENDING, 1), (CHATS[1], "pending", 0)]


async def test_renewed_claims_stay_with_their_worker(repos, clock):
    broadcast_id = await new_broadcast(repos, clock, CHATS[:4])
    slow, other = Holder(broadcast_id, "slow"), Holder(broadcast_id, "other")
    await repos.broadcasts.claim(slow, 2, clock.now())
    clock.advance(CLAIM_LEASE / 2)
    await repos.broadcasts.save_states([("sent", 1, None, broadcast_id, CHATS[0])], slow, clock.now())
    clock.advance(CLAIM_LEASE * 3 / 4)
    assert [r.chat_id for r in await repos.broadcasts.claim(other, 10, clock.now())] == CHATS[2:4]
    await repos.broadcasts.renew(slow, clock.now())
    clock.advance(CLAIM_LEASE * 3 / 4)
    assert await repos.broadcasts.claim(other, 10, clock.now()) == []


async def test_nothing_is_claimed_once_the_broadcast_is_cancelled_or_closed_twice(repos, clock):
    broadcast_id = await new_broadcast(repos, clock, CHATS[:4])
    assert await repos.broadcasts.finish(broadcast_id, "cancelled", clock.now(), cancelled_by=ADMIN)
    assert not await repos.broadcasts.finish(broadcast_id, "done", clock.now())  # the first close stays
    assert (await repos.broadcasts.get(broadcast_id)).status == "cancelled"
    assert await repos.broadcasts.claim(Holder(broadcast_id, "a"), 10, clock.now()) == []
    assert await repos.broadcasts.unfinished_count(broadcast_id) == 0


async def test_a_claim_skips_the_rows_another_open_claim_has_locked_instead_of_waiting(config, clock, repos):
    if repos.db.dialect != "postgresql":
        pytest.skip("SQLite has one writer: a second claim waits for the first transaction")
    broadcast_id = await new_broadcast(repos, clock, CHATS[:6])
    other = await open_database(config.database_url)
    try:
        params = {"id": broadcast_id, "worker": "first", "now": "2026-11-26T05:00:00+00:00",
                  "stale": "2026-11-26T04:58:00+00:00", "limit": 3}
        async with repos.db.transaction() as tx:
            locked = await tx.fetchall(repos.broadcasts._claim, params)  # not committed yet
            second = await asyncio.wait_for(Repos(other).broadcasts.claim(Holder(broadcast_id, "second"), 3,
                                                                           clock.now()), 5)
        assert sorted(r[1] for r in locked) == CHATS[:3]
        assert [r.chat_id for r in second] == CHATS[3:6]
    finally:
        await other.close()


async def test_a_claim_takes_its_limit_whatever_plan_postgresql_chooses(repos, clock):
    if repos.db.dialect != "postgresql":
        pytest.skip("PostgreSQL's planner")
    broadcast_id = await new_broadcast(repos, clock)
    params = {"id": broadcast_id, "worker": "a", "now": "2026-11-26T05:00:00+00:00",
              "stale": "2026-11-26T04:59:00+00:00", "limit": 10}
    async with repos.db.transaction() as tx:
        # The plan the suite once met on a database with statistics: the picking subquery rescanned per row.
        for setting in ("enable_hashjoin", "enable_mergejoin", "enable_material", "enable_hashagg", "enable_sort"):
            await tx.execute(f"SET LOCAL {setting} = off")
        claimed = await tx.fetchall(repos.broadcasts._claim, params)
    assert sorted(r[1] for r in claimed) == CHATS[:10]


async def engines_on_one_database(config, clock, count: int = 2, sleep=None):
    harnesses = [await harness_with_engine(config, clock, sleep or FakeSleep(clock), max_in_flight=3)
                 for _ in range(count)]
    return harnesses, [h.app.extra[ENGINE_KEY] for h in harnesses]


async def no_wait(seconds: float) -> None:
    """Two live workers: their pacing and polling take no time, so that neither one's lease ever runs out
    (sleeping on the shared fake clock, one engine's polls would age the other's claims by minutes)."""
    await asyncio.sleep(0.001)


def copies(harnesses) -> Counter[int]:
    return Counter(c.chat_id for h in harnesses for c in h.session.requests if isinstance(c, CopyMessage))


async def test_two_engines_running_the_same_broadcast_send_each_recipient_once(config, clock, monkeypatch):
    monkeypatch.setattr(recipients, "CLAIM_BATCH", 7)
    harnesses, (first, second) = await engines_on_one_database(config, clock, sleep=no_wait)
    try:
        broadcast_id = await first.create(CHATS, from_chat_id=ADMIN, message_id=5)
        receipts = await asyncio.gather(first.run(broadcast_id, harnesses[0].bot),
                                        second.run(broadcast_id, harnesses[1].bot))
        sent = copies(harnesses)
        assert set(sent) == set(CHATS) and set(sent.values()) == {1}
        by_engine = [copies([h]) for h in harnesses]
        assert all(by_engine), "both engines delivered part of it"
        assert receipts[0].sent == receipts[1].sent == len(CHATS)
        receipt_messages = [c for h in harnesses for c in h.session.requests
                            if isinstance(c, SendMessage) and c.chat_id == ADMIN]
        assert len(receipt_messages) == 1  # the engine that closed it reports it
        assert (await harnesses[0].app.repos.broadcasts.get(broadcast_id)).status == "done"
    finally:
        for h in harnesses:
            await h.close()


async def test_a_standby_finishes_a_dead_workers_broadcast_resending_only_the_one_in_flight(config, clock):
    harnesses, (standby,) = await engines_on_one_database(config, clock, count=1)
    repo = harnesses[0].app.repos.broadcasts
    try:
        broadcast_id = await standby.create(CHATS[:20], from_chat_id=ADMIN, message_id=5)
        # The dead worker had delivered 3, was sending the 4th, and held 4 more.
        dead = Holder(broadcast_id, "dead")
        await repo.claim(dead, 8, clock.now())
        await repo.save_states([("sent", 1, None, broadcast_id, chat) for chat in CHATS[:3]]
                               + [(SENDING, 1, None, broadcast_id, CHATS[3])])
        killed_at = clock.now()
        receipt = await standby.run(broadcast_id, harnesses[0].bot)
        sent = copies(harnesses)
        assert set(sent) == set(CHATS[3:20]) and set(sent.values()) == {1}
        assert (receipt.sent, receipt.left) == (20, 0)
        assert clock.now() - killed_at >= CLAIM_LEASE  # the dead worker's claims waited for their lease
    finally:
        await harnesses[0].close()


async def test_a_restarted_process_takes_over_its_dead_predecessors_claims_at_once_on_sqlite(config, clock):
    harnesses, (engine,) = await engines_on_one_database(config, clock, count=1)
    h = harnesses[0]
    try:
        broadcast_id = await engine.create(CHATS[:10], from_chat_id=ADMIN, message_id=5)
        await h.app.repos.broadcasts.claim(Holder(broadcast_id, "killed"), 4, clock.now())
        started = clock.now()
        await engine.on_startup(bot=h.bot)
        receipt = await engine.wait(broadcast_id)
        assert (receipt.sent, receipt.left) == (10, 0)
        assert set(copies(harnesses)) == set(CHATS[:10])
        waited = clock.now() - started
        # SQLite: one process may write the file, so the claims it finds are a dead one's; PostgreSQL: a
        # live worker may hold them, so they wait for their lease.
        assert (waited < CLAIM_LEASE) == (h.app.db.dialect == "sqlite")
    finally:
        await h.close()


async def test_a_stop_made_through_another_process_halts_delivery_within_a_second(config, clock, repos):
    harnesses, (engine,) = await engines_on_one_database(config, clock, count=1)
    h = harnesses[0]
    try:
        broadcast_id = await engine.create(CHATS, from_chat_id=ADMIN, message_id=5)
        task = engine.start(broadcast_id, h.bot)
        while sum(copies(harnesses).values()) < 10:
            await asyncio.sleep(0.001)
        assert await repos.broadcasts.finish(broadcast_id, "cancelled", clock.now(), cancelled_by=ADMIN)
        stopped_at = clock.now()
        receipt = await task
        sent = copies(harnesses)
        states = [state for _chat, state, _error in await repos.broadcasts.recipients(broadcast_id)]
        assert states.count("sent") == len(sent) < 10 + 25 + 3  # a second at 25/s and the calls in flight
        assert (receipt.sent, receipt.left) == (len(sent), 0)
        assert set(states) == {"sent", "cancelled"}
        assert clock.now() - stopped_at <= timedelta(seconds=2)
        assert not [c for c in h.session.requests if isinstance(c, SendMessage) and c.chat_id == ADMIN]
    finally:
        await h.close()
