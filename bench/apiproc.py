"""The local Bot API server (bot/sandbox/apiserver.py) in a process of its own, driven over HTTP,
so that its work does not share a CPU core and an event loop with the bot under measurement."""
from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import aiohttp

from bench.common import REPO


class ApiProcess:
    def __init__(self, global_rate: float | None = None, per_chat_interval: float | None = None) -> None:
        self.args = [sys.executable, "-m", "bot.sandbox.apiserver", "--port", "0"]
        if global_rate:
            self.args += ["--global-rate", str(global_rate)]
        if per_chat_interval:
            self.args += ["--per-chat-interval", str(per_chat_interval)]
        self.process: subprocess.Popen | None = None
        self.url = ""
        self.http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> ApiProcess:
        self.process = subprocess.Popen(self.args, cwd=REPO, stdout=subprocess.PIPE, text=True,
                                        start_new_session=True)
        line = await asyncio.wait_for(asyncio.to_thread(self.process.stdout.readline), 60)
        if not line.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"the API server did not start: {line!r}")
        self.url = line.strip()
        self.http = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.http:
            await self.http.close()
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                await asyncio.to_thread(self.process.wait, 10)
            except subprocess.TimeoutExpired:  # still delivering to a webhook that is gone
                self.process.kill()
                await asyncio.to_thread(self.process.wait, 10)

    async def control(self, action: str, body: dict[str, Any] | None = None, **query: Any) -> Any:
        """POST with a body, GET without; returns the result or raises with the server's description."""
        url = f"{self.url}/_control/{action}"
        params = {k: str(v) for k, v in query.items()}
        if body is None:
            request = self.http.get(url, params=params)
        else:
            request = self.http.post(url, json=body, params=params)
        async with request as response:
            answer = await response.json()
        if not answer.get("ok"):
            raise RuntimeError(f"{action}: {answer.get('description')}")
        return answer["result"]
