"""The local Bot API server with a real aiogram Bot over HTTP (fixtures registered by tests/conftest.py)."""
from __future__ import annotations

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.sandbox.apiserver import LocalBotAPI, User

# A 2x3 PNG header is enough for the server to report the size.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (2).to_bytes(4, "big") + (3).to_bytes(4, "big") + b"rest"
ALICE = User(1, "Alice", username="alice", language_code="ru")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FastSession(AiohttpSession):
    """aiogram waits 250 ms on close for SSL sockets; over plain local HTTP that only slows the tests."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


@pytest.fixture
async def server():
    async with LocalBotAPI(clock=FakeClock()) as s:
        yield s


@pytest.fixture
async def bot(server):
    b = Bot(token="42:TEST", session=FastSession(api=TelegramAPIServer.from_base(server.base_url)))
    yield b
    await b.session.close()


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


async def raw(http, server, method, **params):
    async with http.post(f"{server.base_url}/bot42:TEST/{method}", data=params) as resp:
        return resp.status, await resp.json()
