"""Who someone is: branch, region or district admin, chair, or a guest. Resolved on every update."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.config import Settings
from bot.domain.admins import AdminDirectory
from db.database import Database
from db.queries.admins import AdminGrant, AdminsRepo
from db.queries.orgs import OrgsRepo
from db.queries.users import UsersRepo

RoleKind = Literal["branch", "region", "district", "chair", "guest"]


@dataclass(frozen=True)
class Role:
    kind: RoleKind
    district_id: int | None = None
    region_id: int | None = None                 # a region admin's region
    districts: frozenset[int] = frozenset()      # a region admin's districts, read with the role

    @property
    def is_admin(self) -> bool:
        return self.kind in ("branch", "region", "district")

    @property
    def is_branch(self) -> bool:
        return self.kind == "branch"

    @property
    def is_region(self) -> bool:
        return self.kind == "region"

    def covers_district(self, district_id: int | None) -> bool:
        """May this role see and act on the given district?"""
        if self.kind == "branch":
            return True
        if self.kind == "region":
            return district_id is not None and district_id in self.districts
        return self.kind == "district" and district_id is not None and district_id == self.district_id


GUEST = Role("guest")


class RoleResolver:
    """The role of a user on each update: an admin's scope from the admin directory, else chair or guest."""

    def __init__(self, config: Settings, db: Database) -> None:
        self.admins = AdminDirectory(config, AdminsRepo(db), OrgsRepo(db), UsersRepo(db))

    async def resolve(self, user_id: int, org_id: int | None) -> Role:
        return await self._role(org_id, await self.admins.grant_of(user_id))

    async def resolve_read(self, user_id: int, org_id: int | None, grant: AdminGrant | None) -> Role:
        """`resolve` when the caller has just read the user's `admins` row (`grant`, None if absent)."""
        return await self._role(org_id, await self.admins.grant(user_id, grant))

    async def _role(self, org_id: int | None, grant: AdminGrant | None) -> Role:
        if grant is not None:
            if grant.scope == "region":
                districts = await self.admins.orgs.district_ids_of(grant.region_id) if grant.region_id else frozenset()
                return Role("region", None, grant.region_id, districts)
            return Role("branch" if grant.scope == "branch" else "district", grant.district_id)
        return Role("chair") if org_id is not None else GUEST
