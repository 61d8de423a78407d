"""The checks `bastau run` makes before it polls. Each known misconfiguration becomes a StartupError
with one clear line (never the token), and the command exits non-zero within seconds: the checks
of the environment come before aiogram is even imported (seconds on a busy machine)."""
from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from aiogram import Bot

    from bot.config import Settings
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


def database_path(config: Settings) -> Path | None:
    """The SQLite file of the configured database; None for PostgreSQL."""
    from db import sqlite_path

    try:
        return sqlite_path(config.database_url)
    except ValueError as exc:
        raise StartupError(f"{_url_source()} is not a database URL: {exc}") from None


def describe_database(url: str) -> str:
    """The SQLite file's path, or the PostgreSQL URL without its password."""
    from db import sqlite_path

    path = sqlite_path(url)
    return str(path) if path is not None else safe_url(url)


async def open_database(url: str) -> Database:
    """Open and migrate; a database that cannot be written or reached is a StartupError."""
    from db import sqlite_path

    try:
        path = sqlite_path(url)
    except ValueError as exc:
        raise StartupError(f"{_url_source()} is not a database URL: {exc}") from None
    if path is None:
        return await _open_postgres(url)
    return await _open_sqlite(path)


async def _open_sqlite(path: Path) -> Database:
    from db.lock import probe_write
    from db.sqlite import SQLiteDatabase

    try:
        db = await SQLiteDatabase.open(path)
    except (sqlite3.Error, OSError) as exc:
        raise StartupError(f"cannot open the database {path}: {_reason(exc)}") from None
    try:  # a database with nothing to migrate opens read-only without a word: try a write that changes nothing
        await probe_write(db)
    except (sqlite3.Error, OSError) as exc:
        await db.close()
        raise StartupError(f"cannot write the database {path}: {_reason(exc)}") from None
    return db


async def _open_postgres(url: str) -> Database:
    import asyncpg

    from db.postgres import PgDatabase

    where = safe_url(url)
    try:
        return await PgDatabase.open(url)
    except asyncpg.InvalidPasswordError:
        reason = "the password was refused"
    except asyncpg.InvalidAuthorizationSpecificationError as exc:
        reason = f"the user was refused ({exc.__class__.__name__})"
    except asyncpg.InvalidCatalogNameError:
        reason = "there is no such database"
    except (OSError, TimeoutError) as exc:
        reason = f"it is unreachable ({exc.strerror or type(exc).__name__})" if isinstance(exc, OSError) \
            else "it did not answer in time"
    except asyncpg.PostgresError as exc:
        reason = f"{type(exc).__name__}: {exc}"
    raise StartupError(f"cannot open the PostgreSQL database {where} ({_url_source()}): {reason}")


def _url_source() -> str:
    return "BASTAU_DATABASE_URL" if os.environ.get("BASTAU_DATABASE_URL") else "bot.database_url"


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    user = f"{parts.username}@" if parts.username else ""
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{user}{parts.hostname or ''}{port}{parts.path}"


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
