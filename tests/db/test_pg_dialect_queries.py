"""The SQL written per dialect (db/dialect.py and its users) answers the same on SQLite and PostgreSQL:
month totals from the tally tables (back-filled, then kept by the triggers of migration 0006), the
dashboard's like-for-like figures and month_writes (0010), membership in a JSON array parameter, JSON
fields of the audit log, and the order of rows whose region is missing."""
from __future__ import annotations

import pytest

from db import open_database
from db.queries.roster import archive_orgs
from db.repos import Repos
from tests.support.roster import seed_roster

MONTH, PREV = "2026-10", "2026-09"
BIG_ID = 7_123_456_789  # Telegram ids exceed 32 bits


@pytest.fixture
async def repos(config, clock):
    db = await open_database(config.database_url)
    await seed_roster(db, clock)
    yield Repos(db)
    await db.close()


async def submit(repos: Repos, clock, org_id: int, month: str, answers: dict) -> None:
    await repos.reports.submit(org_id, month, None, answers, False, clock.now())


async def test_month_totals_are_back_filled_then_kept_by_the_triggers(repos, clock):
    # Numbers as JSON numbers, a fraction (truncated), text with a leading number (SQLite's CAST AS INTEGER).
    await submit(repos, clock, 1, MONTH, {"members": 12, "money": 3.9, "note": " 7 people", "topics": ["a", "b"]})
    await submit(repos, clock, 2, MONTH, {"members": 30, "money": -2.5, "note": "none", "topics": ["b", "b"]})
    await submit(repos, clock, 3, PREV, {"members": 1000, "topics": ["a"]})
    keys = ["members", "money", "note", "absent"]
    assert await repos.stats.numeric_totals(MONTH, keys) == {"members": 42, "money": 1, "note": 7}
    assert await repos.stats.option_counts(MONTH, ["topics"]) == {("topics", "a"): 1, ("topics", "b"): 2}

    # From now on the triggers: a new report, an edited one (its rows replaced), a non-array answer ignored.
    await submit(repos, clock, 3, MONTH, {"members": 5, "topics": "b"})
    await submit(repos, clock, 1, MONTH, {"members": 10, "topics": ["c"]})
    assert await repos.stats.numeric_totals(MONTH, keys) == {"members": 45, "money": -2, "note": 0}
    assert await repos.stats.option_counts(MONTH, ["topics"]) == {("topics", "b"): 1, ("topics", "c"): 1}
    district = await repos.orgs.district_by_name("Сайрам ауданы")
    assert await repos.stats.numeric_totals(MONTH, ["members"], district_id=district) == {"members": 40}
    assert await repos.stats.numeric_totals(PREV, ["members"]) == {"members": 1000}


async def test_a_key_first_asked_for_after_the_reports_is_back_filled_in_steps(repos, clock, monkeypatch):
    from db.queries import stats
    monkeypatch.setattr(stats, "_CHUNK", 1)
    for org_id, members in ((1, 4), (2, 5), (3, 6)):
        await submit(repos, clock, org_id, MONTH, {"members": members, "sorts": ["x"]})
    assert await repos.stats.numeric_totals(MONTH, ["members"]) == {"members": 15}
    assert await repos.stats.option_counts(MONTH, ["sorts"]) == {("sorts", "x"): 3}
    rows = await repos.db.fetchall("SELECT key, backfill_below FROM tallied_keys ORDER BY key")
    assert [tuple(r) for r in rows] == [("members", None), ("sorts", None)]


async def test_dashboard_figures_compare_like_for_like_and_month_writes_count_every_write(repos, clock):
    await submit(repos, clock, 1, PREV, {"members": 10, "topics": ["a"]})
    await submit(repos, clock, 2, PREV, {"members": 20})
    await submit(repos, clock, 1, MONTH, {"members": 15, "topics": ["a", "b"]})
    await submit(repos, clock, 3, MONTH, {"members": 7})
    await submit(repos, clock, 3, MONTH, {"members": 8})  # an edit
    await repos.stats.ensure_tallied("number", ["members"])
    await repos.stats.ensure_tallied("option", ["topics"])
    figures = (await repos.figures.figures([(MONTH, PREV)], ["members"], ["topics"], None))[MONTH]
    assert figures.reports == 2
    point = figures.numbers["members"]
    assert (point.total, point.reports) == (23, 2)
    assert (point.same_orgs, point.same_now, point.same_before) == (1, 15, 10)  # only org 1 is in both months
    assert figures.options == {("topics", "a"): 1, ("topics", "b"): 1}
    assert figures.any_option == 1
    writes = {r[0]: r[1] for r in await repos.db.fetchall("SELECT month, n FROM month_writes")}
    assert (writes[MONTH], writes[PREV], writes["*"]) == (3, 2, 3)  # three organizations in the roster
    district = await repos.orgs.district_by_name("Байзақ ауданы")
    mine = (await repos.figures.figures([(MONTH, PREV)], ["members"], ["topics"], district))[MONTH]
    assert (mine.reports, mine.numbers["members"].total, mine.any_option) == (1, 8, 0)


async def test_membership_in_a_json_array_parameter(repos, clock):
    await repos.users.ensure(BIG_ID, clock.now())
    await repos.users.ensure(42, clock.now())
    assert set(await repos.users.get_many([BIG_ID, 42, 5])) == {BIG_ID, 42}
    assert await repos.users.get_many([]) == {}
    summary = await archive_orgs(repos.db, [3, 999], clock.now())
    assert summary.archived == [("Байзақ ауданы", "Мектеп №5")]
    assert summary.districts_archived == ["Байзақ ауданы"]
    odd = "сұрақ \"it's\""
    await submit(repos, clock, 1, MONTH, {odd: 3})
    assert await repos.stats.numeric_totals(MONTH, [odd, "members"]) == {odd: 3}


async def test_json_fields_of_the_audit_log(repos, clock):
    action = "remind.deferred"
    for org_id, day, deferred in ((2, "2026-11-26", "2026-11-27T03:00:00+00:00"),
                                  (1, "2026-11-26", "2026-11-27T02:00:00+00:00"),
                                  (3, "2026-11-25", "2026-11-30T02:00:00+00:00")):
        await repos.audit.add(clock.now(), 900, "branch", action, f"org:{org_id}",
                              {"month": MONTH, "day": day, "deferred_to": deferred})
    due = await repos.figures.deferred_reminders(action, "2026-11-27T00:00:00+00:00", "2026-11-28T00:00:00+00:00")
    assert due == [(1, MONTH, "2026-11-26", "2026-11-27T02:00:00+00:00"),
                   (2, MONTH, "2026-11-26", "2026-11-27T03:00:00+00:00")]
    assert await repos.figures.deferred_reminder_exists(action, 3, "2026-11-25")
    assert not await repos.figures.deferred_reminder_exists(action, 3, "2026-11-26")


async def test_rows_without_a_region_come_first_as_on_sqlite(repos, clock):
    async with repos.db.transaction() as tx:
        region = (await tx.fetchone("INSERT INTO regions(name) VALUES (?) RETURNING id", ("Жамбыл облысы",)))[0]
        await tx.execute("UPDATE districts SET region_id = ? WHERE name = ?", (region, "Сайрам ауданы"))
    names = [o.name for o in await repos.orgs.all()]
    assert names[0] == "Мектеп №5"  # its district has no region: NULL sorts first
    assert (await repos.orgs.districts_labelled())[0][1] == "Байзақ ауданы"
