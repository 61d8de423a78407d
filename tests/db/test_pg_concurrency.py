"""Read-then-write repositories stay correct with several processes on PostgreSQL (READ COMMITTED), where
SQLite's BEGIN IMMEDIATE serialized them: two connections racing for the same organization's deputy or
chair get one yes and one no, never a unique-index error."""
from __future__ import annotations

import asyncio

import pytest

from db import open_database
from db.repos import Repos
from tests.support.roster import seed_roster


@pytest.fixture
async def two(config, clock):
    first = await open_database(config.database_url)
    await seed_roster(first, clock)
    second = await open_database(config.database_url)
    yield Repos(first), Repos(second)
    await second.close()
    await first.close()


async def test_two_deputies_racing_for_one_organization_get_one_yes_and_one_no(two, clock):
    a, b = two
    for org_id in (1, 2, 3):
        users = (100 + org_id, 200 + org_id)
        for user in users:
            await a.users.ensure(user, clock.now())
        results = await asyncio.gather(a.users.register_deputy(users[0], org_id, "Әсем", None, clock.now()),
                                       b.users.register_deputy(users[1], org_id, "Асель", None, clock.now()))
        assert sorted(results) == [False, True]
        deputy = await a.users.deputy_of(org_id)
        assert deputy is not None and deputy.id == users[results.index(True)]


async def test_two_chairs_racing_for_one_organization_get_one_yes_and_one_no(two, clock):
    a, b = two
    for org_id in (1, 2, 3):
        users = (300 + org_id, 400 + org_id)
        for user in users:
            await a.users.ensure(user, clock.now())
        results = await asyncio.gather(a.users.register_chair(users[0], org_id, "Ерлан", None, clock.now()),
                                       b.users.register_chair(users[1], org_id, "Ержан", None, clock.now()))
        assert sorted(results) == [False, True]
        assert (await a.users.chair_of(org_id)).id == users[results.index(True)]


async def test_a_report_written_while_its_key_is_first_registered_is_counted(two, clock):
    a, b = two
    await a.reports.submit(1, "2026-10", None, {"members": 7}, False, clock.now())
    stamp = clock.now().isoformat()
    async with b.db.transaction() as tx:  # another process is filing a report, not committed yet
        await tx.execute("INSERT INTO reports(org_id, month, answers, submitted_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                         (2, "2026-10", '{"members": 5}', stamp, stamp))
        totals = asyncio.create_task(a.stats.numeric_totals("2026-10", ["members"]))
        await asyncio.sleep(0.3)
        assert not totals.done()  # the key's registration waits for the writer
    assert await totals == {"members": 12}
