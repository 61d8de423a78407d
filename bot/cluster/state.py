"""Where dialog state lives: with `[redis] url` aiogram's RedisStorage and RedisEventIsolation (nothing
of a dialog stays in a process, so any web process can take a chat's next update, one at a time),
else our storage in the database (db/storage.py) with the in-process isolation. Keys are built the same way in
both, `fsm:<chat>:<user>:<destiny>` (+ `:state`, `:data`, `:lock` on Redis)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import SimpleEventIsolation

from db.queries.dialogs import DialogsRepo, Waiting

if TYPE_CHECKING:
    from bot.context import AppContext

STATE_SUFFIX = ":state"
SCAN_BATCH = 1000


def key_builder() -> DefaultKeyBuilder:
    return DefaultKeyBuilder(with_destiny=True)


def fsm_backend(app: AppContext) -> tuple[BaseStorage, BaseEventIsolation]:
    """The storage and the per-chat isolation of the Dispatcher."""
    if app.config.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        redis_storage = RedisStorage.from_url(app.config.redis_url, key_builder=key_builder())
        # A chat's lock outlives a killed holder by at most failover_s (aiogram's default is 60 s).
        return redis_storage, redis_storage.create_isolation(lock_kwargs={"timeout": app.config.cluster.failover_s})
    from db.storage import DatabaseStorage

    return DatabaseStorage(app.db, key_builder=key_builder()), SimpleEventIsolation()


async def waiting_dialogs(storage: BaseStorage, dialogs: DialogsRepo) -> list[Waiting]:
    """Every chat with a dialog state, from whichever storage holds them, ordered by key."""
    from aiogram.fsm.storage.redis import RedisStorage

    if not isinstance(storage, RedisStorage):
        return await dialogs.waiting()
    keys = [key async for key in storage.redis.scan_iter(match=f"fsm:*{STATE_SUFFIX}", count=SCAN_BATCH)]
    found: list[Waiting] = []
    for start in range(0, len(keys), SCAN_BATCH):
        batch = keys[start:start + SCAN_BATCH]
        for key, state in zip(batch, await storage.redis.mget(batch), strict=True):
            if state:
                name = key.decode() if isinstance(key, bytes) else key
                found.append(Waiting(name[:-len(STATE_SUFFIX)], state.decode() if isinstance(state, bytes) else state))
    return sorted(found, key=lambda w: w.key)
