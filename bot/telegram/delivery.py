"""Getting messages to Telegram: retries at the session level, and one-message delivery.

- `RetryRequests` is a request middleware on the bot session (installed by `bot.app.build_bot`):
  every Bot API call honours 429 (sleeps `retry_after`, then retries) and retries network
  errors and 5xx with exponential backoff, at most `max_tries` attempts. 4xx errors other than
  429 (403 blocked, 400 bad request) are never retried. `sleep` is injectable so tests never wait:
  `RetryRequests.of(bot).sleep = fake_sleep`.
- `deliver(bot, users, user_id, text, ...)` sends one message (or `deliver_parts` several, e.g. a
  split digest) to one user and returns a `Delivery`: sent / blocked / failed(reason). A 403 marks
  the user inactive (`users.set_inactive`): callers skip inactive users from then on.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import TelegramMethod
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup

from db.queries.users import UsersRepo

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[Any]]
TRANSIENT_ERRORS = (TelegramRetryAfter, TelegramNetworkError, TelegramServerError)


class RetryRequests(BaseRequestMiddleware):
    def __init__(self, max_tries: int = 5, base_delay: float = 1.0, max_delay: float = 30.0,
                 sleep: Sleep | None = None) -> None:
        self.max_tries = max_tries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.sleep: Sleep = sleep or asyncio.sleep

    @classmethod
    def of(cls, bot: Bot) -> RetryRequests:
        """The instance installed on the bot's session."""
        for middleware in bot.session.middleware:
            if isinstance(middleware, cls):
                return middleware
        raise LookupError("RetryRequests is not installed on this bot's session")

    def backoff(self, attempt: int) -> float:
        return min(self.max_delay, self.base_delay * 2 ** (attempt - 1))

    async def __call__(self, make_request: NextRequestMiddlewareType, bot: Bot, method: TelegramMethod) -> Any:
        attempt = 1
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if attempt >= self.max_tries:
                    raise
                delay: float = exc.retry_after
            except (TelegramNetworkError, TelegramServerError) as exc:
                if attempt >= self.max_tries or isinstance(exc, TelegramEntityTooLarge):
                    raise
                delay = self.backoff(attempt)
            log.warning("%s failed (attempt %d of %d), retrying in %ss",
                        type(method).__name__, attempt, self.max_tries, delay)
            await self.sleep(delay)
            attempt += 1


def install_retry(bot: Bot, **options: Any) -> RetryRequests:
    middleware = RetryRequests(**options)
    bot.session.middleware(middleware)
    return middleware


@dataclass(frozen=True)
class Delivery:
    status: Literal["sent", "blocked", "failed"]
    reason: str | None = None
    # A failure that may pass (network, 5xx, flood wait after all retries): worth trying later.
    transient: bool = False

    @property
    def sent(self) -> bool:
        return self.status == "sent"


async def deliver(bot: Bot, users: UsersRepo, user_id: int, text: str,
                  reply_markup: InlineKeyboardMarkup | None = None, **options: Any) -> Delivery:
    """Send one message to one user; never raises for Telegram errors."""
    return await deliver_parts(bot, users, user_id, [text], reply_markup, **options)


async def deliver_parts(bot: Bot, users: UsersRepo, user_id: int, parts: Sequence[str],
                        reply_markup: InlineKeyboardMarkup | None = None, photo: bytes | None = None,
                        **options: Any) -> Delivery:
    """Send several messages in order (the keyboard goes with the last), after `photo` (a PNG) if given;
    stop at the first failure."""
    try:
        if photo is not None:
            await bot.send_photo(user_id, BufferedInputFile(photo, "digest.png"))
        for index, text in enumerate(parts):
            markup = reply_markup if index == len(parts) - 1 else None
            await bot.send_message(user_id, text, reply_markup=markup, **options)
    except TelegramForbiddenError as exc:
        log.info("user %s blocked the bot: marked inactive", user_id)
        await users.set_inactive(user_id)
        return Delivery("blocked", exc.message)
    except TRANSIENT_ERRORS as exc:
        log.warning("sending to %s failed for now: %s", user_id, exc)
        return Delivery("failed", f"{type(exc).__name__}: {exc.message}", transient=True)
    except TelegramAPIError as exc:
        log.warning("sending to %s failed: %s", user_id, exc)
        return Delivery("failed", f"{type(exc).__name__}: {exc.message}")
    return Delivery("sent")
