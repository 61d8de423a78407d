"""Adding and removing the administrators of the bot (bootstrap ones live in config.toml)."""
from __future__ import annotations

from bot.domain.audit import audit
from bot.domain.clock import Clock
from bot.domain.roles import Role
from db.repos import Repos


async def add_admin(repos: Repos, clock: Clock, actor_id: int, role: Role, user_id: int,
                    district_id: int | None, district: str | None, region_id: int | None = None) -> None:
    """A district admin (district_id), a region admin (region_id; `district` is then the region's
    name), or a branch admin (neither)."""
    scope = "district" if district_id else "region" if region_id else "branch"
    await repos.admins.put(user_id, scope, district_id, actor_id, clock.now(), region_id=region_id if
                           scope == "region" else None)
    await audit(repos.db, clock, actor_id, "admin.add", f"user:{user_id}",
                {"scope": scope, "district" if scope != "region" else "region": district}, role=role)


async def remove_admin(repos: Repos, clock: Clock, actor_id: int, role: Role, user_id: int) -> bool:
    removed = await repos.admins.remove(user_id)
    if removed:
        await audit(repos.db, clock, actor_id, "admin.remove", f"user:{user_id}", {}, role=role)
    return removed
