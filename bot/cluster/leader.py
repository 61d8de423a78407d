"""One leader among the workers: a lock that only one process holds at a time.

With Redis (`[redis] url`): a key set with `SET NX PX ttl` to this node's name, renewed by a Lua
compare-and-extend (the key is extended only while it still names this node). A renewal that fails,
times out or finds the key gone means another node may lead: this one steps down at once. A leader
killed with `kill -9` stops renewing and its key expires after `ttl`.

Without Redis: a PostgreSQL advisory lock (`pg_try_advisory_lock`, db/advisory.py) on a dedicated connection.
PostgreSQL releases it when the session ends, so a killed leader's lock goes with its connection; the
leader checks its connection every period and steps down when it is gone.

`Election.run` tries every `failover_s / 4` while standing by, and renews as often while leading; the
Redis key lives `failover_s / 2`. A standby therefore takes over at most `ttl + period` = ¾ of
`failover_s` after the leader dies. Correctness never depends on the lock: two leaders for a moment
send nothing twice (reminders are claimed in sent_log before sending, broadcast recipients are claimed).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

LEADER_KEY = "bastau:leader"
Hook = Callable[[], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]

# KEYS[1] the lock, ARGV[1] this node, ARGV[2] the new time to live in ms: 1 when extended, 0 when not ours.
RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"
RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"


class LeaderLock(Protocol):
    async def acquire(self) -> bool: ...

    async def renew(self) -> bool: ...

    async def release(self) -> None: ...

    async def close(self) -> None: ...


class RedisLock:
    def __init__(self, redis: Redis, node: str, ttl_s: float, key: str = LEADER_KEY) -> None:
        self.redis = redis
        self.node = node
        self.ttl_ms = max(1, int(ttl_s * 1000))
        self.key = key

    @classmethod
    def from_url(cls, url: str, node: str, ttl_s: float) -> RedisLock:
        from redis.asyncio import Redis

        return cls(Redis.from_url(url, socket_timeout=max(1.0, ttl_s / 4)), node, ttl_s)

    async def acquire(self) -> bool:
        return bool(await self.redis.set(self.key, self.node, nx=True, px=self.ttl_ms))

    async def renew(self) -> bool:
        extended: Any = await self.redis.eval(RENEW, 1, self.key, self.node, str(self.ttl_ms))
        return bool(extended)

    async def release(self) -> None:
        await self.redis.eval(RELEASE, 1, self.key, self.node)

    async def close(self) -> None:
        await self.redis.aclose()


def leader_lock(redis_url: str, database_url: str, node: str, failover_s: float) -> LeaderLock:
    """Redis when configured, else the PostgreSQL advisory lock."""
    if redis_url:
        return RedisLock.from_url(redis_url, node, ttl_s=failover_s / 2)
    from db.advisory import AdvisoryLock

    return AdvisoryLock(database_url, timeout_s=max(1.0, failover_s / 4))


class Election:
    """Stand by, lead, step down; `on_lead` and `on_step_down` run in this task, one after the other."""

    def __init__(self, lock: LeaderLock, failover_s: float, on_lead: Hook, on_step_down: Hook,
                 sleep: Sleep = asyncio.sleep) -> None:
        self.lock = lock
        self.period = failover_s / 4
        self.on_lead = on_lead
        self.on_step_down = on_step_down
        self.sleep = sleep
        self.leading = False
        self.changed = asyncio.Event()  # set at every change of leadership (tests and the bench wait on it)

    async def _try(self, attempt: Callable[[], Awaitable[bool]], what: str) -> bool:
        try:
            return await asyncio.wait_for(attempt(), self.period / 2)  # decided before a Redis key could expire
        except Exception as exc:  # the lock's server is unreachable or slow: not the leader
            log.warning("leader lock: %s failed (%s)", what, type(exc).__name__)
            return False

    async def step(self) -> None:
        """One round: a standby tries to take the lock; the leader renews it or steps down."""
        if not self.leading:
            if await self._try(self.lock.acquire, "acquire"):
                self.leading = True
                self.changed.set()
                log.warning("this process leads the workers")
                await self.on_lead()
        elif not await self._try(self.lock.renew, "renewal"):
            self.leading = False
            self.changed.set()
            log.warning("leadership lost: stepping down")
            await self.on_step_down()

    async def run(self) -> None:
        """Until cancelled; then steps down and gives the lock back."""
        try:
            while True:
                await self.step()
                await self.sleep(self.period)
        finally:
            if self.leading:
                self.leading = False
                await self.on_step_down()
                try:
                    await asyncio.wait_for(self.lock.release(), self.period)
                except Exception as exc:  # it expires (Redis) or goes with the connection (PostgreSQL)
                    log.warning("leader lock: release failed (%s)", type(exc).__name__)
            await self.lock.close()
