"""Who someone is: branch admin, district admin, chair, or a guest. Resolved on every update."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.config import Settings
from db.database import Database

RoleKind = Literal["branch", "district", "chair", "guest"]


@dataclass(frozen=True)
class Role:
    kind: RoleKind
    district_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.kind in ("branch", "district")

    @property
    def is_branch(self) -> bool:
        return self.kind == "branch"

    def covers_district(self, district_id: int | None) -> bool:
        """May this role see and act on the given district?"""
        if self.kind == "branch":
            return True
        return self.kind == "district" and district_id is not None and district_id == self.district_id


GUEST = Role("guest")


class RoleResolver:
    """Admins from config.toml (bootstrap) first, then those added in the bot."""

    def __init__(self, config: Settings, db: Database) -> None:
        self.config = config
        self.db = db
        self._bootstrap = {a.telegram_id: a for a in config.admins}

    async def resolve(self, user_id: int, org_id: int | None) -> Role:
        entry = self._bootstrap.get(user_id)
        if entry is not None:
            if entry.scope == "branch":
                return Role("branch")
            row = await self.db.fetchone("SELECT id FROM districts WHERE name = ?", (entry.district,))
            return Role("district", row["id"] if row else None)
        row = await self.db.fetchone("SELECT scope, district_id FROM admins WHERE user_id = ?", (user_id,))
        if row is not None:
            return Role(row["scope"], row["district_id"])
        return Role("chair") if org_id is not None else GUEST
