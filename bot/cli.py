"""The `bastau` command: run the bot, manage the roster, export, back up, move to PostgreSQL."""
from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import ConfigError, Settings, load_config

if TYPE_CHECKING:
    from aiogram import Bot, Dispatcher

    from bot.cluster.node import Role
    from bot.context import AppContext
    from bot.telegram.webhook import WebhookSettings

log = logging.getLogger("bastau")


async def _run(config: Settings, role: str = "all") -> int:
    token = os.environ.get("BOT_TOKEN", "").strip()
    if not token:
        print("BOT_TOKEN is not set. Put the bot's token in the environment: export BOT_TOKEN=...",
              file=sys.stderr)
        return 2
    from bot.logs import protect

    protect([token])
    from bot.cluster.node import Role
    from bot.cluster.roles import role_error
    from bot.startup import StartupError

    if (why := role_error(Role(role), config.database_url)) is not None:
        print(f"bastau run: {why}", file=sys.stderr)
        return 1
    try:
        if config.webhook.enabled and Role(role) is not Role.WORKER:  # a worker takes no updates
            from bot.telegram.webhook import webhook_settings

            hook = webhook_settings(config)
            protect([token, hook.secret])
            return await _serve(config, token, Role(role), hook)
        return await _serve(config, token, Role(role))
    except StartupError as exc:
        print(f"bastau run: {exc}", file=sys.stderr)
        return 1


async def _serve(config: Settings, token: str, role: Role, webhook: WebhookSettings | None = None) -> int:
    """Check, lock, open, probe, poll or serve the webhook (or stand by as a worker); whatever fails, the
    database and the session are closed."""
    from bot.cluster.node import Role
    from bot.domain.clock import SystemClock
    from bot.startup import (
        StartupError,
        check_api_server,
        check_db_path,
        check_token,
        database_path,
        describe_database,
        open_database,
        probe_bot,
    )
    from db.lock import LockHeld, WriterLock

    check_token(token)
    check_api_server(config.api_server)
    path = database_path(config)
    started = SystemClock().now()
    lock = None
    if path is not None:  # SQLite: one writer per file (PostgreSQL takes several processes)
        check_db_path(path)
        lock = WriterLock(path)
        try:
            lock.acquire(started)
        except LockHeld as exc:
            raise StartupError(str(exc)) from None
        except OSError as exc:
            raise StartupError(f"cannot create the lock file {lock.path}: {exc.strerror or exc}") from None
    try:
        from bot.app import build_bot, build_dispatcher, serve  # slow to import: after the quick checks
        from bot.context import AppContext

        db = await open_database(config.database_url)
        try:
            app = await AppContext.create(config, db=db)
            bot = build_bot(token, config)
            try:
                await probe_bot(bot, config.api_server)
                dp = build_dispatcher(app, role)
                gc.freeze()  # what start-up built lives as long as the process: later collections skip it
                log.info("Bastau starting as %s (db %s, api %s)", role, describe_database(config.database_url),
                         config.api_server or "api.telegram.org")
                if role is Role.WORKER:
                    await _stand_by(app, bot, dp)
                else:
                    await serve(app, bot, dp, boot=f"{os.getpid()}@{started.isoformat()}", webhook=webhook)
            finally:
                await bot.session.close()
        finally:
            await db.close()
    finally:
        if lock is not None:
            lock.release()
    return 0


async def _stand_by(app: AppContext, bot: Bot, dp: Dispatcher) -> None:
    from bot.app import build_inbox
    from bot.cluster.leader import leader_lock
    from bot.cluster.node import cluster_in
    from bot.cluster.worker import run_worker

    cluster = cluster_in(app.extra)
    assert cluster is not None
    lock = leader_lock(app.config.redis_url, app.config.database_url, cluster.node, app.config.cluster.failover_s)
    await run_worker(app, bot, dp, build_inbox(app, dp, bot), lock)


async def _roster_import(config: Settings, file: Path, archive_missing: bool) -> int:
    from bot.domain.clock import SystemClock
    from bot.features.roster.files import RosterError, parse_rows, read_csv, read_xlsx
    from db import open_database
    from db.queries.roster import apply_rows

    data = await asyncio.to_thread(file.read_bytes)
    try:
        rows = parse_rows(read_xlsx(data) if file.suffix.lower() == ".xlsx" else read_csv(data))
    except RosterError as exc:
        for line, why in exc.problems:
            print(f"{file}:{line}: {why}", file=sys.stderr)
        print("Nothing was imported.", file=sys.stderr)
        return 1
    db = await open_database(config.database_url)
    try:
        summary = await apply_rows(db, rows, SystemClock().now(), default_region=config.bot.region,
                                   archive_missing=archive_missing)
    finally:
        await db.close()
    from bot.features.roster.summary import summary_lines
    print("\n".join(summary_lines(summary, archive_missing)))
    return 0


async def _roster_codes(config: Settings) -> int:
    from bot.features.roster.service import safe_codes_csv
    from db import open_database

    db = await open_database(config.database_url)
    try:
        sys.stdout.write(await safe_codes_csv(db))
    finally:
        await db.close()
    return 0


async def _backup(config: Settings, target: Path) -> int:
    """An online backup (SQLite's backup API, or pg_dump -Fc for PostgreSQL): safe while the bot is running."""
    from db import sqlite_path
    from db.sqlite import SQLiteDatabase

    if await asyncio.to_thread(target.exists):
        print(f"{target} exists; choose a new file name", file=sys.stderr)
        return 1
    path = sqlite_path(config.database_url)
    if path is None:
        from bot.cli_pg import pg_backup

        return await asyncio.to_thread(pg_backup, config.database_url, target)
    db = await SQLiteDatabase.open(path, migrate=False)
    try:
        pages = await db.backup_to(target)
    finally:
        await db.close()
    print(f"backup written: {target} ({pages} pages)")
    return 0


