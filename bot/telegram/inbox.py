"""Updates are stored before they are acknowledged, then handled from the store.

`Inbox.store(updates)` writes a batch to the `inbox` table in one transaction and returns the
updates that were new: the polling loop (bot/telegram/polling.py) confirms the offset to Telegram
only after it returns, and a webhook answers 200 only after it returns, so an update Telegram
believes delivered is always on disk. An update_id already in the inbox is never handled again.

`Inbox.dispatch(update)` hands an update to the dispatcher: one chat's updates one after another
in arrival order, different chats concurrently. When the handler is finished the row is marked
done; a repository can mark it inside the handler's own write (db/queries/inbox.py, HANDLING). At
start, `replay()` handles again every row not marked done, so a crash loses nothing; a crash after
a handler's effect and before its done mark re-runs that handler, which sends at most one message
twice.

In a cluster (`owner` set: this process's node name, bot/cluster/roles.py) other processes are alive
while this one starts, so `replay()` handles nothing: a row is stored claimed by its process, which
renews its claims every `stale_after / 3` while it is at them, and the leading worker's `retry_stale()`
takes over the rows not done whose claim is older than `stale_after` (a process killed meanwhile).
"""
from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.dispatcher.middlewares.user_context import UserContextMiddleware
from aiogram.methods import TelegramMethod
from aiogram.types import Update

from bot.domain.clock import Clock
from db.queries.inbox import HANDLING, InboxRepo, Stored

log = logging.getLogger(__name__)
KEEP_DONE = timedelta(days=7)
PRUNE_EVERY = timedelta(hours=6)
STALE_AFTER = timedelta(seconds=30)
RETRY_BATCH = 500


def chat_key(update: Update) -> str | None:
    """What orders updates: the chat, else the user; None for updates of neither."""
    context = UserContextMiddleware.resolve_event_context(update)
    if context.chat_id is not None:
        return f"c{context.chat_id}"
    if context.user_id is not None:
        return f"u{context.user_id}"
    return None


def to_row(update: Update) -> Stored:
    return Stored(update.update_id, chat_key(update),
                  update.model_dump_json(by_alias=True, exclude_none=True, exclude_defaults=True))


class Inbox:
    def __init__(self, dp: Dispatcher, bot: Bot, repo: InboxRepo, clock: Clock, owner: str | None = None,
                 stale_after: timedelta = STALE_AFTER, **feed_kwargs: Any) -> None:
        self.dp = dp
        self.bot = bot
        self.repo = repo
        self.clock = clock
        self.owner = owner
        self.stale_after = stale_after
        self.feed_kwargs = feed_kwargs
        self._queues: dict[str, deque[tuple[Update, asyncio.Future[None]]]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._heartbeat: asyncio.Task[None] | None = None

    async def store(self, updates: Sequence[Update]) -> list[Update]:
        """Make a batch durable (one transaction); the updates not seen before, in order."""
        new = await self.repo.store([to_row(u) for u in updates], self.clock.now(), self.owner)
        return [u for u in updates if u.update_id in new]

    async def receive(self, updates: Sequence[Update]) -> list[asyncio.Future[None]]:
        """Store, then dispatch the new ones; each future is done when its update was handled."""
        return [self.dispatch(u) for u in await self.store(updates)]

    def dispatch(self, update: Update) -> asyncio.Future[None]:
        key = chat_key(update) or f"update {update.update_id}"
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queues.setdefault(key, deque()).append((update, done))
        if key not in self._workers:
            self._workers[key] = asyncio.create_task(self._work(key), name=f"inbox {key}")
        if self.owner is not None and self._heartbeat is None:
            self._heartbeat = asyncio.create_task(self._renew_claims(self.owner), name="inbox claims")
        return done

    async def replay(self) -> set[str]:
        """Handle every stored update not marked done (a crash came first); waits for them.
        Returns the chat keys they belonged to. In a cluster: nothing (see above)."""
        if self.owner is not None:
            return set()
        rows = await self.repo.pending()
        if not rows:
            return set()
        log.warning("handling %d update(s) received before a stop and not yet handled", len(rows))
        waits = [self.dispatch(Update.model_validate_json(row.payload, context={"bot": self.bot})) for row in rows]
        await asyncio.gather(*waits, return_exceptions=True)
        return {row.chat_key for row in rows if row.chat_key}

    async def retry_stale(self) -> int:
        """The leader's round: take over the rows whose process stopped renewing its claim, and handle
        them (in the background, in order per chat). Returns how many were taken."""
        if self.owner is None:
            return 0
        before = self.clock.now() - self.stale_after
        taken = 0
        for row in await self.repo.stale(before, RETRY_BATCH):
            if await self.repo.claim(row.update_id, self.owner, self.clock.now(), before):
                self.dispatch(Update.model_validate_json(row.payload, context={"bot": self.bot}))
                taken += 1
        if taken:
            log.warning("inbox: %d update(s) of a stopped process taken over", taken)
        return taken

    async def _renew_claims(self, owner: str) -> None:
        while True:
            await asyncio.sleep(self.stale_after.total_seconds() / 3)
            try:
                await self.repo.refresh_claims(owner, self.clock.now())
            except Exception:  # a busy or failing database: the next round tries again
                log.exception("inbox: renewing the claims failed")

    async def prune(self, keep: timedelta = KEEP_DONE) -> int:
        """Forget updates handled longer ago than `keep` (Telegram re-sends only within a day)."""
        removed = await self.repo.prune(self.clock.now() - keep)
        if removed:
            log.info("inbox: %d handled update(s) older than %s pruned", removed, keep)
        return removed

    async def prune_every(self, period: timedelta = PRUNE_EVERY) -> None:
        """Prune now and then every `period`, until cancelled."""
        while True:
            try:
                await self.prune()
            except Exception:  # a busy or failing database: the next round tries again
                log.exception("inbox prune failed")
            await asyncio.sleep(period.total_seconds())

    async def idle(self) -> None:
        """Wait until every dispatched update is handled."""
        while self._workers:
            await asyncio.gather(*list(self._workers.values()), return_exceptions=True)

    async def close(self, grace: float) -> None:
        """Let handlers under way finish for up to `grace` seconds, then cancel the rest: their
        rows stay not done and are handled at the next start (in a cluster: by the leader, once stale)."""
        try:
            await asyncio.wait_for(self.idle(), grace)
        except TimeoutError:
            for task in list(self._workers.values()):
                task.cancel()
            await asyncio.gather(*list(self._workers.values()), return_exceptions=True)
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            await asyncio.gather(self._heartbeat, return_exceptions=True)
            self._heartbeat = None

    async def _work(self, key: str) -> None:
        queue = self._queues[key]
        try:
            while queue:
                update, done = queue[0]
                await self._handle(update)
                queue.popleft()
                done.set_result(None)
        finally:
            for _update, done in queue:
                done.cancel()
            del self._queues[key]
            del self._workers[key]

    async def _handle(self, update: Update) -> None:
        token = HANDLING.set(update.update_id)
        try:
            response = await self.dp.feed_update(self.bot, update, **self.feed_kwargs)
            if isinstance(response, TelegramMethod):
                await self.dp.silent_call_request(bot=self.bot, result=response)
        except Exception:  # the errors router has seen it; the update is not handled again
            log.exception("update %s failed", update.update_id)
        finally:
            HANDLING.reset(token)
        await self.repo.mark_done(update.update_id, self.clock.now())
