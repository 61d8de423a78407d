"""Background delivery of broadcasts: paced, resumable, with a state per recipient.

Crash safety: a recipient is marked "sending" in the DB (durably) before its Bot API call, and
its result is written right after in the background; concurrent marks and results share one
transaction (group commit). On resume "sending" counts as not yet delivered, so only the messages
in flight at a crash (at most `max_in_flight`, usually one or two) can arrive twice; nobody is skipped.
Several workers may run the same broadcast (a standby taking over): each delivers only the recipients it
has claimed (bot/features/broadcast/recipients.py), so none sends to a recipient another one holds.
"""
from __future__ import annotations

import asyncio
import logging
import math
import os
import secrets
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import CopyMessage
from aiogram.utils.i18n import I18n

from bot.config import BroadcastSection
from bot.domain.clock import Clock
from bot.features.broadcast.receipt import STOP_LABEL, receipt_text, stop_keyboard
from bot.features.broadcast.recipients import CLAIM_POLL_S, Claims, StateWriter
from bot.telegram.delivery import Sleep
from db.queries.broadcasts import (
    BLOCKED,
    CANCELLED,
    CLAIM_LEASE,
    DONE,
    FAILED,
    SENDING,
    SENT,
    Broadcast,
    Holder,
    Receipt,
    Recipient,
)
from db.repos import Repos

log = logging.getLogger(__name__)

SERVER_ERROR_ATTEMPTS = 3     # 5xx / network errors: tries per recipient before it is marked failed
SERVER_ERROR_BACKOFF_S = 1.0  # doubled after each try
FLOOD_RETRIES = 20            # 429s for one recipient before giving up on it
PACER_CATCH_UP_S = 0.5        # how far behind its schedule the pacer still catches up


class Pacer:
    """The global rate: one slot every 1/rate seconds, shared by all broadcasts.

    Slots follow a schedule, so a busy event loop's late wake-ups are made up for (up to
    PACER_CATCH_UP_S behind); after a longer gap, or when idle, the schedule restarts now: no burst."""

    def __init__(self, rate_per_second: float, now: Callable[[], float], sleep: Sleep) -> None:
        self.interval = 1.0 / rate_per_second
        self.now = now
        self.sleep = sleep
        self.next_slot = 0.0

    async def wait(self) -> None:
        now = self.now()
        slot = self.next_slot if self.next_slot >= now - PACER_CATCH_UP_S else now
        self.next_slot = slot + self.interval
        if slot > now:
            await self.sleep(slot - now)


@dataclass
class Job:
    broadcast_id: int
    bot: Bot
    writer: StateWriter
    claims: Claims
    loaded: Broadcast | None = None  # read from the database when the job starts running
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    left: int = 0
    paused_until: float = 0.0
    cancel_requested: bool = False
    cancelled_by: int | None = None
    last_progress: float = 0.0
    progress_busy: bool = False
    locale: str = "kk"
    task: asyncio.Task[Receipt] | None = None

    @property
    def broadcast(self) -> Broadcast:
        if self.loaded is None:
            raise RuntimeError(f"broadcast {self.broadcast_id} is used before it is loaded")
        return self.loaded

    @property
    def receipt(self) -> Receipt:
        return Receipt(sent=self.sent, blocked=self.blocked, failed=self.failed, left=self.left)


