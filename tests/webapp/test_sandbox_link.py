"""The sandbox opens the Mini App as its personas with initData it signs with its own bot token: the real
authentication path, end to end over HTTP (the page's button asks GET /api/webapp/{persona})."""
from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from bot.sandbox.runner import Sandbox
from tests.support.harness import at


@pytest.fixture
async def sandbox(monkeypatch):
    monkeypatch.delenv("BASTAU_DB", raising=False)
    monkeypatch.delenv("TELEGRAM_API_SERVER", raising=False)
    async with Sandbox(web_port=0, api_port=0, start_at=at("2026-11-26 10:00")) as running:
        yield running


async def test_personas_open_the_mini_app_with_initdata_signed_by_the_sandbox(sandbox):
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        for _ in range(100):  # the Mini App's server starts with the dispatcher, just after the page
            async with http.get(f"{sandbox.url}/api/webapp/2001") as response:
                if response.status == 200:
                    url = (await response.json())["url"]
                    break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the Mini App's server did not start")
        parts = urlsplit(url)
        launch = parse_qs(parts.fragment)
        assert parts.path == "/app/" and "bg_color" in launch["tgWebAppThemeParams"][0]
        base = f"{parts.scheme}://{parts.netloc}"
        roles = {}
        for persona in (2001, 2002, 1001):
            async with http.get(f"{sandbox.url}/api/webapp/{persona}") as response:
                init_data = parse_qs(urlsplit((await response.json())["url"]).fragment)["tgWebAppData"][0]
            async with http.get(f"{base}/app/api/me", headers={"Authorization": "tma " + init_data}) as me:
                body = await me.json()
                roles[persona] = (body["role"], body["district"], body["language"])
        assert roles == {2001: ("district", "Сайрам ауданы", "ru"), 2002: ("branch", None, "kk"),
                         1001: ("chair", "Сайрам ауданы", "kk")}
        async with http.get(f"{base}/app/api/me", headers={"Authorization": "tma " + init_data + "0"}) as forged:
            assert forged.status == 401
        async with http.get(f"{sandbox.url}/api/webapp/12345") as unknown:
            assert unknown.status == 400
