"""The sandbox: the local Bot API server, the real bot polling it, demo data and the web page, in one process.

    async with Sandbox(web_port=0, api_port=0) as sandbox:   # sandbox.url: the page
        ...

Everything listens on 127.0.0.1; the database lives in a temporary folder removed at stop. The bot's
clock is an OffsetClock: `fast_forward(target)` moves it and runs the scheduler's due work at every
scheduled moment on the way, in order, so the reminders, escalations and digests of those days arrive at once.
"""
from __future__ import annotations

import asyncio
import errno
import logging
import shutil
import signal
import socket
import sys
import tempfile
from collections.abc import Awaitable
from datetime import datetime
from pathlib import Path

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web

from bot.app import build_bot, build_dispatcher
from bot.config import Settings, load_config
from bot.context import AppContext
from bot.domain.clock import OffsetClock
from bot.features.reminders.due_work import run_due_work
from bot.logs import demote_info
from bot.sandbox.apimodels import User
from bot.sandbox.apiserver import LocalBotAPI
from bot.sandbox.demo import FREE_ORGANIZATION, PERSONAS, Persona, admin_entries, seed_demo
from bot.sandbox.jumps import jump_target, passed_moments
from bot.sandbox.miniapp import launch_url, sign_init_data
from bot.sandbox.web import create_web_app
from db.sqlite import SQLiteDatabase

log = logging.getLogger(__name__)

SANDBOX_TOKEN = "100000:SANDBOX"
START_TIMEOUT_S = 30  # for the bot to start polling, after which the page's address is printed


class PortInUse(Exception):
    """A port the sandbox listens on is taken; the message names the setting or flag that moves it."""
class Sandbox:
    def __init__(self, config_path: str | Path | None = None, *, web_port: int | None = None,
                 api_port: int | None = None, start_at: datetime | None = None) -> None:
        self.base_config = self.config = load_config(config_path)  # self.config: the sandbox's, once started
        self.config_path = config_path
        self.web_port = self.base_config.sandbox.web_port if web_port is None else web_port
        self.api_port = self.base_config.sandbox.api_port if api_port is None else api_port
        self.host = self.base_config.sandbox.host
        self.clock = OffsetClock()
        if start_at is not None:
            self.clock.set(start_at)
        self.personas: dict[int, Persona] = {p.id: p for p in PERSONAS}
        self.server = LocalBotAPI(self.api_port)
        self.url = ""
        self.invite_code = ""
        self.workdir: Path | None = None  # the temporary folder of the database
        self._app: AppContext | None = None
        self._bot: Bot | None = None
        self._dp: Dispatcher | None = None
        self._polling: asyncio.Task[None] | None = None
        self._web: web.AppRunner | None = None
        self._clock_listeners: list = []

    @property
    def app(self) -> AppContext:
        assert self._app is not None, "the sandbox is not started"
        return self._app

    @property
    def bot(self) -> Bot:
        assert self._bot is not None, "the sandbox is not started"
        return self._bot

    async def start(self) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="bastau-sandbox-"))
        try:
            await _listen(self.server.start(), "127.0.0.1", self.api_port, "the local Bot API server",
                          "set [sandbox] api_port (BASTAU_SANDBOX__API_PORT) to a free port")
            self.config = self._sandbox_config(self.workdir)
            db = await SQLiteDatabase.open(self.workdir / "sandbox.db")
            self._app = await AppContext.create(self.config, clock=self.clock, db=db)
            await seed_demo(db, self._app.repos, self.config.form, self._app.calendar, self.clock.now())
            free = next(o for o in await self._app.repos.orgs.all() if o.name == FREE_ORGANIZATION)
            self.invite_code = free.invite_code
            session = AiohttpSession(api=TelegramAPIServer.from_base(self.server.base_url))
            self._bot = build_bot(SANDBOX_TOKEN, self.config, session=session)
            self._dp = build_dispatcher(self._app)
            started = asyncio.Event()

            async def on_started() -> None:  # after the features' startup hooks (the Mini App's server)
                started.set()

            self._dp.startup.register(on_started)
            self._web = web.AppRunner(create_web_app(self), access_log=None, shutdown_timeout=1.0)
            await self._web.setup()
            await _listen(web.TCPSite(self._web, self.host, self.web_port).start(), self.host, self.web_port,
                          "the sandbox page",
                          "set [sandbox] web_port (BASTAU_SANDBOX__WEB_PORT) or --port to a free port")
            self.web_port = self._web.addresses[0][1]
            self.url = f"http://{self.host}:{self.web_port}"
            self._polling = asyncio.create_task(
                self._dp.start_polling(self._bot, handle_signals=False, close_bot_session=True), name="sandbox-polling")
            self._polling.add_done_callback(_report_polling_end)
            await _started(started, self._polling)
        except BaseException:
            await self.stop()
            raise

    def _sandbox_config(self, workdir: Path) -> Settings:
        """The real config with the demo admins, a throw-away database and the local Bot API server. The
        Mini App on a free port, which is its public address too: the bot's web_app buttons (the chair's
        «Fill in as a form», the digest's dashboard) are drawn, and the page opens them signed (webapp_url)."""
        port = _free_port(self.host)
        return load_config(self.config_path, admins=admin_entries(),
                           bot={"default_locale": self.base_config.bot.default_locale,
                                "db_path": str(workdir / "sandbox.db")},
                           telegram={"api_server": self.server.base_url},
                           web={"host": self.host, "port": port, "public_url": f"http://{self.host}:{port}"})

    async def stop(self) -> None:
        """Stop polling (the scheduler with it), the page, the server; remove the database."""
        if self._dp is not None and self._polling is not None and not self._polling.done():
            try:
                await asyncio.wait_for(self._dp.stop_polling(), timeout=10)
            except (TimeoutError, RuntimeError):  # polling had not started yet, or hangs
                self._polling.cancel()
        if self._polling is not None:
            await asyncio.wait([self._polling])  # its error, if any, is logged by _report_polling_end
        elif self._bot is not None:
            await self._bot.session.close()
        if self._web is not None:
            await self._web.cleanup()
        await self.server.stop()
        if self._app is not None:
            await self._app.db.close()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
        self._polling = self._web = self._dp = self._bot = self._app = self.workdir = None

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- the clock --------------------------------------------------------------------------------------------

    def local_now(self) -> datetime:
        return self.app.calendar.local(self.clock.now())

    async def fast_forward(self, kind: str) -> int:
        """Move the bot's clock to the target; returns the messages sent on the way (see `advance`)."""
        return await self.advance(jump_target(kind, self.app.calendar, self.clock.now()))

    async def advance(self, target: datetime) -> int:
        """Move the bot's clock to `target` through every scheduled moment passed over, running the due
        work at each one in order (as the bot's ticks would have), so a jump of days skips no reminder."""
        sent = 0
        for moment in passed_moments(self.app.calendar, self.clock.now(), target):
            self.clock.set(moment)
            for listener in list(self._clock_listeners):
                listener()
            outcomes = await run_due_work(self.app, self.bot, moment)
            sent += sum(o.status == "sent" for o in outcomes)
        return sent

    def webapp_url(self, user: User) -> str | None:
        """The Mini App as a Telegram client would open it for `user` (None until its server listens)."""
        from bot.features.webapp import WEB_SERVER_KEY

        server = self.app.extra.get(WEB_SERVER_KEY)
        if server is None or not server.url:
            return None
        return launch_url(server.url, sign_init_data(SANDBOX_TOKEN, user, self.clock.now()))

    def on_clock_change(self, listener) -> None:
        self._clock_listeners.append(listener)


