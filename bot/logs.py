"""Logging that never writes a secret or a person's data: the bot token is redacted from every record
(messages, arguments, tracebacks), and SQL statements are logged by name, never with parameters."""
from __future__ import annotations

import functools
import logging
import os

REDACTED = "<token>"


class RedactSecrets(logging.Filter):
    """Replaces every occurrence of a secret in the formatted record (on the handler, so records
    of every logger pass it)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        cleaned = self._clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self._clean(record.stack_info)
        return True


def _statement_name(value: object) -> str:
    """'execute SELECT' for aiosqlite's partial(cursor.execute, sql, params): no parameters."""
    if isinstance(value, functools.partial):
        name = getattr(value.func, "__name__", "call")
        sql = next((a for a in value.args if isinstance(a, str)), "")
        return f"{name} {sql.split(None, 1)[0].upper()}" if sql.strip() else name
    return type(value).__name__


class SqlNamesOnly(logging.Filter):
    """aiosqlite logs every call with its SQL and parameters at DEBUG: keep the statement's name."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(_statement_name(a) if not isinstance(a, (str, int, float)) else a for a in args)
        return True


def setup_logging(secrets: list[str] | None = None) -> None:
    """BASTAU_LOG_LEVEL (DEBUG, INFO, WARNING, ERROR; an unknown name means INFO)."""
    level = logging.getLevelName(os.environ.get("BASTAU_LOG_LEVEL", "INFO").strip().upper())
    logging.basicConfig(level=level if isinstance(level, int) else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("aiosqlite").addFilter(SqlNamesOnly())
    protect(secrets or [])


# In the sandbox: the loggers whose INFO records come with every update, job run or start (aiogram's
# «Update id=… is handled», APScheduler's job runs, the throw-away database's migrations (db.*), the scheduler's
# counts, the audit line of each admin action, registrations, join requests, menus set): written at DEBUG
# there, so the page's address is not lost among them.
SANDBOX_QUIET = ("aiogram", "apscheduler", "db", "bot.features.reminders.scheduler",
                 "bot.features.webapp.server", "bot.domain.audit", "bot.telegram.middlewares.normalize",
                 "bot.features.onboarding", "bot.features.joins", "bot.features.commands.menus")


class DemoteInfo(logging.Filter):
    """INFO records of the `names` loggers (and their children) become DEBUG records: shown only when
    the root logger's level lets DEBUG through (BASTAU_LOG_LEVEL=DEBUG)."""

    def __init__(self, names: tuple[str, ...]) -> None:
        super().__init__()
        self.names = names

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO or not any(
                record.name == name or record.name.startswith(name + ".") for name in self.names):
            return True
        if not logging.getLogger().isEnabledFor(logging.DEBUG):
            return False
        record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
        return True


def demote_info(names: tuple[str, ...] = SANDBOX_QUIET) -> None:
    """Every handler of the root logger writes the INFO records of `names` at DEBUG (see DemoteInfo)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, DemoteInfo) for f in handler.filters):
            handler.addFilter(DemoteInfo(names))


def protect(secrets: list[str]) -> None:
    """Redact these secrets (and the token's part after the colon) from every handler's output."""
    expanded = list(secrets) + [s.split(":", 1)[1] for s in secrets if ":" in s]
    for handler in logging.getLogger().handlers:
        for old in [f for f in handler.filters if isinstance(f, RedactSecrets)]:
            handler.removeFilter(old)
        handler.addFilter(RedactSecrets(expanded))
