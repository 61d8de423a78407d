"""db/database.py: reads outside a transaction see committed data only, writes stay serialized, and a
statement too long for the event loop's thread is re-run in a worker with one effect."""
from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from db.sqlite import SQLiteDatabase

# A statement that runs far longer than the time budget of the loop's thread.
LONG_COUNT = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) "
              "SELECT COUNT(*) FROM n")
LONG_INSERT = ("INSERT INTO t(v) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) "
               "SELECT i FROM n")


@pytest.fixture
async def db(tmp_path: Path):
    database = await SQLiteDatabase.open(tmp_path / "t.db")
    await database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)")
    yield database
    await database.close()


async def test_a_read_does_not_see_another_coroutines_open_transaction(db) -> None:
    inside, go_on = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t(v) VALUES (1)")
            assert (await tx.fetchone("SELECT COUNT(*) FROM t"))[0] == 1  # the transaction sees its own row
            inside.set()
            await go_on.wait()

    task = asyncio.create_task(writer())
    await inside.wait()
    assert (await db.fetchone("SELECT COUNT(*) FROM t"))[0] == 0
    db.quick.long.add(LONG_COUNT)  # a long read, in a worker thread, is isolated too
    assert (await db.fetchone(LONG_COUNT))[0] == 300000
    assert await db.fetchall("SELECT v FROM t") == []
    go_on.set()
    await task
    assert (await db.fetchone("SELECT COUNT(*) FROM t"))[0] == 1


async def test_a_statement_over_the_budget_runs_in_a_worker_with_one_effect(db) -> None:
    assert (await db.fetchone(LONG_COUNT))[0] == 300000
    assert LONG_COUNT in db.quick.long
    written = await db.execute(LONG_INSERT)  # interrupted in the loop's thread, then run again on conn
    assert written.rowcount == 200000
    assert LONG_INSERT in db.quick.long
    assert (await db.fetchone("SELECT COUNT(*), MAX(v) FROM t"))[:] == (200000, 200000)


async def test_short_statements_stay_in_the_loops_thread(db) -> None:
    written = await db.execute("INSERT INTO t(v) VALUES (?)", (7,))
    assert (written.rowcount, written.lastrowid) == (1, 1)
    assert (await db.fetchone("SELECT v FROM t WHERE id = ?", (1,)))["v"] == 7
    assert db.quick.long == set()


async def test_concurrent_writes_and_transactions_are_serialized(db) -> None:
    await db.execute("INSERT INTO t(id, v) VALUES (1, 0)")

    async def bump(n: int) -> None:
        if n % 3:
            await db.execute("UPDATE t SET v = v + 1 WHERE id = 1")
        else:  # read-modify-write inside a transaction: no other write may land in between
            async with db.transaction() as tx:
                value = (await tx.fetchone("SELECT v FROM t WHERE id = 1"))[0]
                await asyncio.sleep(0)
                await tx.execute("UPDATE t SET v = ? WHERE id = 1", (value + 1,))
        assert (await db.fetchone("SELECT v FROM t WHERE id = 1"))[0] >= 1

    await asyncio.gather(*(bump(n) for n in range(300)))
    assert (await db.fetchone("SELECT v FROM t WHERE id = 1"))[0] == 300


async def test_a_write_waits_for_another_process_holding_the_write_lock(db, tmp_path) -> None:
    holding, release = threading.Event(), threading.Event()

    def other_process() -> None:
        conn = sqlite3.connect(tmp_path / "t.db", isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t(v) VALUES (1)")
        holding.set()
        release.wait(5)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=other_process)
    thread.start()
    await asyncio.to_thread(holding.wait, 5)
    write = asyncio.create_task(db.execute("INSERT INTO t(v) VALUES (2)"))  # busy in the loop's thread: to conn
    await asyncio.sleep(0.2)
    assert not write.done()
    release.set()
    await write
    await asyncio.to_thread(thread.join, 5)
    assert [r[0] for r in await db.fetchall("SELECT v FROM t ORDER BY id")] == [1, 2]


async def test_a_memory_database_has_one_connection() -> None:
    db = await SQLiteDatabase.open(":memory:")
    try:
        await db.execute("CREATE TABLE t (v INTEGER)")
        await db.execute("INSERT INTO t VALUES (1)")
        assert db.quick is None and db.reader is db.conn
        assert (await db.fetchone("SELECT COUNT(*) FROM t"))[0] == 1
    finally:
        await db.close()


async def test_the_wal_is_checkpointed_when_the_writes_go_through_the_loops_thread(db, tmp_path) -> None:
    for n in range(2000):  # each commits a page or two to the WAL; nothing else checkpoints them
        await db.execute("INSERT INTO t(v) VALUES (?)", (n,))
    await asyncio.sleep(0.1)
    assert db.quick.long == set()
    assert (tmp_path / "t.db-wal").stat().st_size < 2 * 2 ** 20


async def test_a_short_transaction_runs_in_the_loops_thread_from_its_second_time(db) -> None:
    async def add(v: int) -> int | None:
        async with db.transaction() as tx:
            written = await tx.execute("INSERT INTO t(v) VALUES (?)", (v,))
            assert (await tx.fetchone("SELECT v FROM t WHERE id = ?", (written.lastrowid,)))[0] == v
            return written.lastrowid

    hops = []
    execute = db.conn.execute

    def counted(*args, **kwargs):
        hops.append(args[0])
        return execute(*args, **kwargs)

    db.conn.execute = counted
    assert await add(1) == 1
    assert hops[0] == "BEGIN IMMEDIATE" and hops[-1] == "COMMIT"  # the first one on conn
    first = len(hops)
    assert await add(2) == 2
    assert len(hops) == first  # the second one never left the loop's thread
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:  # a failure rolls back on whichever connection
            await tx.execute("INSERT INTO t(v) VALUES (3)")
            raise RuntimeError
    assert [r[0] for r in await db.fetchall("SELECT v FROM t ORDER BY id")] == [1, 2]


async def test_a_read_during_a_transaction_in_the_loops_thread_sees_committed_rows_only(db) -> None:
    inside, go_on = asyncio.Event(), asyncio.Event()

    async def writer(wait: bool) -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t(v) VALUES (1)")
            if wait:
                inside.set()
                await go_on.wait()

    await writer(False)  # the same place in the code a second time: on `quick`
    task = asyncio.create_task(writer(True))
    await inside.wait()
    assert db.quick.in_transaction
    assert (await db.fetchone("SELECT COUNT(*) FROM t"))[0] == 1
    go_on.set()
    await task
    assert (await db.fetchone("SELECT COUNT(*) FROM t"))[0] == 2

