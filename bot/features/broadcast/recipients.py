"""What one worker holds and writes of one broadcast's recipients: its claims (db/queries/broadcasts.py;
several workers may deliver the same broadcast and none sends to a recipient another one holds) and the
group commit of their states."""
from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from bot.domain.clock import Clock
from db.queries.broadcasts import CLAIM_LEASE, BroadcastsRepo, Holder, Recipient, StateUpdate

# Claimed at a time (at least two per call in flight): under a few seconds of delivery at the usual rates.
CLAIM_BATCH = 50
# While other workers hold the last recipients: how often to look whether they finished or died.
CLAIM_POLL_S = 5.0
RENEW_EVERY = CLAIM_LEASE / 4
# How often a worker looks whether the broadcast still runs (an admin may stop it through another process).
STATUS_EVERY = timedelta(seconds=1)


class Claims:
    def __init__(self, repo: BroadcastsRepo, holder: Holder, clock: Clock, in_flight: int) -> None:
        self.repo = repo
        self.holder = holder
        self.clock = clock
        self.batch = max(CLAIM_BATCH, 2 * in_flight)
        self.queue: deque[Recipient] = deque()
        self.drained = False  # the last claim found nothing: the other worker tasks stop too
        self.lock = asyncio.Lock()
        self.renewed = self.checked = clock.now()

    async def next(self) -> Recipient | None:
        """The next recipient to deliver: one already claimed, else from a new claim; None when there is
        nothing left to claim (all delivered, held by live workers, or the broadcast no longer runs)."""
        if self.queue and self.clock.now() - self.checked >= STATUS_EVERY:
            async with self.lock:
                if self.clock.now() - self.checked >= STATUS_EVERY:
                    self.checked = self.clock.now()
                    if not await self.repo.is_running(self.holder.broadcast_id):  # stopped elsewhere
                        self.queue.clear()
                        self.drained = True
        if not self.queue and not self.drained:
            async with self.lock:  # the worker tasks claim one batch at a time
                if not self.queue and not self.drained:
                    self.renewed = self.clock.now()
                    self.queue.extend(await self.repo.claim(self.holder, self.batch, self.renewed))
                    self.drained = not self.queue
        return self.queue.popleft() if self.queue else None

    async def save(self, updates: Sequence[StateUpdate]) -> None:
        """Write recipients' states (the StateWriter's save), renewing the claims now and then."""
        now = self.clock.now()
        renew = now - self.renewed >= RENEW_EVERY
        await self.repo.save_states(updates, self.holder if renew else None, now)
        if renew:
            self.renewed = now

    async def keep_alive(self) -> None:
        """Renew the claims before a pause in which nothing is written."""
        self.renewed = self.clock.now()
        await self.repo.renew(self.holder, self.renewed)

    async def release(self) -> None:
        """Give back what this worker holds and has not delivered (it stops); a later round claims again."""
        self.queue.clear()
        self.drained = False
        await self.repo.release(self.holder)


class StateWriter:
    """Group commit of recipient states: one transaction writes everything queued so far.
    'sending' marks are awaited (commit) before the call; results are written soon (flush_soon)
    without holding up delivery, so after a crash few delivered messages still read 'sending'."""

    def __init__(self, save: Callable[[Sequence[StateUpdate]], Awaitable[None]]) -> None:
        self.save = save
        self.queued: list[StateUpdate] = []
        self.queued_count = 0
        self.written_count = 0
        self.lock = asyncio.Lock()
        self.flusher: asyncio.Task | None = None

    def add(self, update: StateUpdate) -> None:
        self.queued.append(update)
        self.queued_count += 1

    async def commit(self) -> None:
        """Return once everything queued before this call is in the DB."""
        target = self.queued_count
        async with self.lock:
            if self.written_count >= target:
                return
            batch, self.queued = self.queued, []
            upto = self.queued_count
            await self.save(batch)
            self.written_count = upto

    def flush_soon(self) -> None:
        if self.flusher is None or self.flusher.done():
            self.flusher = asyncio.create_task(self.commit())

    async def close(self) -> None:
        """Write everything still queued (after the workers stopped)."""
        if self.flusher is not None:
            await asyncio.gather(self.flusher, return_exceptions=True)
        await self.commit()
