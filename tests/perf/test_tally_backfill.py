"""The month-totals back-fill (db/queries/stats.py, migrations 0006 and 0008): done in short steps,
remembered across restarts, and right when reports are written while it runs."""
from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from db.sqlite import SQLiteDatabase
from db.database import Database
from db.queries import stats
from db.queries.stats import StatsRepo

NUMBERS = ["members_total", "events_held"]
OPTIONS = ["topics"]
MONTHS = ["2026-09", "2026-10"]


def answers(n: int, month: str) -> str:
    return json.dumps({"members_total": 100 + n, "events_held": n % 5 + len(month) % 2,
                       "topics": ["youth", "veterans"][: n % 3], "needs": None})


async def seed(db: Database, organizations: int) -> None:
    await db.execute("INSERT INTO districts(id, name) VALUES (1, 'Сайрам ауданы')")
    await db.executemany(
        "INSERT INTO organizations(id, district_id, name, sector, members, invite_code, created_at, updated_at) "
        "VALUES (?, 1, ?, 'social', 10, ?, '2026-01-01', '2026-01-01')",
        [(n, f"Ұйым {n}", f"C{n:05d}") for n in range(1, organizations + 1)])
    await db.executemany(
        "INSERT INTO reports(org_id, month, answers, submitted_at, updated_at) VALUES (?, ?, ?, '2026-11-01', '')",
        [(n, month, answers(n, month)) for n in range(1, organizations + 1) for month in MONTHS])


async def truth(db: Database, month: str) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """The month's totals straight from the JSON answers."""
    numbers: dict[str, int] = {}
    options: dict[tuple[str, str], int] = {}
    for row in await db.fetchall("SELECT answers FROM reports WHERE month = ?", (month,)):
        data = json.loads(row[0])
        for key in NUMBERS:
            numbers[key] = numbers.get(key, 0) + data[key]
        for option in set(data["topics"]):
            options["topics", option] = options.get(("topics", option), 0) + 1
    return numbers, options


async def totals(repo: StatsRepo, month: str) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    return await repo.numeric_totals(month, NUMBERS), await repo.option_counts(month, OPTIONS)


class CountingTransactions:
    """Counts Database.transaction() uses and how many statements each ran."""

    def __init__(self, db: Database) -> None:
        self.statements: list[int] = []
        original = db.transaction

        @asynccontextmanager
        async def counted():
            async with original() as tx:
                execute, count = tx.execute, [0]

                async def counting(sql, params=()):
                    count[0] += 1
                    return await execute(sql, params)

                tx.execute = counting  # type: ignore[method-assign]
                yield tx
            self.statements.append(count[0])

        db.transaction = counted  # type: ignore[method-assign]


@pytest.fixture
async def db(tmp_path: Path):
    database = await SQLiteDatabase.open(tmp_path / "stats.db")
    yield database
    await database.close()


async def test_the_back_fill_goes_in_steps_and_a_restart_does_not_redo_it(db, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(stats, "_CHUNK", 7)
    await seed(db, 30)  # 60 reports: per kind 9 steps of 7, and a 10th that finds none left
    transactions = CountingTransactions(db)
    assert await totals(StatsRepo(db), "2026-10") == await truth(db, "2026-10")
    steps = [n for n in transactions.statements if n == 2]  # one back-fill insert and one advance each
    assert len(steps) == 2 * 10
    assert await db.fetchall("SELECT key FROM tallied_keys WHERE backfill_below IS NOT NULL") == []

    await db.close()
    reopened = await SQLiteDatabase.open(tmp_path / "stats.db")
    try:
        after_restart = CountingTransactions(reopened)
        assert await totals(StatsRepo(reopened), "2026-09") == await truth(reopened, "2026-09")
        assert after_restart.statements == []  # nothing written: the keys were known to be complete
    finally:
        await reopened.close()


async def test_an_interrupted_back_fill_carries_on_after_a_restart(db, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(stats, "_CHUNK", 5)
    await seed(db, 20)
    repo = StatsRepo(db)
    await db.execute("INSERT INTO tallied_keys(key, kind, backfill_below) "
                     "SELECT value, 'number', (SELECT MAX(id) + 1 FROM reports) FROM json_each(?)",
                     (json.dumps(NUMBERS),))
    assert await repo._backfill_step("number", json.dumps(NUMBERS))  # one step, then "the process dies"
    assert await StatsRepo(db).numeric_totals("2026-10", NUMBERS) == (await truth(db, "2026-10"))[0]


async def test_reports_written_during_the_back_fill_are_counted_once(db, monkeypatch) -> None:
    monkeypatch.setattr(stats, "_CHUNK", 3)
    await seed(db, 40)
    await db.executemany("INSERT INTO organizations(id, district_id, name, sector, members, invite_code, "
                         "created_at, updated_at) VALUES (?, 1, ?, 'social', 10, ?, '', '')",
                         [(n, f"Ұйым {n}", f"C{n:05d}") for n in range(41, 51)])

    async def writer() -> None:
        for n in range(1, 41, 4):  # edits of reports both before and after the back-fill reached them
            await db.execute("UPDATE reports SET answers = ? WHERE org_id = ? AND month = '2026-10'",
                             (answers(n + 1000, "2026-10"), n))
            await db.execute("DELETE FROM reports WHERE org_id = ? AND month = '2026-09'", (n + 1,))
            await db.execute("INSERT INTO reports(org_id, month, answers, submitted_at, updated_at) "
                             "VALUES (?, '2026-10', ?, '', '')", (41 + n // 4, answers(n, "2026-10")))
            await asyncio.sleep(0)

    repo = StatsRepo(db)
    await asyncio.gather(totals(repo, "2026-10"), writer())
    for month in MONTHS:
        assert await totals(StatsRepo(db), month) == await truth(db, month)
    count = await db.fetchone("SELECT COUNT(*) FROM report_numbers")
    assert count[0] == len(NUMBERS) * (await db.fetchone("SELECT COUNT(*) FROM reports"))[0]


async def test_no_reports_yet_means_nothing_to_back_fill(db) -> None:
    repo = StatsRepo(db)
    assert await totals(repo, "2026-10") == ({}, {})
    assert await db.fetchall("SELECT key FROM tallied_keys WHERE backfill_below IS NOT NULL") == []
