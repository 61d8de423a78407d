"""The `bastau` commands' PostgreSQL side: `backup` (pg_dump -Fc), `restore` (pg_restore --clean) and
`migrate-to` (the SQLite database copied into PostgreSQL). The password never reaches a command line or a
message: the tools get it in PGPASSWORD."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bot.config import Settings


def pg_tool(name: str) -> str | None:
    """pg_dump or pg_restore: on PATH, else the newest /usr/lib/postgresql/*/bin one."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def _without_password(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password, and the environment that carries it (PGPASSWORD)."""
    parts = urlsplit(url)
    env = dict(os.environ)
    if parts.password is None:
        return url, env
    env["PGPASSWORD"] = parts.password
    host = parts.hostname or ""
    netloc = f"{parts.username}@{host}" if parts.username else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)), env


def _run(tool: str, args: list[str], url: str) -> int:
    from bot.startup import safe_url

    found = pg_tool(tool)
    if found is None:
        print(f"bastau: {tool} is not installed (Debian: apt install postgresql-client)", file=sys.stderr)
        return 1
    bare, env = _without_password(url)
    done = subprocess.run([found, *args, "--dbname", bare], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"bastau: {tool} failed for {safe_url(url)}: {done.stderr.strip()[-500:]}", file=sys.stderr)
        return 1
    return 0


def pg_backup(url: str, target: Path) -> int:
    """pg_dump's custom format (compressed; `bastau restore FILE` or pg_restore puts it back)."""
    status = _run("pg_dump", ["-Fc", "--no-owner", "--file", str(target)], url)
    if status == 0:
        print(f"backup written: {target} (pg_dump custom format, {target.stat().st_size} bytes)")
    return status


def pg_restore(url: str, source: Path) -> int:
    """pg_restore --clean of a pg_dump -Fc file into the configured database (stop the bot first)."""
    if not source.is_file():
        print(f"bastau restore: {source} is not a file", file=sys.stderr)
        return 1
    status = _run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--single-transaction", str(source)], url)
    if status == 0:
        from bot.startup import safe_url

        print(f"restored {source} into {safe_url(url)}")
    return status


async def migrate_to(config: Settings, url: str) -> int:
    """`bastau migrate-to URL`: copy the configured SQLite database into the PostgreSQL one at URL."""
    from bot.domain.clock import SystemClock
    from bot.startup import safe_url
    from db import is_postgres, sqlite_path
    from db.lock import LockHeld, WriterLock
    from db.migrate_to import MigrateError, check_counts
    from db.migrate_to import migrate_to as copy

    source = sqlite_path(config.database_url)
    if source is None:
        print("bastau migrate-to: the configured database is already PostgreSQL; it copies a SQLite one",
              file=sys.stderr)
        return 2
    if not url.startswith(("postgresql://", "postgres://")) or not is_postgres(url):
        print("bastau migrate-to: the target must be postgresql://user:pass@host:port/db", file=sys.stderr)
        return 2
    if not source.is_file():
        print(f"bastau migrate-to: there is no database at {source}", file=sys.stderr)
        return 1
    lock = WriterLock(source)
    try:
        lock.acquire(SystemClock().now(), role="bastau migrate-to")
    except LockHeld as exc:
        print(f"bastau migrate-to: refused, {exc}; stop it first", file=sys.stderr)
        return 1
    try:
        counts = await copy(source, url, report=print)
    except (MigrateError, OSError) as exc:
        print(f"bastau migrate-to: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # asyncpg's errors: one line, never the password
        print(f"bastau migrate-to: {safe_url(url)}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        lock.release()
    width = max(len(c.table) for c in counts)
    for c in counts:
        print(f"{c.table:<{width}}  sqlite {c.sqlite:>9}  postgresql {c.postgresql:>9}")
    differ = check_counts(counts)
    if differ:
        print(f"bastau migrate-to: row counts differ in {', '.join(c.table for c in differ)}", file=sys.stderr)
        return 1
    print(f"copied {source} into {safe_url(url)}: {len(counts)} tables, every row count equal")
    return 0
