"""Assembly: the Bot and the Dispatcher with every feature's router, middlewares and start/stop hooks."""
from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.memory import SimpleEventIsolation

from bot.config import Settings
from bot.context import AppContext
from bot.i18n import UserLocaleMiddleware
from bot.telegram.delivery import install_retry
from bot.telegram.middlewares.dedup import DedupMiddleware
from bot.telegram.middlewares.normalize import NormalizeMiddleware
from bot.telegram.middlewares.user import UserMiddleware
from bot.telegram.response_types import install_response_types
from db.storage import SQLiteStorage

log = logging.getLogger(__name__)


def build_bot(token: str, config: Settings, session: BaseSession | None = None) -> Bot:
    if session is None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(config.api_server)) if config.api_server \
            else AiohttpSession()
    bot = Bot(token=token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    install_retry(bot)  # 429 / 5xx / network errors: see bot/delivery.py
    install_response_types(bot)  # parse answers without rebuilding pydantic classes: bot/response_types.py
    return bot


def build_dispatcher(app: AppContext) -> Dispatcher:
    from bot.features import feature_routers
    from bot.features.broadcast import setup_broadcasts
    from bot.features.commands.menus import set_commands
    from bot.features.reminders.scheduler import start_scheduler, stop_scheduler
    from bot.telegram.errors import on_error

    # Updates of one chat one after another (a chair's answer is never handled beside the previous press).
    dp = Dispatcher(storage=SQLiteStorage(app.db), events_isolation=SimpleEventIsolation(), **app.workflow_data())
    dp.update.outer_middleware(DedupMiddleware(app.db, app.clock))
    dp.update.outer_middleware(UserMiddleware(app.repos, app.roles, app.clock))
    dp.update.outer_middleware(UserLocaleMiddleware(app.i18n))
    dp.update.outer_middleware(NormalizeMiddleware())  # text hygiene at the door, answers in the user's language
    dp.include_routers(*feature_routers())
    dp.errors.register(on_error)
    dp.startup.register(set_commands)
    dp.startup.register(start_scheduler)
    dp.shutdown.register(stop_scheduler)
    setup_broadcasts(app, dp)  # resume unfinished broadcasts at startup, interrupt them at shutdown
    return dp
