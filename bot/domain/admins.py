"""The admin directory: who the admins of a scope are, whether they can be reached, in which language.

Admins come from two places, handled alike everywhere: bootstrap admins in config.toml (`[[admins]]`,
a district named as in the roster; they cannot be removed in the bot) and admins added in the bot
(the table `admins`). A user id in both is its bootstrap entry. Role resolution, escalations, digests,
broadcasts, join requests, the admin screens and the command menus all ask here.
"""
from __future__ import annotations

from dataclasses import dataclass

from bot.config import AdminEntry, Settings
from db.queries.admins import AdminGrant, AdminsRepo
from db.queries.orgs import OrgsRepo
from db.queries.users import UsersRepo
from db.repos import Repos


@dataclass(frozen=True)
class Admin:
    user_id: int
    scope: str                # 'branch', 'region' or 'district'
    district_id: int | None   # None for a branch or region admin, and for a district missing from the roster
    district: str | None      # the district's name (as config.toml gives it for a bootstrap admin)
    bootstrap: bool           # from config.toml
    locale: str               # the language chosen in the bot, else the bot's default
    active: bool              # has started the bot and not blocked it
    region_id: int | None = None            # a region admin's region (None when not in the roster)
    region: str | None = None               # its name
    districts: frozenset[int] = frozenset()  # a region admin's districts

    @property
    def is_branch(self) -> bool:
        return self.scope == "branch"

    @property
    def is_region(self) -> bool:
        return self.scope == "region"

    @property
    def has_scope(self) -> bool:
        """A branch admin, or a region or district admin whose region or district is in the roster."""
        return self.is_branch or self.district_id is not None or self.region_id is not None

    def covers(self, district_id: int) -> bool:
        return self.is_branch or self.district_id == district_id or district_id in self.districts


class AdminDirectory:
    def __init__(self, config: Settings, admins: AdminsRepo, orgs: OrgsRepo, users: UsersRepo) -> None:
        self.config = config
        self.admins = admins
        self.orgs = orgs
        self.users = users
        self._bootstrap: dict[int, AdminEntry] = {}
        for entry in config.admins:  # the first entry of a user id counts
            self._bootstrap.setdefault(entry.telegram_id, entry)

    @classmethod
    def of(cls, config: Settings, repos: Repos) -> AdminDirectory:
        return cls(config, repos.admins, repos.orgs, repos.users)

    def is_bootstrap(self, user_id: int) -> bool:
        return user_id in self._bootstrap

    async def grant(self, user_id: int, stored: AdminGrant | None) -> AdminGrant | None:
        """The user's admin scope: the bootstrap entry, else `stored` (their row of `admins`, already read)."""
        entry = self._bootstrap.get(user_id)
        if entry is None:
            return stored
        if entry.scope == "branch":
            return AdminGrant("branch", None)
        if entry.scope == "region":
            return AdminGrant("region", None, await self.orgs.region_by_name(entry.region or ""))
        return AdminGrant("district", await self.orgs.district_by_name(entry.district or "", entry.region))

    async def grant_of(self, user_id: int) -> AdminGrant | None:
        """`grant` when the caller has not read the user's row of `admins`."""
        if user_id in self._bootstrap:
            return await self.grant(user_id, None)
        return await self.admins.grant(user_id)

    async def all(self) -> list[Admin]:
        """Every admin: bootstrap ones in config.toml's order, then those added in the bot."""
        districts = dict(await self.orgs.districts())
        regions = dict(await self.orgs.regions())
        scopes: list[tuple[int, str, int | None, str | None, int | None, str | None, bool]] = []
        for user_id, entry in self._bootstrap.items():
            grant = await self.grant(user_id, None)
            assert grant is not None
            scopes.append((user_id, entry.scope, grant.district_id, entry.district, grant.region_id, entry.region,
                           True))
        scopes += [(row.user_id, row.scope, row.district_id, row.district, row.region_id, row.region, False)
                   for row in await self.admins.all() if row.user_id not in self._bootstrap]
        users = await self.users.get_many([user_id for user_id, *_rest in scopes])
        default = self.config.bot.default_locale
        found = []
        for user_id, scope, district_id, district, region_id, region, bootstrap in scopes:
            user = users.get(user_id)
            region_id = region_id if region_id in regions else None
            found.append(Admin(user_id, scope, district_id if district_id in districts else None, district, bootstrap,
                               (user.locale if user else None) or default, user is not None and user.active,
                               region_id, region if scope == "region" else None,
                               await self.orgs.district_ids_of(region_id) if region_id else frozenset()))
        return found

    async def get(self, user_id: int) -> Admin | None:
        return next((a for a in await self.all() if a.user_id == user_id), None)

    async def reachable(self) -> list[Admin]:
        """The admins messages can go to: active, with a scope in the roster."""
        return [a for a in await self.all() if a.active and a.has_scope]

    async def of_scope(self, district_id: int | None, region_id: int | None = None) -> list[Admin]:
        """The reachable admins of a scope: all of them (both None), the region admins and the district
        admins of a region, or the district admins of one district."""
        if district_id is None and region_id is not None:
            districts = await self.orgs.district_ids_of(region_id)
            return [a for a in await self.reachable() if a.region_id == region_id
                    or (a.scope == "district" and a.district_id in districts)]
        return [a for a in await self.reachable()
                if district_id is None or (a.scope == "district" and a.district_id == district_id)]

    async def covering(self, district_id: int) -> list[Admin]:
        """The reachable admins who may act on a district: the branch admins and the district's own."""
        return [a for a in await self.reachable() if a.covers(district_id)]
