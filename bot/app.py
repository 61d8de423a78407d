"""Assembly: the Bot and the Dispatcher with every feature's router, middlewares and start/stop hooks;
`serve` runs them: the inbox, the polling loop (or the webhook), the resume of waiting dialogs."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

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
from bot.telegram.inbox import Inbox
from bot.telegram.middlewares.normalize import NormalizeMiddleware
from bot.telegram.middlewares.user import UserMiddleware
from bot.telegram.response_types import install_response_types
from db.storage import DatabaseStorage

if TYPE_CHECKING:
    from bot.telegram.webhook import WebhookSettings

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
    from bot.features.backups import setup_backups
    from bot.features.broadcast import setup_broadcasts
    from bot.features.commands.menus import set_commands
    from bot.features.reminders.scheduler import start_scheduler, stop_scheduler
    from bot.features.webapp import setup_webapp
    from bot.telegram.errors import on_error
    from bot.telegram.resume import create_router as resume_router

    # Updates of one chat one after another (a chair's answer is never handled beside the previous press).
    # Each update is handled once: the inbox (bot/telegram/inbox.py) stores it and never feeds it twice.
    dp = Dispatcher(storage=DatabaseStorage(app.db), events_isolation=SimpleEventIsolation(), **app.workflow_data())
    dp.update.outer_middleware(UserMiddleware(app.repos, app.roles, app.clock))
    dp.update.outer_middleware(UserLocaleMiddleware(app.i18n))
    dp.update.outer_middleware(NormalizeMiddleware())  # text hygiene at the door, answers in the user's language
    dp.include_routers(resume_router(), *feature_routers())
    dp.errors.register(on_error)
    dp.startup.register(set_commands)
    dp.startup.register(start_scheduler)
    dp.shutdown.register(stop_scheduler)
    setup_broadcasts(app, dp)  # resume unfinished broadcasts at startup, interrupt them at shutdown
    setup_backups(app, dp)  # the scheduled online backups, once the scheduler runs
    setup_webapp(app, dp)  # the Mini App's web server ([web]), started and stopped with the dispatcher
    return dp


def build_inbox(app: AppContext, dp: Dispatcher, bot: Bot) -> Inbox:
    return Inbox(dp, bot, app.repos.inbox, app.clock)


async def serve(app: AppContext, bot: Bot, dp: Dispatcher, boot: str, handle_signals: bool = True,
                webhook: WebhookSettings | None = None) -> None:
    """Poll (or with `webhook`, serve the webhook) until SIGTERM/SIGINT (or cancellation): every update
    stored before it is confirmed; at start the unhandled ones are handled and waiting dialogs asked
    again (`boot` names this start)."""
    from bot.telegram.polling import run_polling
    from bot.telegram.resume import resume_dialogs

    async def resume(answered: set[str]) -> None:
        await resume_dialogs(dp, bot, app.repos.dialogs, app.clock, boot, skip_chats=answered)

    if webhook is not None:
        from bot.telegram.webhook import run_webhook

        await run_webhook(app, dp, bot, build_inbox(app, dp, bot), resume, webhook, handle_signals=handle_signals)
        return
    await bot.delete_webhook(drop_pending_updates=False)
    await run_polling(dp, bot, build_inbox(app, dp, bot), resume, handle_signals=handle_signals)
