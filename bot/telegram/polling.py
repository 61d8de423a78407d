"""Long polling that never confirms an update before it is stored (aiogram's own polling confirms
the offset while the handler may still be running, so a crash loses the update).

getUpdates → `Inbox.store` (one transaction) → only then the next getUpdates, whose offset confirms
the batch → each update handled through the dispatcher (bot/telegram/inbox.py).

At start, after the startup hooks: the updates stored but not handled before the last stop are
handled; what Telegram still holds is fetched and handled; then every dialog left waiting is asked
its question again (bot/telegram/resume.py); then polling goes on. SIGTERM or SIGINT stops it: no
new batch is fetched, handlers under way get a few seconds to finish, the shutdown hooks run.
"""
from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import GetUpdates
from aiogram.types import Update
from aiogram.utils.backoff import Backoff, BackoffConfig

from bot.telegram.inbox import Inbox, chat_key

log = logging.getLogger(__name__)
BACKOFF = BackoffConfig(min_delay=1.0, max_delay=5.0, factor=1.3, jitter=0.1)
STOP_GRACE_S = 5.0

# After the replay: ask the waiting dialogs again, skipping the chats that were just answered.
Resume = Callable[[set[str]], Awaitable[Any]]


class Poller:
    def __init__(self, dp: Dispatcher, bot: Bot, inbox: Inbox, polling_timeout: int = 10) -> None:
        self.dp = dp
        self.bot = bot
        self.inbox = inbox
        self.offset: int | None = None
        self.allowed_updates = dp.resolve_used_update_types()
        self.polling_timeout = polling_timeout

    async def fetch(self, wait_s: int) -> list[Update]:
        """One getUpdates (confirming everything before `offset`), stored, then dispatched; the new ones."""
        request = GetUpdates(offset=self.offset, timeout=wait_s, allowed_updates=self.allowed_updates)
        updates = await self.bot(request, request_timeout=int((self.bot.session.timeout or 60) + wait_s))
        if not updates:
            return []
        new = await self.inbox.store(updates)
        self.offset = updates[-1].update_id + 1  # confirmed by the next getUpdates, once stored
        for update in new:
            self.inbox.dispatch(update)
        return new

    async def catch_up(self) -> set[str]:
        """The updates of before the restart: those stored and not handled, then those Telegram still
        holds. Returns the chats they came from."""
        answered = await self.inbox.replay()
        held = await self.fetch(wait_s=0)
        await self.inbox.idle()
        return answered | {key for key in map(chat_key, held) if key}

    async def poll(self) -> None:
        backoff = Backoff(config=BACKOFF)
        while True:
            try:
                await self.fetch(self.polling_timeout)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the Bot API is unreachable for a while: keep trying
                log.error("getUpdates failed (%s); retrying in %.1f s", type(exc).__name__, backoff.next_delay)
                await backoff.asleep()
            else:
                backoff.reset()


def stop_on_signals(handle_signals: bool) -> asyncio.Event:
    """An event SIGTERM and SIGINT set (when `handle_signals`); `shut_down` removes the handlers."""
    stop = asyncio.Event()
    if handle_signals:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    return stop


async def shut_down(dp: Dispatcher, bot: Bot, inbox: Inbox, workflow: dict[str, Any], handle_signals: bool) -> None:
    """The end of polling and of webhook mode alike: handlers under way get STOP_GRACE_S, the shutdown
    hooks run, the session is closed, the signal handlers removed."""
    await inbox.close(STOP_GRACE_S)
    try:
        await dp.emit_shutdown(bot=bot, **workflow)
    finally:
        await bot.session.close()
        if handle_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                asyncio.get_running_loop().remove_signal_handler(sig)


async def run_polling(dp: Dispatcher, bot: Bot, inbox: Inbox, resume: Resume, handle_signals: bool = True,
                      polling_timeout: int = 10, **kwargs: Any) -> None:
    stop = stop_on_signals(handle_signals)
    poller = Poller(dp, bot, inbox, polling_timeout)
    workflow = {"dispatcher": dp, "bots": (bot,), **dp.workflow_data, **kwargs}
    await dp.emit_startup(bot=bot, **workflow)
    task: asyncio.Task[Any] | None = None
    pruner: asyncio.Task[Any] | None = None
    try:
        async def start_and_poll() -> None:
            answered = await poller.catch_up()
            await resume(answered)
            log.info("polling")
            await poller.poll()

        task = asyncio.create_task(start_and_poll(), name="polling")
        pruner = asyncio.create_task(inbox.prune_every(), name="inbox prune")
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if task.done():
            task.result()  # an error of the catch-up or resume step: raised
        log.info("stopping")
    finally:
        for background in (task, pruner):
            if background is not None:
                background.cancel()
                with suppress(asyncio.CancelledError):
                    await background
        await shut_down(dp, bot, inbox, workflow, handle_signals)
