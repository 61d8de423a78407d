"""`bastau backup FILE` and `bastau restore FILE` on PostgreSQL: pg_dump's custom format and pg_restore --clean,
the password never on a command line or in a message."""
from __future__ import annotations

import pytest

from bot.cli_pg import _without_password
from bot.startup import safe_url
from db.postgres import PgDatabase
from tests.support.cli import bastau
from tests.support.roster import seed_roster


def test_the_password_goes_to_the_environment_not_the_url():
    bare, env = _without_password("postgresql://bastau:s3cret@db.example:5433/bastau")
    assert bare == "postgresql://bastau@db.example:5433/bastau" and env["PGPASSWORD"] == "s3cret"
    assert safe_url("postgresql://bastau:s3cret@db.example:5433/bastau") == "postgresql://bastau@db.example:5433/bastau"


@pytest.mark.postgresql_only
async def test_pg_dump_backup_and_pg_restore_round_trip(config, config_file, clock, tmp_path):
    db = await PgDatabase.open(config.database_url)
    try:
        await seed_roster(db, clock)
        before = [tuple(r) for r in await db.fetchall("SELECT id, name FROM organizations ORDER BY id")]
    finally:
        await db.close()
    target = tmp_path / "bastau.dump"
    taken = bastau(config_file, "backup", str(target))
    assert taken.returncode == 0, taken.stderr
    assert "pg_dump" in taken.stdout and target.stat().st_size > 0
    assert bastau(config_file, "backup", str(target)).returncode == 1  # never over an existing file

    db = await PgDatabase.open(config.database_url)
    try:
        await db.execute("UPDATE organizations SET name = 'changed ' || id")
    finally:
        await db.close()
    restored = bastau(config_file, "restore", str(target))
    assert restored.returncode == 0, restored.stderr
    db = await PgDatabase.open(config.database_url)
    try:
        assert [tuple(r) for r in await db.fetchall("SELECT id, name FROM organizations ORDER BY id")] == before
        assert await db.migrate() == []  # schema_migrations came back too
    finally:
        await db.close()
