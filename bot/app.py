"""Assembly: the Bot and the Dispatcher with every feature's router, middlewares and start/stop hooks;
`serve` runs them: the inbox, the polling loop (or the webhook), the resume of waiting dialogs."""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode

from bot.cluster.node import Role, cluster_in
from bot.config import Settings
from bot.context import AppContext
from bot.i18n import UserLocaleMiddleware
from bot.telegram.delivery import install_retry
from bot.telegram.inbox import Inbox
from bot.telegram.middlewares.normalize import NormalizeMiddleware
from bot.telegram.middlewares.user import UserMiddleware
from bot.telegram.response_types import install_response_types

if TYPE_CHECKING:
    from bot.telegram.webhook import WebhookSettings

log = logging.getLogger(__name__)


def build_bot(token: str, config: Settings, session: BaseSession | None = None) -> Bot:
    if session is None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(config.api_server, is_local=config.telegram.local)) \
            if config.api_server else AiohttpSession()
    bot = Bot(token=token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    install_retry(bot)  # 429 / 5xx / network errors: see bot/delivery.py
    install_response_types(bot)  # parse answers without rebuilding pydantic classes: bot/response_types.py
    return bot


def build_dispatcher(app: AppContext, role: Role = Role.ALL) -> Dispatcher:
    """The dispatcher of a process of `role` (bot/cluster/roles.py: where the scheduled work runs)."""
    from bot.cluster.roles import wire_duties
    from bot.cluster.state import fsm_backend
    from bot.features import feature_routers
    from bot.features.commands.menus import set_commands
    from bot.features.webapp import setup_webapp
    from bot.telegram.errors import on_error
    from bot.telegram.resume import create_router as resume_router

    # Updates of one chat one after another (a chair's answer is never handled beside the previous press).
    # Each update is handled once: the inbox (bot/telegram/inbox.py) stores it and never feeds it twice.
    # With [redis] url both the dialog state and that ordering live in Redis (bot/cluster/state.py).
    storage, isolation = fsm_backend(app)
    dp = Dispatcher(storage=storage, events_isolation=isolation, **app.workflow_data())
    dp.update.outer_middleware(UserMiddleware(app.repos, app.roles, app.clock))
    dp.update.outer_middleware(UserLocaleMiddleware(app.i18n))
    dp.update.outer_middleware(NormalizeMiddleware())  # text hygiene at the door, answers in the user's language
    dp.include_routers(resume_router(), *feature_routers())
    dp.errors.register(on_error)
    dp.startup.register(set_commands)
    wire_duties(app, dp, role)  # the scheduler, broadcast delivery and backups: with the process, or while leading
    if role is not Role.WORKER:
        setup_webapp(app, dp)  # the Mini App's web server ([web]), started and stopped with the dispatcher
    dp.shutdown.register(storage.close)
    return dp


def build_inbox(app: AppContext, dp: Dispatcher, bot: Bot) -> Inbox:
    """In a cluster the rows are claimed by this process's node, stale after [cluster] failover_s."""
    cluster = cluster_in(app.extra)
    return Inbox(dp, bot, app.repos.inbox, app.clock, owner=cluster.node if cluster else None,
                 stale_after=timedelta(seconds=app.config.cluster.failover_s))


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
