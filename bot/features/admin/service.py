"""Who the admins are: bootstrap admins from config.toml and those added in the bot."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.config import Settings
from bot.domain.audit import audit
from bot.domain.clock import Clock
from bot.domain.roles import Role
from db.repos import Repos


@dataclass(frozen=True)
class AdminView:
    user_id: int
    scope: str               # 'branch' or 'district'
    district: str | None
    district_id: int | None
    bootstrap: bool          # from config.toml: cannot be removed in the bot


async def all_admins(config: Settings, repos: Repos) -> list[AdminView]:
    found = []
    for entry in config.admins:
        district_id = await repos.orgs.district_by_name(entry.district) if entry.district else None
        found.append(AdminView(entry.telegram_id, entry.scope, entry.district, district_id, True))
    bootstrap = {a.telegram_id for a in config.admins}
    found += [AdminView(a.user_id, a.scope, a.district, a.district_id, False)
              for a in await repos.admins.all() if a.user_id not in bootstrap]
    return found


async def admins_of_district(config: Settings, repos: Repos, district_id: int) -> list[int]:
    """Telegram ids of the admins who cover a district: its own and the branch admins."""
    return [a.user_id for a in await all_admins(config, repos)
            if a.scope == "branch" or a.district_id == district_id]


def is_bootstrap(config: Settings, user_id: int) -> bool:
    return any(a.telegram_id == user_id for a in config.admins)


async def add_admin(repos: Repos, clock: Clock, actor_id: int, role: Role, user_id: int,
                    district_id: int | None, district: str | None) -> None:
    scope = "district" if district_id else "branch"
    await repos.admins.put(user_id, scope, district_id, actor_id, clock.now())
    await audit(repos.db, clock, actor_id, "admin.add", f"user:{user_id}",
                {"scope": scope, "district": district}, role=role)


async def remove_admin(repos: Repos, clock: Clock, actor_id: int, role: Role, user_id: int) -> bool:
    removed = await repos.admins.remove(user_id)
    if removed:
        await audit(repos.db, clock, actor_id, "admin.remove", f"user:{user_id}", {}, role=role)
    return removed


def local_time(moment_iso: str, tz) -> str:
    return datetime.fromisoformat(moment_iso).astimezone(tz).strftime("%Y-%m-%d %H:%M")
