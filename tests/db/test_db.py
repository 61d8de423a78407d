"""Migrations, the FSM storage and update deduplication."""
from __future__ import annotations

import pytest
from aiogram.fsm.storage.base import StorageKey

from db.queries.reports import ReportsRepo
from db.sqlite import SQLiteDatabase, split_statements
from db.storage import DatabaseStorage
from tests.support.cli import bastau


async def test_migrations_are_applied_once_and_recorded(tmp_path):
    db = await SQLiteDatabase.open(tmp_path / "a.db")
    versions = [r[0] for r in await db.fetchall("SELECT version FROM schema_migrations ORDER BY version")]
    assert versions and versions[0] == 1 and versions == sorted(set(versions))
    assert await db.migrate() == []
    assert (await db.fetchone("PRAGMA journal_mode"))[0] == "wal"
    assert (await db.fetchone("PRAGMA foreign_keys"))[0] == 1
    await db.close()


def test_statement_splitting_respects_semicolons_in_strings():
    sql = "CREATE TABLE t (a TEXT DEFAULT 'x;\ny');\n-- a comment; with a semicolon\nINSERT INTO t VALUES ('1');\n"
    assert len(split_statements(sql)) == 2


async def test_fsm_storage_round_trips_json_across_connections(tmp_path):
    key = StorageKey(bot_id=1, chat_id=2, user_id=2)
    db = await SQLiteDatabase.open(tmp_path / "s.db")
    storage = DatabaseStorage(db)
    await storage.set_state(key, "Report:answering")
    await storage.set_data(key, {"month": "2026-11", "answers": {"n": 1, "t": "қазақша"}})
    await db.close()
    db = await SQLiteDatabase.open(tmp_path / "s.db")
    storage = DatabaseStorage(db)
    assert await storage.get_state(key) == "Report:answering"
    assert (await storage.get_data(key))["answers"]["t"] == "қазақша"
    await storage.set_state(key, None)
    assert await storage.get_state(key) is None
    await db.close()


async def test_fsm_storage_cache_writes_through_so_a_restart_sees_every_change(tmp_path):
    """Reads come from memory after the first; each change must still reach the database."""
    chair, other = StorageKey(bot_id=1, chat_id=2, user_id=2), StorageKey(bot_id=1, chat_id=3, user_id=3)
    db = await SQLiteDatabase.open(tmp_path / "s.db")
    storage = DatabaseStorage(db, cached_keys=1)  # two chats, room for one: the other is re-read
    await storage.set_state(chair, "ReportDialog:filling")
    await storage.set_data(chair, {"month": "2026-11"})
    await storage.set_state(other, "Registration:code")
    assert await storage.get_state(chair) == "ReportDialog:filling"
    data = await storage.get_data(chair)
    data["month"] = "changed by a handler"  # a copy: the stored data stays as written
    assert await storage.get_data(chair) == {"month": "2026-11"}
    await storage.set_data(chair, {"month": "2026-12"})
    await storage.set_state(chair, None)
    await storage.set_data(chair, {"month": "2026-12"})  # unchanged: nothing to write
    await db.close()
    db = await SQLiteDatabase.open(tmp_path / "s.db")
    restarted = DatabaseStorage(db)
    assert await restarted.get_state(chair) is None
    assert await restarted.get_data(chair) == {"month": "2026-12"}
    assert await restarted.get_state(other) == "Registration:code"
    assert await restarted.get_data(other) == {}
    await db.close()


async def test_draft_cache_writes_through_so_a_restart_sees_every_change(harness, clock):
    """Drafts are read from memory after the first read; each change must still reach the database."""
    drafts = ReportsRepo(harness.app.db, cached_drafts=1)  # two drafts, room for one: the other is re-read
    await drafts.save_draft(1, "2026-11", 1001, {"members_total": 240}, "members_joined", clock.now())
    await drafts.save_draft(2, "2026-11", 1002, {"members_total": 12}, "members_left", clock.now())
    first = await drafts.get_draft(1, "2026-11")
    first.answers["members_total"] = 999  # a copy: the stored draft stays as written
    assert (await drafts.get_draft(1, "2026-11")).answers == {"members_total": 240}
    await drafts.save_draft(1, "2026-11", 1001, {"members_total": 241}, None, clock.now())
    await drafts.delete_draft(2, "2026-11")
    assert await drafts.get_draft(2, "2026-11") is None
    await drafts.save_draft(3, "2026-11", 1003, {"members_total": 7}, None, clock.now())
    await drafts.submit(3, "2026-11", 1003, {"members_total": 7}, False, clock.now())
    assert await drafts.get_draft(3, "2026-11") is None  # submitting drops the draft
    restarted = ReportsRepo(harness.app.db)
    assert await restarted.get_draft(3, "2026-11") is None
    assert await restarted.get_draft(1, "2026-11") == (await drafts.get_draft(1, "2026-11"))
    assert (await restarted.get_draft(1, "2026-11")).answers == {"members_total": 241}
    assert (await restarted.get_draft(1, "2026-11")).cursor is None
    assert await restarted.get_draft(2, "2026-11") is None


async def test_the_same_update_twice_has_one_effect(harness):
    user = harness.client(3001, language_code="ru")
    first = await user.send("/start", update_id=777001)
    again = await user.send("/start", update_id=777001)
    assert first and again == []


async def test_a_failing_handler_answers_in_the_users_language(harness, monkeypatch):
    from bot.features.onboarding import start

    async def broken(*args, **kwargs):
        raise RuntimeError("boom")

    admin = harness.client(900, language_code="ru")
    await admin.send("/start")
    await admin.press("Русский")
    monkeypatch.setattr(start, "show_main_menu", broken)
    await admin.send("/start")
    assert "Извините, что-то пошло не так" in admin.reply


@pytest.mark.slow
@pytest.mark.sqlite_only
async def test_online_backup_holds_the_same_rows(harness, tmp_path):
    target = tmp_path / "backup.db"
    result = bastau(harness.app.config.config_dir / "config.toml", "backup", str(target))
    assert result.returncode == 0, result.stderr
    copy = await SQLiteDatabase.open(target, migrate=False)
    try:
        assert (await copy.fetchone("PRAGMA integrity_check"))[0] == "ok"
        names = [r[0] for r in await copy.fetchall("SELECT name FROM organizations ORDER BY name")]
        live = [r[0] for r in await harness.app.db.fetchall("SELECT name FROM organizations ORDER BY name")]
        assert names == live and len(names) == 3
    finally:
        await copy.close()
    again = bastau(harness.app.config.config_dir / "config.toml", "backup", str(target))
    assert again.returncode == 1
