"""Assembly: long-lived resources go into the dispatcher's workflow data once."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.utils.i18n import I18n

from bot.calendar import ReportingCalendar
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.delivery import install_retry
from bot.i18n import UserLocaleMiddleware, make_i18n
from bot.middlewares.dedup import DedupMiddleware
from bot.middlewares.user import UserMiddleware
from bot.response_types import install_response_types
from bot.roles import RoleResolver
from db.database import Database
from db.repos import Repos
from db.storage import SQLiteStorage

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    config: Settings
    db: Database
    clock: Clock
    calendar: ReportingCalendar
    repos: Repos
    roles: RoleResolver
    i18n: I18n
    # Extra workflow data and start/stop hooks added by features (the scheduler, broadcasts).
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    async def create(cls, config: Settings, clock: Clock | None = None, db: Database | None = None) -> "AppContext":
        db = db or await Database.open(config.db_path)
        i18n = make_i18n(default_locale=config.bot.default_locale)
        return cls(config=config, db=db, clock=clock or SystemClock(),
                   calendar=ReportingCalendar(config.calendar), repos=Repos(db),
                   roles=RoleResolver(config, db), i18n=i18n)

    def workflow_data(self) -> dict[str, Any]:
        return {
            "config": self.config, "db": self.db, "clock": self.clock, "calendar": self.calendar,
            "repos": self.repos, "roles": self.roles, "i18n": self.i18n, "form": self.config.form,
            "app": self, **self.extra,
        }


def build_bot(token: str, config: Settings, session: BaseSession | None = None) -> Bot:
    if session is None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(config.api_server)) if config.api_server \
            else AiohttpSession()
    bot = Bot(token=token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    install_retry(bot)  # 429 / 5xx / network errors: see bot/delivery.py
    install_response_types(bot)  # parse answers without rebuilding pydantic classes: bot/response_types.py
    return bot


def build_dispatcher(app: AppContext) -> Dispatcher:
    from bot.broadcast import setup_broadcasts
    from bot.routers import feature_routers
    from bot.routers.errors import on_error
    from bot.commands import set_commands
    from bot.jobs import start_scheduler, stop_scheduler

    # Updates of one chat one after another (a chair's answer is never handled beside the previous press).
    dp = Dispatcher(storage=SQLiteStorage(app.db), events_isolation=SimpleEventIsolation(), **app.workflow_data())
    dp.update.outer_middleware(DedupMiddleware(app.db, app.clock))
    dp.update.outer_middleware(UserMiddleware(app.repos, app.roles, app.clock))
    dp.update.outer_middleware(UserLocaleMiddleware(app.i18n))
    dp.include_routers(*feature_routers())
    dp.errors.register(on_error)
    dp.startup.register(set_commands)
    dp.startup.register(start_scheduler)
    dp.shutdown.register(stop_scheduler)
    setup_broadcasts(app, dp)  # resume unfinished broadcasts at startup, interrupt them at shutdown
    return dp