def _free_port(host: str) -> int:
    """A port nothing listens on now (the Mini App's, chosen before the config that names it is made)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


async def _listen(starting: Awaitable[None], host: str, port: int, what: str, how_to_move: str) -> None:
    """Start listening; a port already taken is PortInUse, naming what moves it."""
    try:
        await starting
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        raise PortInUse(f"port {port} of {what} is in use on {host}: {how_to_move}") from exc


async def _started(started: asyncio.Event, polling: asyncio.Task[None]) -> None:
    """Wait until the bot's startup hooks have run, so what the page needs is up (and their logs written)."""
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({waiter, polling}, timeout=START_TIMEOUT_S, return_when=asyncio.FIRST_COMPLETED)
    if not waiter.done():
        waiter.cancel()
        raise RuntimeError("the sandbox bot did not start polling")


def _report_polling_end(task: asyncio.Task[None]) -> None:
    """Polling that dies while the page is open would leave the visitor without answers: say why."""
    if not task.cancelled() and task.exception() is not None:
        log.error("the sandbox bot stopped polling", exc_info=task.exception())


async def serve(config_path: str | Path | None, web_port: int | None) -> int:
    """`bastau sandbox`: run until Ctrl-C or SIGTERM."""
    sandbox = Sandbox(config_path, web_port=web_port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    demote_info()  # per-update logs at DEBUG: the address below is the last line printed
    try:
        await sandbox.start()
    except PortInUse as exc:
        print(f"bastau sandbox: {exc}", file=sys.stderr, flush=True)
        return 1
    except (OSError, RuntimeError) as exc:
        print(f"bastau sandbox: cannot start: {exc}", file=sys.stderr, flush=True)
        return 1
    try:
        print(f"Demo invite code for the new user: {sandbox.invite_code}", flush=True)
        print(f"Bastau sandbox: open {sandbox.url} in a browser (Ctrl-C stops it).", flush=True)
        await stop.wait()
    finally:
        await sandbox.stop()
        print("Sandbox stopped.", flush=True)
    return 0
