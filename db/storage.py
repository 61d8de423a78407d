"""aiogram FSM storage on our own database (SQLite or PostgreSQL), so dialogs survive restarts.

On SQLite, a write-through cache: this process is the only writer of the `fsm` table (db/lock.py), so
after the first read of a key its state and data are answered from memory; every change is written to the
database before the cache takes it, so a restart (a new storage on the same database) loses nothing. A
write that changes nothing is not sent at all.
On PostgreSQL several processes may take updates, so nothing is cached: every read asks the database
(with Redis configured, aiogram's RedisStorage replaces this storage altogether).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey

from db.database import Database

# Chats kept in memory; beyond it the least recently loaded are forgotten (and re-read when needed).
CACHED_KEYS = 20_000


class _Entry:
    __slots__ = ("data", "state")

    def __init__(self, state: str | None, data: str) -> None:
        self.state = state
        self.data = data  # JSON text, exactly as stored: every reader gets its own copy


class DatabaseStorage(BaseStorage):
    def __init__(self, db: Database, key_builder: KeyBuilder | None = None, cached_keys: int = CACHED_KEYS) -> None:
        self.db = db
        self.key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)
        # One writer only on SQLite: elsewhere another process may change a key behind a cache's back.
        self.cached_keys = cached_keys if db.dialect == "sqlite" else 0
        self._cache: dict[str, _Entry] = {}

    async def _entry(self, key: str) -> _Entry:
        entry = self._cache.get(key)
        if entry is None:
            row = await self.db.fetchone("SELECT state, data FROM fsm WHERE key = ?", (key,))
            entry = self._cache.get(key)  # loaded or written by another update while we read: newer
            if entry is None:
                entry = _Entry(row["state"], row["data"]) if row else _Entry(None, "{}")
                self._remember(key, entry)
        return entry

    def _remember(self, key: str, entry: _Entry) -> None:
        if not self.cached_keys:
            return
        if key not in self._cache and len(self._cache) >= self.cached_keys:
            del self._cache[next(iter(self._cache))]
        self._cache[key] = entry

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        built = self.key_builder.build(key)
        entry = await self._entry(built)
        if entry.state == value:
            return
        await self.db.execute(
            "INSERT INTO fsm(key, state) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET state = excluded.state",
            (built, value),
        )
        entry.state = value

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._entry(self.key_builder.build(key))).state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):  # aiogram's contract, as its own storages check it
            msg = f"Data must be a dict or dict-like object, got {type(data).__name__}"
            raise DataNotDictLikeError(msg)
        built = self.key_builder.build(key)
        text = json.dumps(data, ensure_ascii=False)
        entry = await self._entry(built)
        if entry.data == text:
            return
        await self.db.execute(
            "INSERT INTO fsm(key, data) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET data = excluded.data",
            (built, text),
        )
        entry.data = text

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return json.loads((await self._entry(self.key_builder.build(key))).data)

    async def close(self) -> None:
        """The connection belongs to the application, which closes it."""
