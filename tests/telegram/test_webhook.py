"""The webhook's request handler (bot/telegram/webhook.py) in front of the real Dispatcher and inbox:
401 for a missing or wrong secret (logged, nothing stored), 200 only once the update is in the inbox,
an update_id sent again answered 200 and not handled twice, 400 for a body that is not an update, 500
when the store fails, requests held while the bot starts and refused while it stops; the settings'
one-line errors."""
from __future__ import annotations

import asyncio
import json
import logging

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot import cli
from bot.startup import StartupError
from bot.telegram.webhook import SECRET_HEADER, InboxRequestHandler, webhook_settings
from tests.support.people import register
from tests.support.report import draft_of, open_report
from tests.support.webhook import SECRET

PATH = "/telegram/webhook"


@pytest.fixture
async def hook(harness):
    handler = InboxRequestHandler(harness.dp, harness.bot, harness.inbox, SECRET)
    handler.ready.set()
    app = web.Application()
    handler.register(app, path=PATH)
    async with TestClient(TestServer(app)) as client:
        yield handler, client


def message(chair, text: str, update_id: int) -> dict:
    return {"update_id": update_id, "message": chair._message(text=text)}


async def post(client, body, secret: str | None = SECRET):
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with client.post(PATH, data=data, headers=headers) as response:
        return response.status


async def test_without_the_right_secret_401_logged_and_nothing_stored(harness, hook, caplog):
    _, client = hook
    chair = harness.client(1201)
    before = len(harness.session.requests)
    with caplog.at_level(logging.WARNING, logger="bot.telegram.webhook"):
        assert await post(client, message(chair, "/start", 880001), secret=None) == 401
        assert await post(client, message(chair, "/start", 880002), secret="wrong-secret") == 401
    assert await harness.app.repos.inbox.pending() == []
    assert not await harness.app.repos.inbox.is_done(880001) and not await harness.app.repos.inbox.is_done(880002)
    await harness.inbox.idle()
    assert len(harness.session.requests) == before
    refusals = [r.getMessage() for r in caplog.records if "401" in r.getMessage()]
    assert len(refusals) == 2 and not any(SECRET in line or "wrong-secret" in line for line in caplog.messages)


async def test_200_only_once_the_update_is_in_the_inbox_then_it_is_handled(harness, hook):
    _, client = hook
    chair = await register(harness, 1202, "kk", "Құтарыс")
    await open_report(harness, chair, "kk")
    gate = asyncio.Event()
    store = harness.app.repos.inbox.store

    async def slow_store(*args):
        await gate.wait()
        return await store(*args)

    harness.app.repos.inbox.store = slow_store
    answer = asyncio.create_task(post(client, message(chair, "400", 880010)))
    await asyncio.sleep(0.2)
    assert not answer.done()  # not answered while the store has not returned
    gate.set()
    assert await answer == 200
    await harness.inbox.idle()
    assert await harness.app.repos.inbox.is_done(880010)
    assert (await draft_of(harness, 1202)).answers == {"members_total": 400}
    assert "Сұрақ 2/12" in harness.session.requests[-1].text


async def test_an_update_sent_again_is_answered_200_and_not_handled_twice(harness, hook):
    _, client = hook
    chair = await register(harness, 1203, "kk", "Құтарыс")
    await open_report(harness, chair, "kk")
    assert await post(client, message(chair, "400", 880020)) == 200
    await harness.inbox.idle()
    sent = len(harness.session.requests)
    assert await post(client, message(chair, "400", 880020)) == 200  # Telegram did not see the first 200
    await harness.inbox.idle()
    assert len(harness.session.requests) == sent
    assert (await draft_of(harness, 1203)).answers == {"members_total": 400}
    # Two copies at once: one is handled.
    answers = await asyncio.gather(*(post(client, message(chair, "12", 880021)) for _ in range(2)))
    await harness.inbox.idle()
    assert answers == [200, 200]
    assert (await draft_of(harness, 1203)).answers == {"members_total": 400, "members_joined": 12}
    assert len(harness.session.requests) == sent + 1