class BroadcastEngine:
    """Owns the delivery tasks. One per process, in the app's workflow data as `broadcast_engine`.

    Programmatic use (e.g. a benchmark):
        broadcast_id = await engine.create(chat_ids, from_chat_id=..., message_id=...)
        receipt = await engine.run(broadcast_id, bot)
    """

    def __init__(self, repos: Repos, i18n: I18n, settings: BroadcastSection, clock: Clock,
                 sleep: Sleep = asyncio.sleep, default_locale: str = "kk", max_in_flight: int | None = None,
                 worker_id: str | None = None) -> None:
        self.repos = repos
        self.i18n = i18n
        self.settings = settings
        self.clock = clock
        self.sleep = sleep
        self.default_locale = default_locale
        # Enough concurrent calls to keep the rate while a call and its DB mark take up to ~125 ms
        # (a loaded machine); the bound is also how many messages a crash can duplicate.
        self.max_in_flight = max_in_flight or max(1, min(64, math.ceil(settings.rate_per_second / 8)))
        self.pacer = Pacer(settings.rate_per_second, self._now, self._sleep)
        self.last_sent: dict[int, float] = {}
        self.jobs: dict[int, Job] = {}
        # Names this engine's claims on recipients among every process delivering broadcasts.
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"

    def _now(self) -> float:
        return self.clock.now().timestamp()

    async def _sleep(self, seconds: float) -> None:
        await self.sleep(seconds)

    # Public API ---------------------------------------------------------------------------
    async def create(self, chat_ids: Sequence[int], *, from_chat_id: int, message_id: int, created_by: int = 0,
                     admin_chat_id: int | None = None, district_id: int | None = None,
                     audience: str = "custom") -> int:
        """Record a broadcast with every recipient pending; `start` or `run` delivers it."""
        return await self.repos.broadcasts.create(
            created_by=created_by, admin_chat_id=admin_chat_id if admin_chat_id is not None else from_chat_id,
            district_id=district_id, audience=audience, from_chat_id=from_chat_id, message_id=message_id,
            chat_ids=chat_ids, now=self.clock.now())

    def start(self, broadcast_id: int, bot: Bot) -> asyncio.Task[Receipt]:
        """Deliver in the background; a broadcast already running here is not started twice."""
        job = self.jobs.get(broadcast_id)
        if job is not None and job.task is not None:
            return job.task
        claims = Claims(self.repos.broadcasts, Holder(broadcast_id, self.worker_id), self.clock, self.max_in_flight)
        job = Job(broadcast_id, bot, StateWriter(claims.save), claims)
        self.jobs[broadcast_id] = job
        job.task = task = asyncio.create_task(self._run(job), name=f"broadcast-{broadcast_id}")
        return task

    async def run(self, broadcast_id: int, bot: Bot) -> Receipt:
        """Deliver and wait for the final receipt."""
        return await self.start(broadcast_id, bot)

    async def wait(self, broadcast_id: int) -> Receipt:
        """The final receipt, once the broadcast is no longer running here."""
        job = self.jobs.get(broadcast_id)
        if job is not None and job.task is not None:
            return await asyncio.shield(job.task)
        return await self.repos.broadcasts.receipt(broadcast_id)

    async def resume_all(self, bot: Bot) -> list[int]:
        """Start every broadcast a previous process left running."""
        await self.repos.broadcasts.release_dead()
        ids = [b.id for b in await self.repos.broadcasts.running() if b.id not in self.jobs]
        for broadcast_id in ids:
            self.start(broadcast_id, bot)
        if ids:
            log.info("resuming broadcasts %s", ids)
        return ids

    def is_running(self, broadcast_id: int) -> bool:
        return broadcast_id in self.jobs

    async def cancel(self, broadcast_id: int, by: int | None = None) -> bool:
        """Stop taking recipients; the rest are marked cancelled. False when it is not running."""
        job = self.jobs.get(broadcast_id)
        if job is not None:
            if job.cancel_requested:
                return False
            job.cancel_requested, job.cancelled_by = True, by
            return True
        broadcast = await self.repos.broadcasts.get(broadcast_id)
        if broadcast is None or broadcast.status != "running":
            return False
        await self.repos.broadcasts.finish(broadcast_id, CANCELLED, self.clock.now(), cancelled_by=by)
        return True

    async def stop(self) -> None:
        """Shutdown: interrupt delivery; what was not delivered resumes at the next start."""
        tasks = [job.task for job in list(self.jobs.values()) if job.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def on_startup(self, bot: Bot) -> None:
        await self.resume_all(bot)

    async def on_shutdown(self) -> None:
        await self.stop()

    # Delivery -----------------------------------------------------------------------------
    async def _run(self, job: Job) -> Receipt:
        broadcast_id = job.broadcast_id
        try:
            broadcast = job.loaded = await self.repos.broadcasts.get(broadcast_id)
            if broadcast is None or broadcast.status != "running":
                return await self.repos.broadcasts.receipt(broadcast_id)
            admin = await self.repos.users.get(broadcast.admin_chat_id)
            job.locale = (admin.locale if admin else None) or self.default_locale
            start = await self.repos.broadcasts.receipt(broadcast_id)
            job.sent, job.blocked, job.failed, job.left = start.sent, start.blocked, start.failed, start.left
            await job.claims.release()  # what an earlier run of it in this engine left claimed
            while True:
                await self._deliver_claimed(job)
                if job.cancel_requested or not await self.repos.broadcasts.unfinished_count(broadcast_id):
                    break
                await self._sleep(CLAIM_POLL_S)  # the rest is another worker's: delivered, or taken over
            status = CANCELLED if job.cancel_requested else DONE
            closed = await self.repos.broadcasts.finish(broadcast_id, status, self.clock.now(), job.cancelled_by)
            receipt = await self.repos.broadcasts.receipt(broadcast_id)
            if closed:  # else another worker closed it (and reports it) or an admin cancelled it
                await self._report_final(job, receipt, status)
            return receipt
        except asyncio.CancelledError:
            log.info("broadcast %s interrupted; it resumes at the next start", broadcast_id)
            raise
        except Exception:
            log.exception("broadcast %s stopped by an error; it resumes at the next start", broadcast_id)
            raise
        finally:
            self.jobs.pop(broadcast_id, None)

    async def _deliver_claimed(self, job: Job) -> None:
        """Deliver whatever this worker can claim, `max_in_flight` at a time; its claims end with it."""
        workers = [asyncio.create_task(self._worker(job)) for _ in range(self.max_in_flight)]
        try:
            await asyncio.gather(*workers)
        finally:
            for worker in workers:
                worker.cancel()
            await job.writer.close()
            await job.claims.release()

    async def _worker(self, job: Job) -> None:
        while not job.cancel_requested and (recipient := await job.claims.next()) is not None:
            await self._deliver(job, recipient)

    async def _deliver(self, job: Job, recipient: Recipient) -> None:
        chat_id, broadcast = recipient.chat_id, job.broadcast
        attempts, server_errors, floods = recipient.attempts, 0, 0
        while True:
            await self._wait_turn(job, chat_id)
            if job.cancel_requested:
                return  # still pending or sending: marked cancelled when the broadcast closes
            attempts += 1
            job.writer.add((SENDING, attempts, None, broadcast.id, chat_id))
            await job.writer.commit()
            await self._wait_pause(job)
            self.last_sent[chat_id] = self._now()
            try:
                await self._copy(job.bot, chat_id, broadcast)
            except TelegramRetryAfter as exc:
                floods += 1
                if floods > FLOOD_RETRIES:
                    return await self._finish(job, chat_id, FAILED, attempts, f"flood control: {exc.message}")
                job.paused_until = max(job.paused_until, self._now() + exc.retry_after)
            except TelegramForbiddenError as exc:
                await self.repos.users.set_inactive(chat_id)
                return await self._finish(job, chat_id, BLOCKED, attempts, exc.message)
            except (TelegramServerError, TelegramNetworkError) as exc:
                server_errors += 1
                if server_errors >= SERVER_ERROR_ATTEMPTS:
                    return await self._finish(job, chat_id, FAILED, attempts, exc.message)
                await self._sleep(SERVER_ERROR_BACKOFF_S * 2 ** (server_errors - 1))
            except TelegramAPIError as exc:
                return await self._finish(job, chat_id, FAILED, attempts, exc.message)
            else:
                return await self._finish(job, chat_id, SENT, attempts, None)

    @staticmethod
    async def _copy(bot: Bot, chat_id: int, broadcast: Broadcast) -> None:
        """copyMessage straight through the session, past its request middlewares: a session-level
        retry (bot/delivery.py) would sleep on a 429 per call, while a broadcast pauses as a whole."""
        method = CopyMessage(chat_id=chat_id, from_chat_id=broadcast.from_chat_id, message_id=broadcast.message_id)
        await bot.session.make_request(bot, method)

    async def _wait_turn(self, job: Job, chat_id: int) -> None:
        """The broadcast's 429 pause, the per-chat interval, then a global slot."""
        await self._wait_pause(job)
        last = self.last_sent.get(chat_id)
        if last is not None:
            wait = last + self.settings.per_chat_interval_s - self._now()
            if wait > 0:
                await self._sleep(wait)
        await self.pacer.wait()

    async def _wait_pause(self, job: Job) -> None:
        while (wait := job.paused_until - self._now()) > 0 and not job.cancel_requested:
            await job.claims.keep_alive()  # nothing is written while paused: the claims stay this worker's
            await self._sleep(min(wait, CLAIM_LEASE.total_seconds() / 2))

    async def _finish(self, job: Job, chat_id: int, state: str, attempts: int, error: str | None) -> None:
        """Record the recipient's result (written soon, in the background) and count it."""
        job.writer.add((state, attempts, (error or "")[:300] or None, job.broadcast.id, chat_id))
        job.writer.flush_soon()
        job.left -= 1
        if state == SENT:
            job.sent += 1
        elif state == BLOCKED:
            job.blocked += 1
        else:
            job.failed += 1
        self._forget_old_chats()
        await self._report_progress(job)

    def _forget_old_chats(self) -> None:
        if len(self.last_sent) > 20000:
            horizon = self._now() - self.settings.per_chat_interval_s
            self.last_sent = {c: t for c, t in self.last_sent.items() if t > horizon}

    # Progress and receipt -----------------------------------------------------------------
    async def _report_progress(self, job: Job) -> None:
        message_id = job.broadcast.progress_message_id
        now = self._now()
        if message_id is None or job.progress_busy or now - job.last_progress < self.settings.progress_every_s:
            return
        job.progress_busy, job.last_progress = True, now
        try:
            await job.bot.edit_message_text(
                chat_id=job.broadcast.admin_chat_id, message_id=message_id,
                reply_markup=stop_keyboard(self._t(job, STOP_LABEL), job.broadcast.id),
                text=receipt_text(lambda m: self._t(job, m), job.broadcast.id, job.receipt, "running"))
        except TelegramAPIError as exc:  # progress is best effort; delivery goes on
            log.warning("progress of broadcast %s not shown: %s", job.broadcast.id, exc)
        finally:
            job.progress_busy = False

    async def _report_final(self, job: Job, receipt: Receipt, status: str) -> None:
        text = receipt_text(lambda m: self._t(job, m), job.broadcast.id, receipt, status)
        admin_chat = job.broadcast.admin_chat_id
        # The progress message becomes the receipt; only without one (or when it can no longer be edited)
        # is the receipt sent as a new message: once, never both.
        if job.broadcast.progress_message_id is not None:
            try:
                await job.bot.edit_message_text(chat_id=admin_chat, message_id=job.broadcast.progress_message_id,
                                                text=text, reply_markup=None)
                return
            except TelegramAPIError as exc:
                log.info("progress message of broadcast %s not edited (%s): the receipt is sent", job.broadcast.id, exc)
        try:
            await job.bot.send_message(admin_chat, text)
        except TelegramAPIError as exc:
            log.warning("receipt of broadcast %s not shown: %s", job.broadcast.id, exc)

    def _t(self, job: Job, msgid: str) -> str:
        return self.i18n.gettext(msgid, locale=job.locale)
