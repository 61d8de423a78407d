"""Who someone is: branch admin, district admin, chair, or a guest. Resolved on every update."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.config import Settings
from bot.domain.admins import AdminDirectory
from db.database import Database
from db.queries.admins import AdminGrant, AdminsRepo
from db.queries.orgs import OrgsRepo
from db.queries.users import UsersRepo

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
    """The role of a user on each update: an admin's scope from the admin directory, else chair or guest."""

    def __init__(self, config: Settings, db: Database) -> None:
        self.admins = AdminDirectory(config, AdminsRepo(db), OrgsRepo(db), UsersRepo(db))

    async def resolve(self, user_id: int, org_id: int | None) -> Role:
        return self._role(org_id, await self.admins.grant_of(user_id))

    async def resolve_read(self, user_id: int, org_id: int | None, grant: AdminGrant | None) -> Role:
        """`resolve` when the caller has just read the user's `admins` row (`grant`, None if absent)."""
        return self._role(org_id, await self.admins.grant(user_id, grant))

    @staticmethod
    def _role(org_id: int | None, grant: AdminGrant | None) -> Role:
        if grant is not None:
            return Role("branch" if grant.scope == "branch" else "district", grant.district_id)
        return Role("chair") if org_id is not None else GUEST
