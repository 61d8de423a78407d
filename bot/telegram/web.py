"""The bot process's aiohttp servers: routes shared on the Mini App's server, and a server of its own.

With `[webhook]` host and port the same as `[web]`'s, the webhook route rides on the Mini App's
application (bot/features/webapp/server.py): `share_routes` records how to add it, the Mini App's
server adds every shared route before it listens, and a port it cannot take is then an error
(`ListenError`) rather than a page the bot goes on without. Otherwise `OwnServer` serves the routes
on their own host and port.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.startup import StartupError

ROUTES_KEY = "web_routes"  # AppContext.extra: callables adding routes to the Mini App's application
Install = Callable[[web.Application], None]
SHUTDOWN_TIMEOUT_S = 1.0


class ListenError(StartupError):
    """A server could not take its host and port (one line, naming them)."""


def share_routes(extra: dict[str, Any], install: Install) -> None:
    """Ask the Mini App's server to carry these routes (before it starts)."""
    extra.setdefault(ROUTES_KEY, []).append(install)


def shared_routes(extra: dict[str, Any]) -> list[Install]:
    return list(extra.get(ROUTES_KEY, ()))


async def listen(runner: web.AppRunner, host: str, port: int, key: str) -> str:
    """Start a TCP site for a set-up runner; its http://host:port. `key` names the setting that moves it."""
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        raise ListenError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); set {key} to another port") \
            from None
    bound_host, bound_port = runner.addresses[0][:2]
    return f"http://{bound_host}:{bound_port}"


class OwnServer:
    """An aiohttp server for routes that do not share the Mini App's."""

    def __init__(self, install: Install) -> None:
        self.install = install
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self, host: str, port: int, key: str) -> None:
        web_app = web.Application()
        self.install(web_app)
        runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT_S)
        await runner.setup()
        try:
            self.url = await listen(runner, host, port, key)
        except ListenError:
            await runner.cleanup()
            raise
        self._runner = runner

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
