"""Dialog state on Redis ([redis] url): the dispatcher's storage and isolation, and a chair's report dialog
carried on by a second process (the state is nowhere in a process). aiogram's storage contract on
RedisStorage: tests/db/test_storage_contract.py."""
from __future__ import annotations

import pytest
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage

from bot.cluster.state import waiting_dialogs
from bot.telegram.resume import resume_dialogs
from tests.support.harness import Harness
from tests.support.mocked import sent_text
from tests.support.people import register
from tests.support.report import draft_of, open_report


@pytest.fixture
def redis_config(config, redis_url, monkeypatch):
    monkeypatch.setenv("BASTAU_REDIS_URL", redis_url)
    assert config.redis_url == redis_url
    return config


async def test_with_a_redis_url_the_dispatcher_keeps_dialogs_and_order_in_redis(redis_config, clock):
    harness = await Harness.create(redis_config, clock)
    try:
        assert isinstance(harness.dp.storage, RedisStorage)
        assert isinstance(harness.dp.fsm.events_isolation, RedisEventIsolation)
        assert harness.dp.fsm.events_isolation.lock_kwargs == {"timeout": redis_config.cluster.failover_s}
    finally:
        await harness.dp.storage.close()
        await harness.close()


async def test_a_report_dialog_goes_on_in_another_process(redis_config, clock):
    from tests.support.roster import seed_roster

    first = await Harness.create(redis_config, clock)
    await seed_roster(first.app.db, clock)
    chair = await register(first, 1201, "kk", "Құтарыс")
    await open_report(first, chair, "kk")
    for text in ("400", "12"):
        await chair.send(text)
    assert "Сұрақ 3/12" in chair.reply
    waiting = await waiting_dialogs(first.dp.storage, first.app.repos.dialogs)
    assert [(w.key, w.state.split(":")[0]) for w in waiting] == [("fsm:1201:1201:default", "ReportDialog")]
    assert await first.app.repos.dialogs.waiting() == []  # nothing of the dialog in the database's fsm table
    await first.dp.storage.close()
    await first.app.db.close()

    second = await Harness.create(redis_config, clock)  # another process, the same database and Redis
    try:
        assert await resume_dialogs(second.dp, second.bot, second.app.repos.dialogs, clock, "boot 2") == 1
        assert any("Сұрақ 3/12" in (sent_text(call) or "") for call in second.session.requests)
        chair = second.client(1201, language_code="kk")
        await chair.send("2")
        assert "Сұрақ 4/12" in chair.reply
        draft = await draft_of(second, 1201)
        assert draft.answers == {"members_total": 400, "members_joined": 12, "members_left": 2}
    finally:
        await second.dp.storage.close()
        await second.close()
