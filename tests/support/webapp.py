"""The Mini App in tests: initData signed as Telegram signs it (written here from Telegram's
documentation, independently of the code under test), and an aiohttp test client of the web app."""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from aiohttp.test_utils import TestClient, TestServer

from tests.support.harness import Harness

TOKEN = "42:TEST"  # the harness's bot token


def sign_init_data(user_id: int, auth_date: datetime, token: str = TOKEN, language_code: str | None = "kk",
                   **extra: str) -> str:
    """Raw initData as a Mini App receives it: url-encoded fields and their HMAC-SHA256 `hash`."""
    user: dict[str, Any] = {"id": user_id, "first_name": "Test"}
    if language_code:
        user["language_code"] = language_code
    fields = {"auth_date": str(int(auth_date.timestamp())), "query_id": f"Q{user_id}",
              "user": json.dumps(user, ensure_ascii=False, separators=(",", ":")), **extra}
    check = "\n".join(f"{key}={value}" for key, value in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(fields)


def tma(init_data: str) -> dict[str, str]:
    return {"Authorization": f"tma {init_data}"}


class WebAppClient:
    """GET/POST the API as one Telegram user, with initData signed at the harness clock's now."""

    def __init__(self, client: TestClient, harness: Harness) -> None:
        self.client = client
        self.harness = harness

    def headers(self, user_id: int, language_code: str | None = "kk") -> dict[str, str]:
        return tma(sign_init_data(user_id, self.harness.clock.now(), language_code=language_code))

    async def get(self, path: str, user_id: int, **kwargs: Any):
        return await self.client.get(path, headers=self.headers(user_id), **kwargs)

    async def post(self, path: str, user_id: int, **kwargs: Any):
        return await self.client.post(path, headers=self.headers(user_id), **kwargs)

    async def json(self, path: str, user_id: int, status: int = 200) -> Any:
        response = await self.get(path, user_id)
        assert response.status == status, (path, user_id, response.status, await response.text())
        return await response.json()


@asynccontextmanager
async def webapp_client(harness: Harness) -> AsyncIterator[WebAppClient]:
    from bot.features.webapp.server import create_web_app

    async with TestClient(TestServer(create_web_app(harness.app, harness.bot))) as client:
        yield WebAppClient(client, harness)
