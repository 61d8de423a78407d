"""The checks `bastau run` makes before it polls. Each known misconfiguration becomes a StartupError
with one clear line (never the token), and the command exits non-zero within seconds: the checks
of the environment come before aiogram is even imported (seconds on a busy machine)."""
from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from aiogram import Bot

    from db.database import Database

PROBE_TIMEOUT_S = 5.0


class StartupError(Exception):
    """str() is the one line to print."""


def check_token(token: str) -> None:
    """The rule of aiogram's validate_token (digits, a colon, the secret; no spaces)."""
    bot_id, colon, secret = token.partition(":")
    if not colon or not bot_id.isdigit() or not secret or any(c.isspace() for c in token):
        raise StartupError("BOT_TOKEN is not a bot token: it looks like 123456789:AA... (from @BotFather)")


def check_api_server(url: str) -> None:
    if not url:
        return
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        parts, port_ok = urlsplit(""), False
    if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok or parts.query or parts.fragment:
        raise StartupError(f"TELEGRAM_API_SERVER (or telegram.api_server) is not a base URL such as "
                           f"http://127.0.0.1:8081: {url!r}")


def check_db_path(path: Path) -> None:
    """Create the database's folder if needed. (The config already refused a folder, a file in the
    way and an unwritable parent: bot/config.py; what is left is the creation itself failing.)"""
    if str(path) == ":memory:":
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StartupError(f"cannot create the folder of the database {path}: {exc.strerror or exc}") from None


async def open_database(path: Path) -> Database:
    """Open and migrate; a database that cannot be written or is not SQLite is a StartupError."""
    from db.database import Database
    from db.lock import probe_write

    try:
        db = await Database.open(path)
    except (sqlite3.Error, OSError) as exc:
        raise StartupError(f"cannot open the database {path}: {_reason(exc)}") from None
    try:  # a database with nothing to migrate opens read-only without a word: try a write that changes nothing
        await probe_write(db)
    except (sqlite3.Error, OSError) as exc:
        await db.close()
        raise StartupError(f"cannot write the database {path}: {_reason(exc)}") from None
    return db


def _reason(exc: BaseException) -> str:
    reason = str(exc) or type(exc).__name__
    if "readonly" in reason or "read-only" in reason:
        return "it is read-only (check the file's and its folder's permissions)"
    return reason


async def probe_bot(bot: Bot, api_server: str) -> None:
    """getMe once, quickly: the token is accepted and the Bot API answers."""
    from aiogram.exceptions import AiogramError, TelegramAPIError, TelegramNetworkError, TelegramUnauthorizedError

    from bot.telegram.delivery import RetryRequests

    where = api_server or "https://api.telegram.org"
    retry = RetryRequests.of(bot)
    tries, retry.max_tries = retry.max_tries, 1
    try:
        await asyncio.wait_for(bot.me(), PROBE_TIMEOUT_S)
    except TelegramUnauthorizedError:
        raise StartupError(f"the Bot API at {where} refused BOT_TOKEN (401 Unauthorized): "
                           f"check the token") from None
    except TimeoutError:
        raise StartupError(f"the Bot API at {where} did not answer within {PROBE_TIMEOUT_S:g} s") from None
    except TelegramNetworkError:
        raise StartupError(f"cannot reach the Bot API at {where}") from None
    except TelegramAPIError as exc:
        raise StartupError(f"the Bot API at {where} answered getMe with an error: {type(exc).__name__}") from None
    except AiogramError:
        raise StartupError(f"what answers at {where} is not a Bot API server") from None
    except (OSError, ValueError) as exc:
        raise StartupError(f"cannot reach the Bot API at {where}: {type(exc).__name__}") from None
    finally:
        retry.max_tries = tries