async def test_a_body_that_is_not_an_update_gets_400(harness, hook):
    _, client = hook
    assert await post(client, b"not json at all") == 400
    assert await post(client, {"message": {"text": "no update_id"}}) == 400
    assert await post(client, b"[1, 2]") == 400
    assert await harness.app.repos.inbox.pending() == []


async def test_requests_wait_for_the_start_and_are_refused_while_stopping(harness, hook):
    handler, client = hook
    chair = harness.client(1204)
    handler.ready.clear()
    early = asyncio.create_task(post(client, message(chair, "/start", 880030)))
    await asyncio.sleep(0.2)
    assert not early.done() and await harness.app.repos.inbox.pending() == []
    handler.ready.set()
    assert await early == 200
    await harness.inbox.idle()
    assert await harness.app.repos.inbox.is_done(880030)
    await handler.close()
    assert await post(client, message(chair, "/start", 880031)) == 503
    assert not await harness.app.repos.inbox.is_done(880031) and await harness.app.repos.inbox.pending() == []


def test_settings_name_what_is_missing(config, monkeypatch):
    monkeypatch.delenv("WEBHOOK_SECRET", raising=False)
    with pytest.raises(StartupError, match=r"^webhook\.url is not set"):
        webhook_settings(config)
    with_url = config.model_copy(update={"webhook": config.webhook.model_copy(
        update={"url": "https://bastau.example.kz/telegram/webhook"})})
    with pytest.raises(StartupError, match=r"^WEBHOOK_SECRET is not set"):
        webhook_settings(with_url)
    monkeypatch.setenv("WEBHOOK_SECRET", "has spaces")
    with pytest.raises(StartupError, match=r"^WEBHOOK_SECRET must be"):
        webhook_settings(with_url)
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    settings = webhook_settings(with_url)
    assert (settings.secret, settings.path, settings.shared) == (SECRET, PATH, True)  # [web] and [webhook] on :0
    moved = with_url.model_copy(update={"webhook": with_url.webhook.model_copy(update={"port": 8443})})
    assert not webhook_settings(moved).shared


def test_run_webhook_without_the_secret_is_one_line(config_file, monkeypatch, capsys):
    for name in ("WEBHOOK_SECRET", "BASTAU_DB", "TELEGRAM_API_SERVER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_TOKEN", "42:TEST")
    monkeypatch.setenv("BASTAU_WEBHOOK__URL", "https://bastau.example.kz/telegram/webhook")
    assert cli.main(["--config", str(config_file), "run", "--webhook"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["bastau run: WEBHOOK_SECRET is not set: webhook mode needs the secret token in the environment"]
    monkeypatch.delenv("BASTAU_WEBHOOK__URL")
    monkeypatch.setenv("BASTAU_WEBHOOK__ENABLED", "true")  # the same as --webhook
    assert cli.main(["--config", str(config_file), "run"]) == 1
    assert capsys.readouterr().err.strip().startswith("bastau run: webhook.url is not set")


async def test_a_store_that_fails_gets_500_and_the_update_comes_again(harness, hook):
    _, client = hook
    chair = await register(harness, 1205, "kk", "Құтарыс")
    await open_report(harness, chair, "kk")
    store = harness.app.repos.inbox.store

    async def failing(*args):
        raise OSError("disk I/O error")

    harness.app.repos.inbox.store = failing
    assert await post(client, message(chair, "400", 880040)) == 500
    await harness.inbox.idle()
    assert (await draft_of(harness, 1205)).answers == {}
    harness.app.repos.inbox.store = store  # Telegram sends it again
    assert await post(client, message(chair, "400", 880040)) == 200
    await harness.inbox.idle()
    assert (await draft_of(harness, 1205)).answers == {"members_total": 400}