def _restore(config: Settings, source: Path) -> int:
    """Put a backup in the database's place; refused while a bot runs on the database."""
    import sqlite3

    from bot.domain.clock import SystemClock
    from bot.features.backups.service import BackupError, restore
    from db import sqlite_path
    from db.lock import LockHeld, WriterLock

    path = sqlite_path(config.database_url)
    if path is None:
        from bot.cli_pg import pg_restore

        return pg_restore(config.database_url, source)
    lock = WriterLock(path)
    try:
        lock.acquire(SystemClock().now(), role="bastau restore")
    except LockHeld as exc:
        print(f"bastau restore: refused, {exc}; stop it first", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"bastau restore: cannot create the lock file {lock.path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    try:
        kept = restore(source, path, SystemClock().now())
    except (BackupError, OSError, sqlite3.Error) as exc:
        print(f"bastau restore: {exc}", file=sys.stderr)
        return 1
    finally:
        lock.release()
    print(f"restored {source} into {path}; the database as it was is kept in {kept}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bastau", description=__doc__)
    parser.add_argument("--config", help="path to config.toml (default: $BASTAU_CONFIG or ./config.toml)")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="start the bot (long polling; --webhook: Telegram posts the updates)")
    run.add_argument("--webhook", action="store_true",
                     help="serve updates on [webhook] host:port path (or [webhook] enabled = true); "
                          "needs webhook.url and WEBHOOK_SECRET")
    run.add_argument("--role", choices=("web", "worker", "all"), default="all",
                     help="web: take updates; worker: the scheduler, broadcasts, backups and the inbox retry "
                          "while it leads; all: both (the default; the only role on SQLite)")
    sandbox = commands.add_parser("sandbox",
                                  help="try the bot in a browser: a local Bot API server, demo data, a web page")
    sandbox.add_argument("--port", type=int, default=None, help="the web page's port (default: [sandbox] web_port)")
    start = commands.add_parser("start", help="`run` when BOT_TOKEN is set, else `sandbox`")
    start.add_argument("--port", type=int, default=None, help="the sandbox page's port")
    commands.add_parser("migrate", help="apply database migrations and exit")
    export = commands.add_parser("export", help="a month's reports as XLSX (or CSV), as /export sends them")
    export.add_argument("--month", required=True, help="the month, e.g. 2026-10")
    export.add_argument("-o", "--output", required=True, type=Path, help="the file to write")
    export.add_argument("--csv", action="store_true", help="CSV (the reports sheet) instead of XLSX")
    export.add_argument("--district", help="one district by name (default: the whole branch)")
    export.add_argument("--region", help="one region by name (with --district: the district's region)")
    export.add_argument("--locale", choices=("kk", "ru"),
                        help="language of the headers (default: [bot] default_locale)")
    roster = commands.add_parser("roster", help="the roster of organizations")
    roster_commands = roster.add_subparsers(dest="roster_command", required=True)
    roster_import = roster_commands.add_parser("import", help="import districts and organizations from CSV")
    roster_import.add_argument("file", type=Path)
    roster_import.add_argument("--archive-missing", action="store_true",
                               help="archive the organizations (and emptied districts) the file leaves out")
    roster_commands.add_parser("codes", help="print region,district,organization,code (and org_code) as CSV")
    backup = commands.add_parser("backup", help="an online backup of the database into FILE")
    backup.add_argument("file", type=Path)
    restore = commands.add_parser("restore", help="replace the database with a backup (not while the bot runs)")
    restore.add_argument("file", type=Path)
    move = commands.add_parser("migrate-to", help="copy the SQLite database into an empty PostgreSQL database")
    move.add_argument("url", help="postgresql://user:pass@host:port/db")
    return parser


async def _migrate(config: Settings) -> int:
    from bot.startup import StartupError, describe_database, open_database

    try:
        db = await open_database(config.database_url)
    except StartupError as exc:
        print(f"bastau migrate: {exc}", file=sys.stderr)
        return 1
    await db.close()
    print(f"database ready: {describe_database(config.database_url)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    from bot.logs import setup_logging

    args = build_parser().parse_args(argv)
    setup_logging()
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"bastau {args.command}: {exc}", file=sys.stderr)
        return 2
    if args.command == "start":
        args.command = "run" if os.environ.get("BOT_TOKEN", "").strip() else "sandbox"
    if args.command == "run":
        if getattr(args, "webhook", False):  # the same as [webhook] enabled = true
            config = config.model_copy(update={"webhook": config.webhook.model_copy(update={"enabled": True})})
        return asyncio.run(_run(config, getattr(args, "role", "all")))
    if args.command == "sandbox":
        from bot.sandbox.runner import serve

        return asyncio.run(serve(args.config, args.port))
    if args.command == "export":
        from bot.features.export.service import export_command

        return asyncio.run(export_command(config, args.month, args.output, args.csv, args.district, args.locale,
                                          args.region))
    if args.command == "migrate":
        return asyncio.run(_migrate(config))
    if args.command == "roster" and args.roster_command == "import":
        return asyncio.run(_roster_import(config, args.file, args.archive_missing))
    if args.command == "roster" and args.roster_command == "codes":
        return asyncio.run(_roster_codes(config))
    if args.command == "backup":
        return asyncio.run(_backup(config, args.file))
    if args.command == "restore":
        return _restore(config, args.file)
    if args.command == "migrate-to":
        from bot.cli_pg import migrate_to

        return asyncio.run(migrate_to(config, args.url))
    return 2


if __name__ == "__main__":
    sys.exit(main())
