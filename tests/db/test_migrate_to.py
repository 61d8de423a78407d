"""`bastau migrate-to postgresql://...`: the configured SQLite database copied into PostgreSQL, every table's
row count equal on both sides, the reports the same, the identity sequences past the copied ids; a second
copy into the now filled database is refused."""
from __future__ import annotations

import asyncio
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bench.seed import seed
from bot.config import load_config
from db.migrate_to import migrate_to
from db.postgres import PgDatabase
from tests.support.cli import bastau
from tests.support.paths import REPO

SAMPLE = "SELECT org_id, month, answers, late, submitted_by, submitted_at FROM reports ORDER BY id"


def sqlite_rows(path: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        return [tuple(r) for r in conn.execute(sql)]


async def same_data(path: Path, url: str, every: int) -> None:
    """Every `every`-th report equal field by field (answers as JSON), and the sequences past the copied ids."""
    pg = await PgDatabase.open(url, migrate=False)
    try:
        theirs = [tuple(r) for r in await pg.fetchall(SAMPLE)]
        ours = sqlite_rows(path, SAMPLE)
        assert len(theirs) == len(ours) > 0
        for mine, copied in list(zip(ours, theirs, strict=True))[::every]:
            assert mine[:2] == copied[:2] and mine[3:] == copied[3:]
            assert json.loads(mine[2]) == json.loads(copied[2])
        top = sqlite_rows(path, "SELECT MAX(id) FROM districts")[0][0]
        added = await pg.execute("INSERT INTO districts(region_id, name) VALUES (1, 'Жаңа аудан') RETURNING id")
        assert added.lastrowid == top + 1
    finally:
        await pg.close()


@pytest.mark.sqlite_only
async def test_migrate_to_copies_every_row_and_refuses_a_filled_target(config_file, pg_empty_url):
    config = load_config(config_file)
    seeded = await asyncio.to_thread(seed, config.db_path, config.form, organizations=60, months=3, tallied=True)
    done = bastau(config_file, "migrate-to", pg_empty_url)
    assert done.returncode == 0, done.stderr
    lines = {line.split()[0]: line.split() for line in done.stdout.splitlines() if "sqlite" in line.split()}
    assert lines["reports"][2] == lines["reports"][4] == str(seeded.reports)
    assert lines["organizations"][2] == "60" and "report_numbers" in lines
    assert all(cols[2] == cols[4] for cols in lines.values())
    assert "every row count equal" in done.stdout
    await same_data(config.db_path, pg_empty_url, every=1)

    again = bastau(config_file, "migrate-to", pg_empty_url)
    assert again.returncode == 1 and "not empty" in again.stderr


@pytest.mark.sqlite_only
async def test_migrate_to_refuses_a_target_that_is_not_postgresql(config_file):
    bad = bastau(config_file, "migrate-to", "mysql://x")
    assert bad.returncode == 2 and "postgresql://" in bad.stderr


@pytest.mark.slow
async def test_a_national_database_moves_with_equal_counts_and_reports(tmp_path, pg_empty_url):
    config = load_config(REPO / "config.toml")
    path = tmp_path / "national.db"
    seeded = await asyncio.to_thread(seed, path, config.form, organizations=10_000, months=36, tallied=True)
    counts = await migrate_to(path, pg_empty_url)
    assert all(c.sqlite == c.postgresql for c in counts)
    assert {c.table: c.postgresql for c in counts}["reports"] == seeded.reports
    await same_data(path, pg_empty_url, every=997)
