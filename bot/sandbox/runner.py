"""The sandbox: the local Bot API server, the real bot polling it, demo data and the web page, in one process.

    async with Sandbox(web_port=0, api_port=0) as sandbox:   # sandbox.url: the page
        ...

Everything listens on 127.0.0.1; the database lives in a temporary folder removed at stop. The bot's
clock is an OffsetClock: `fast_forward(target)` moves it and runs the scheduler's due work at every
scheduled moment on the way, in order, so the reminders, escalations and digests of those days arrive at once.
"""
from __future__ import annotations

import asyncio
import logging
import shutil
import signal
import sys
import tempfile
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
from bot.sandbox.apimodels import User
from bot.sandbox.apiserver import LocalBotAPI
from bot.sandbox.demo import FREE_ORGANIZATION, PERSONAS, Persona, admin_entries, seed_demo
from bot.sandbox.jumps import jump_target, passed_moments
from bot.sandbox.miniapp import launch_url, sign_init_data
from bot.sandbox.web import create_web_app
from db.sqlite import SQLiteDatabase

log = logging.getLogger(__name__)

SANDBOX_TOKEN = "100000:SANDBOX"
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
            await self.server.start()
            self.config = self._sandbox_config(self.workdir)
            db = await SQLiteDatabase.open(self.workdir / "sandbox.db")
            self._app = await AppContext.create(self.config, clock=self.clock, db=db)
            await seed_demo(db, self._app.repos, self.config.form, self._app.calendar, self.clock.now())
            free = next(o for o in await self._app.repos.orgs.all() if o.name == FREE_ORGANIZATION)
            self.invite_code = free.invite_code
            session = AiohttpSession(api=TelegramAPIServer.from_base(self.server.base_url))
            self._bot = build_bot(SANDBOX_TOKEN, self.config, session=session)
            self._dp = build_dispatcher(self._app)
            self._polling = asyncio.create_task(
                self._dp.start_polling(self._bot, handle_signals=False, close_bot_session=True), name="sandbox-polling")
            self._polling.add_done_callback(_report_polling_end)
            self._web = web.AppRunner(create_web_app(self), access_log=None, shutdown_timeout=1.0)
            await self._web.setup()
            await web.TCPSite(self._web, self.host, self.web_port).start()
            self.web_port = self._web.addresses[0][1]
            self.url = f"http://{self.host}:{self.web_port}"
        except BaseException:
            await self.stop()
            raise

    def _sandbox_config(self, workdir: Path) -> Settings:
        """The real config with the demo admins, a throw-away database and the local Bot API server."""
        return load_config(self.config_path, admins=admin_entries(),
                           bot={"default_locale": self.base_config.bot.default_locale,
                                "db_path": str(workdir / "sandbox.db")},
                           telegram={"api_server": self.server.base_url},
                           web={"host": self.host, "port": 0})  # the Mini App on a free port: see webapp_url

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
    try:
        await sandbox.start()
    except OSError as exc:
        print(f"cannot start the sandbox: {exc}", file=sys.stderr)
        return 1
    try:
        print(f"Bastau sandbox: open {sandbox.url} in a browser (Ctrl-C stops it).", flush=True)
        print(f"Demo invite code for the new user: {sandbox.invite_code}", flush=True)
        await stop.wait()
    finally:
        await sandbox.stop()
        print("Sandbox stopped.", flush=True)
    return 0
