"""One leader among the workers (bot/cluster/leader.py): the Election's rounds on a fake clock with a
lock that expires like the Redis key, then RedisLock and Election.run on a real redis-server."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from bot.cluster.leader import Election, RedisLock


@dataclass
class Store:
    """The lock's server: who holds it and until when (fake seconds)."""
    now: float = 0.0
    holder: str | None = None
    until: float = 0.0
    reachable: bool = True


class ExpiringLock:
    """SET NX PX and compare-and-extend, as RedisLock does them, on a fake clock."""

    def __init__(self, store: Store, node: str, ttl_s: float) -> None:
        self.store, self.node, self.ttl_s = store, node, ttl_s

    def _check(self) -> None:
        if not self.store.reachable:
            raise ConnectionError("lock server away")
        if self.store.holder is not None and self.store.now >= self.store.until:
            self.store.holder = None

    async def acquire(self) -> bool:
        self._check()
        if self.store.holder is None:
            self.store.holder, self.store.until = self.node, self.store.now + self.ttl_s
            return True
        return False

    async def renew(self) -> bool:
        self._check()
        if self.store.holder == self.node:
            self.store.until = self.store.now + self.ttl_s
            return True
        return False

    async def release(self) -> None:
        if self.store.holder == self.node:
            self.store.holder = None

    async def close(self) -> None:
        pass


class Worker:
    def __init__(self, store: Store, name: str, failover_s: float) -> None:
        self.events: list[str] = []
        self.election = Election(ExpiringLock(store, name, failover_s / 2), failover_s,
                                 self._lead, self._step_down)

    async def _lead(self) -> None:
        self.events.append("lead")

    async def _step_down(self) -> None:
        self.events.append("step down")


async def rounds(store: Store, workers: list[Worker], seconds: float, period: float) -> None:
    """Every worker's round each `period` fake seconds (they all run at the same instants: the worst case)."""
    end = store.now + seconds
    while store.now < end:
        for worker in workers:
            await worker.election.step()
        store.now += period


async def test_one_leader_and_a_standby_takes_over_within_failover_after_the_leader_dies():
    failover = 30.0
    store = Store()
    a, b = Worker(store, "a", failover), Worker(store, "b", failover)
    period = a.election.period
    await rounds(store, [a, b], 120, period)  # two minutes: a leads all along, b stands by
    assert a.events == ["lead"] and b.events == [] and store.holder == "a"
    died = store.now  # a is killed: no more rounds of a, no release
    while not b.election.leading:
        await rounds(store, [b], period, period)
    assert b.events == ["lead"] and store.now - died <= failover


async def test_a_leader_that_cannot_renew_steps_down_at_once_and_the_other_takes_over():
    store = Store()
    a, b = Worker(store, "a", 8), Worker(store, "b", 8)
    await rounds(store, [a, b], 10, a.election.period)
    store.holder = "b"  # the key expired during a pause of a's and b took it (as Redis would allow)
    await a.election.step()
    assert a.events == ["lead", "step down"] and not a.election.leading


async def test_the_lock_server_away_means_nobody_leads_until_it_is_back():
    store = Store()
    a = Worker(store, "a", 8)
    await rounds(store, [a], 4, a.election.period)
    store.reachable = False
    await a.election.step()
    assert a.events == ["lead", "step down"]
    store.now += 10
    await a.election.step()
    assert not a.election.leading
    store.reachable = True
    await a.election.step()
    assert a.events == ["lead", "step down", "lead"]


async def test_redis_lock_is_held_by_one_node_renewed_only_by_it_and_expires(redis_url):
    from redis.asyncio import Redis

    a = RedisLock(Redis.from_url(redis_url), "node-a", ttl_s=0.4)
    b = RedisLock(Redis.from_url(redis_url), "node-b", ttl_s=0.4)
    try:
        assert await a.acquire() and not await b.acquire()
        assert await a.renew() and not await b.renew()
        await b.release()  # not b's: changes nothing
        assert not await b.acquire()
        await asyncio.sleep(0.6)  # a stops renewing: the key expires
        assert await b.acquire()
        assert not await a.renew()  # a finds the key gone to b: it must step down
        await b.release()
        assert await a.acquire()
    finally:
        await a.close()
        await b.close()


@pytest.mark.slow
async def test_election_run_on_redis_a_killed_leader_is_replaced(redis_url):
    failover = 1.2
    events: list[str] = []

    def election(name: str) -> Election:
        async def lead() -> None:
            events.append(f"{name} leads")

        async def step_down() -> None:
            events.append(f"{name} steps down")

        return Election(RedisLock.from_url(redis_url, name, ttl_s=failover / 2), failover, lead, step_down)

    first, second = election("first"), election("second")
    first_task = asyncio.create_task(first.run())
    await asyncio.wait_for(first.changed.wait(), failover * 4)
    second_task = asyncio.create_task(second.run())
    await asyncio.sleep(failover)
    assert events == ["first leads"]

    async def gone() -> None:  # killed: no release, no more renewals
        pass

    first.lock.release = gone  # type: ignore[method-assign]
    first_task.cancel()
    await asyncio.gather(first_task, return_exceptions=True)
    await asyncio.wait_for(second.changed.wait(), failover * 4)
    assert events == ["first leads", "first steps down", "second leads"]
    second_task.cancel()
    await asyncio.gather(second_task, return_exceptions=True)
    assert events[-1] == "second steps down"


async def test_postgresql_advisory_lock_goes_with_the_leader_s_connection(pg_url):
    from db.advisory import AdvisoryLock

    a, b = AdvisoryLock(pg_url, timeout_s=5), AdvisoryLock(pg_url, timeout_s=5)
    try:
        assert await a.acquire() and not await b.acquire()
        assert await a.renew() and not await b.renew()
        a.connection.terminate()  # the leader is killed: its session ends, and the lock with it
        assert not await a.renew()
        for _ in range(100):  # the server ends the session as soon as it sees the socket closed
            if await b.acquire():
                break
            await asyncio.sleep(0.05)
        assert await b.renew()
        await b.release()
        assert await a.acquire()  # a new connection of its own
    finally:
        await a.close()
        await b.close()
