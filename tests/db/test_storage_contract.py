"""aiogram's FSM storage contract (the cases of its tests/test_fsm/storage/test_storages.py), held by our
DatabaseStorage, once with a warm cache and once reading every answer through a new storage on the same
database (as after a restart); aiogram's MemoryStorage runs the same cases, so they are the contract.
aiogram's RedisStorage (with [redis] url, bot/cluster/state.py) runs them too, answered by the same
connection or by a new one (another process)."""
from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypedDict

import pytest
from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.fsm.storage.memory import MemoryStorage

from db.postgres import PgDatabase
from db.sqlite import SQLiteDatabase
from db.storage import DatabaseStorage

KEY = StorageKey(bot_id=42, chat_id=-1, user_id=-1)
OTHER = StorageKey(bot_id=42, chat_id=-2, user_id=-2)


class Dialog(StatesGroup):
    asking = State()


class Storages:
    """`write` is the storage under test; `read()` the one that answers: the same, or a new one."""

    def __init__(self, write: BaseStorage, read: Callable[[], Awaitable[BaseStorage]]) -> None:
        self.write = write
        self.read = read


@pytest.fixture(params=["memory", "sqlite", "sqlite-reopened", "postgresql", "postgresql-reopened", "redis",
                        "redis-reconnected"])
async def storages(request, tmp_path) -> AsyncIterator[Storages]:
    if request.param.startswith("redis"):
        async for redis in redis_storages(request.getfixturevalue("redis_url"), request.param == "redis"):
            yield redis
        return
    if request.param == "memory":
        memory = MemoryStorage()

        async def same_memory() -> BaseStorage:
            return memory

        yield Storages(memory, same_memory)
        await memory.close()
        return
    if request.param.startswith("postgresql"):
        db = await PgDatabase.open(request.getfixturevalue("pg_url"), migrate=False)
    else:
        db = await SQLiteDatabase.open(tmp_path / "fsm.db")
    storage = DatabaseStorage(db)

    async def same_or_new() -> BaseStorage:
        return DatabaseStorage(db) if request.param.endswith("-reopened") else storage

    yield Storages(storage, same_or_new)
    await db.close()


async def redis_storages(url: str, same: bool) -> AsyncIterator[Storages]:
    from aiogram.fsm.storage.redis import RedisStorage

    from bot.cluster.state import key_builder

    write = RedisStorage.from_url(url, key_builder=key_builder())
    opened: list[RedisStorage] = []

    async def same_or_new() -> BaseStorage:
        if same:
            return write
        opened.append(RedisStorage.from_url(url, key_builder=key_builder()))
        return opened[-1]

    yield Storages(write, same_or_new)
    for storage in (write, *opened):
        await storage.close()


async def test_set_state(storages):
    assert await (await storages.read()).get_state(key=KEY) is None
    await storages.write.set_state(key=KEY, state="state")
    assert await (await storages.read()).get_state(key=KEY) == "state"
    await storages.write.set_state(key=KEY, state=None)
    assert await (await storages.read()).get_state(key=KEY) is None


async def test_a_state_object_is_stored_by_its_name(storages):
    await storages.write.set_state(key=KEY, state=Dialog.asking)
    assert await (await storages.read()).get_state(key=KEY) == "Dialog:asking"


async def test_set_data(storages):
    async def value(dict_key: str, *default: Any) -> Any:
        return await (await storages.read()).get_value(KEY, dict_key, *default)

    assert await (await storages.read()).get_data(key=KEY) == {}
    assert await value("foo") is None
    assert await value("foo", "baz") == "baz"

    await storages.write.set_data(key=KEY, data={"foo": "bar"})
    assert await (await storages.read()).get_data(key=KEY) == {"foo": "bar"}
    assert await value("foo") == "bar"
    assert await value("foo", "baz") == "bar"

    await storages.write.set_data(key=KEY, data={})
    assert await (await storages.read()).get_data(key=KEY) == {}
    assert await value("foo") is None
    assert await value("foo", "baz") == "baz"

    class Answers(TypedDict, total=False):
        foo: str
        bar: str

    await storages.write.set_data(key=KEY, data=Answers(foo="bar", bar="baz"))
    assert await (await storages.read()).get_data(key=KEY) == {"foo": "bar", "bar": "baz"}
    assert await value("foo") == "bar"
    assert await value("foo", "baz") == "bar"


@pytest.mark.parametrize("not_a_dict", [(), [("foo", "bar")], "foo", None])
async def test_data_that_is_not_a_dict_is_refused_and_changes_nothing(storages, not_a_dict):
    await storages.write.set_data(key=KEY, data={"foo": "bar"})
    with pytest.raises(DataNotDictLikeError):
        await storages.write.set_data(key=KEY, data=not_a_dict)
    assert await (await storages.read()).get_data(key=KEY) == {"foo": "bar"}


async def test_update_data(storages):
    async def data() -> dict[str, Any]:
        return await (await storages.read()).get_data(key=KEY)

    assert await data() == {}
    assert await storages.write.update_data(key=KEY, data={"foo": "bar"}) == {"foo": "bar"}
    assert await storages.write.update_data(key=KEY, data={}) == {"foo": "bar"}
    assert await data() == {"foo": "bar"}
    assert await storages.write.update_data(key=KEY, data={"baz": "spam"}) == {"foo": "bar", "baz": "spam"}
    assert await data() == {"foo": "bar", "baz": "spam"}
    assert await storages.write.update_data(key=KEY, data={"baz": "test"}) == {"foo": "bar", "baz": "test"}
    assert await data() == {"foo": "bar", "baz": "test"}


async def test_keys_are_separate_and_state_and_data_independent(storages):
    await storages.write.set_state(key=KEY, state="state")
    await storages.write.set_data(key=OTHER, data={"foo": "bar"})
    await storages.write.set_state(key=KEY, state=None)
    reader = await storages.read()
    assert await reader.get_data(key=KEY) == {}
    assert await reader.get_state(key=OTHER) is None
    assert await reader.get_data(key=OTHER) == {"foo": "bar"}


async def test_the_data_read_is_a_copy(storages):
    await storages.write.set_data(key=KEY, data={"foo": "bar"})
    read = await (await storages.read()).get_data(key=KEY)
    read["foo"] = "changed"
    assert await (await storages.read()).get_data(key=KEY) == {"foo": "bar"}
