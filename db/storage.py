"""aiogram FSM storage on our own SQLite database, so dialogs survive restarts."""
from __future__ import annotations

import json
from typing import Any, Mapping

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey

from db.database import Database


class SQLiteStorage(BaseStorage):
    def __init__(self, db: Database, key_builder: KeyBuilder | None = None) -> None:
        self.db = db
        self.key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self.db.execute(
            "INSERT INTO fsm(key, state) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET state = excluded.state",
            (self.key_builder.build(key), value),
        )

    async def get_state(self, key: StorageKey) -> str | None:
        row = await self.db.fetchone("SELECT state FROM fsm WHERE key = ?", (self.key_builder.build(key),))
        return row["state"] if row else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self.db.execute(
            "INSERT INTO fsm(key, data) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET data = excluded.data",
            (self.key_builder.build(key), json.dumps(dict(data), ensure_ascii=False)),
        )

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        row = await self.db.fetchone("SELECT data FROM fsm WHERE key = ?", (self.key_builder.build(key),))
        return json.loads(row["data"]) if row else {}

    async def close(self) -> None:
        """The connection belongs to the application, which closes it."""
