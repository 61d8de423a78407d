"""run_webhook in the process (bot/telegram/webhook.py): the start's replay before any request, then
setWebhook with the url, secret, allowed_updates and max_connections, then the catch-up
(getWebhookInfo) before waiting dialogs are asked; a server of its own when
[webhook] host:port differs from [web]'s, the Mini App's server when they are the same (and then a
port it cannot take stops the start with one line)."""
from __future__ import annotations

import asyncio
import json
import socket
from contextlib import suppress

import aiohttp
import pytest
from aiogram.methods import SetWebhook
from aiogram.types import Update

from bot.telegram.web import ListenError
from bot.telegram.webhook import SECRET_HEADER, WebhookSettings, run_webhook
from tests.support.people import register
from tests.support.report import draft_of, open_report
from tests.support.webhook import SECRET, free_port

PATH = "/telegram/webhook"


def settings(port: int, shared: bool) -> WebhookSettings:
    return WebhookSettings(f"https://bastau.example.kz{PATH}", "127.0.0.1", port, PATH, (), 7, SECRET, shared)


async def start(harness, hook: WebhookSettings) -> asyncio.Task[None]:
    """run_webhook until it has asked the waiting dialogs (after setWebhook and the catch-up)."""
    resumed: list[set[str]] = []

    async def resume(answered: set[str]) -> None:
        resumed.append(answered)

    harness.session.queued["GetWebhookInfo"].append(  # Telegram holds nothing more
        {"ok": True, "result": {"url": hook.url, "has_custom_certificate": False, "pending_update_count": 0}})
    task = asyncio.create_task(run_webhook(harness.app, harness.dp, harness.bot, harness.inbox, resume, hook,
                                           handle_signals=False))
    for _ in range(200):
        if resumed or task.done():
            break
        await asyncio.sleep(0.05)
    if task.done():
        task.result()
    names = [type(r).__name__ for r in harness.session.requests]
    assert resumed and names.index("SetWebhook") < names.index("GetWebhookInfo"), names
    return task


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task


async def test_own_server_replays_first_then_sets_the_webhook_and_takes_updates(harness):
    chair = await register(harness, 1301, "kk", "Құтарыс")
    await open_report(harness, chair, "kk")
    stored = {"update_id": 870001, "message": chair._message(text="400")}
    await harness.inbox.store([Update.model_validate(stored, context={"bot": harness.bot})])  # before a crash
    port = free_port()
    task = await start(harness, settings(port, shared=False))
    try:
        [set_webhook] = [r for r in harness.session.requests if isinstance(r, SetWebhook)]
        assert (set_webhook.url, set_webhook.secret_token, set_webhook.max_connections) == (
            f"https://bastau.example.kz{PATH}", SECRET, 7)
        assert set(set_webhook.allowed_updates) == set(harness.dp.resolve_used_update_types())
        assert (await draft_of(harness, 1301)).answers == {"members_total": 400}  # replayed before
        async with aiohttp.ClientSession() as http:
            body = json.dumps({"update_id": 870002, "message": chair._message(text="12")})
            async with http.post(f"http://127.0.0.1:{port}{PATH}", data=body,
                                 headers={SECRET_HEADER: SECRET}) as response:
                assert response.status == 200
        await harness.inbox.idle()
        assert (await draft_of(harness, 1301)).answers == {"members_total": 400, "members_joined": 12}
    finally:
        await stop(task)
    with pytest.raises(aiohttp.ClientConnectionError):  # stopped: the port is closed
        async with aiohttp.ClientSession() as http, http.post(f"http://127.0.0.1:{port}{PATH}", data=b"{}"):
            pass


async def test_shared_with_the_mini_app_and_a_taken_port_is_one_line(harness, config):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        harness.app.config = config.model_copy(update={"web": config.web.model_copy(update={"port": port})})
        task = asyncio.create_task(run_webhook(harness.app, harness.dp, harness.bot, harness.inbox,
                                               lambda answered: asyncio.sleep(0), settings(port, shared=True),
                                               handle_signals=False))
        with pytest.raises(ListenError, match=rf"cannot listen on 127\.0\.0\.1:{port} .*\[web\] port"):
            await task


async def test_shared_with_the_mini_app_serves_both(harness, config):
    port = free_port()
    harness.app.config = config.model_copy(update={"web": config.web.model_copy(update={"port": port})})
    task = await start(harness, settings(port, shared=True))
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/app/") as page:
                assert page.status == 200
            async with http.post(f"http://127.0.0.1:{port}{PATH}", data=b"{}") as refused:
                assert refused.status == 401
    finally:
        await stop(task)
