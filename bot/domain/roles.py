"""Who someone is: branch admin, district admin, chair, or a guest. Resolved on every update."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.config import Settings
from db.database import Database
from db.queries.users import AdminGrant

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
        if user_id in self._bootstrap:
            return await self._bootstrap_role(user_id)
        row = await self.db.fetchone("SELECT scope, district_id FROM admins WHERE user_id = ?", (user_id,))
        return self._from_grant(org_id, AdminGrant(row["scope"], row["district_id"]) if row else None)

    async def resolve_read(self, user_id: int, org_id: int | None, grant: AdminGrant | None) -> Role:
        """`resolve` when the caller has just read the user's `admins` row (`grant`, None if absent)."""
        if user_id in self._bootstrap:
            return await self._bootstrap_role(user_id)
        return self._from_grant(org_id, grant)

    @staticmethod
    def _from_grant(org_id: int | None, grant: AdminGrant | None) -> Role:
        if grant is not None:
            return Role(grant.scope, grant.district_id)  # type: ignore[arg-type]
        return Role("chair") if org_id is not None else GUEST

    async def _bootstrap_role(self, user_id: int) -> Role:
        entry = self._bootstrap[user_id]
        if entry.scope == "branch":
            return Role("branch")
        row = await self.db.fetchone("SELECT id FROM districts WHERE name = ?", (entry.district,))
        return Role("district", row["id"] if row else None)
