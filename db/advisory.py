"""The workers' leader lock on PostgreSQL (bot/cluster/leader.py): `pg_try_advisory_lock` on a connection
of its own, asyncpg directly, outside the application's pool. PostgreSQL releases the lock when the
session ends, so a killed leader's lock goes with its connection."""
from __future__ import annotations

from typing import Any

# A fixed 64-bit key ("bastau" in ASCII).
ADVISORY_KEY = 0x626173746175
# A bigint key is shown in pg_locks as classid (high 32 bits) and objid (low 32 bits), objsubid 1.
HELD = ("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
        "AND granted AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = $1)")


class AdvisoryLock:
    """pg_try_advisory_lock on a connection of its own (asyncpg directly, outside the app's pool)."""

    def __init__(self, url: str, timeout_s: float, key: int = ADVISORY_KEY) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self.key = key
        self.connection: Any = None

    async def _connection(self) -> Any:
        import asyncpg

        if self.connection is None or self.connection.is_closed():
            self.connection = await asyncpg.connect(self.url, timeout=self.timeout_s)
        return self.connection

    async def acquire(self) -> bool:
        connection = await self._connection()
        return bool(await connection.fetchval("SELECT pg_try_advisory_lock($1)", self.key, timeout=self.timeout_s))

    async def renew(self) -> bool:
        """The lock lives as long as the session: still ours while the connection answers that it holds it."""
        if self.connection is None or self.connection.is_closed():
            return False
        return bool(await self.connection.fetchval(HELD, self.key, timeout=self.timeout_s))

    async def release(self) -> None:
        if self.connection is not None and not self.connection.is_closed():
            await self.connection.execute("SELECT pg_advisory_unlock($1)", self.key, timeout=self.timeout_s)

    async def close(self) -> None:
        if self.connection is not None:
            connection, self.connection = self.connection, None
            await connection.close(timeout=self.timeout_s)
