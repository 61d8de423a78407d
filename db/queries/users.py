from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from db.database import Database
from db.dialect import json_ints
from db.queries.admins import AdminGrant
from db.queries.common import iso


@dataclass(frozen=True)
class User:
    id: int
    locale: str | None
    full_name: str | None
    phone: str | None
    org_id: int | None
    active: bool
    registered_at: str | None
    deputy: bool = False  # the organization's deputy (migration 0012), not its chair



def _user(row) -> User | None:
    if row is None:
        return None
    return User(row["id"], row["locale"], row["full_name"], row["phone"], row["org_id"],
                bool(row["active"]), row["registered_at"], bool(row["deputy"]))


class UsersRepo:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._get_many = f"SELECT * FROM users WHERE id IN ({json_ints(db.dialect, '?')})"

    async def get(self, user_id: int) -> User | None:
        return _user(await self.db.fetchone("SELECT * FROM users WHERE id = ?", (user_id,)))

    async def get_many(self, user_ids: Sequence[int]) -> dict[int, User]:
        rows = await self.db.fetchall(self._get_many, (json.dumps(list(user_ids)),))
        return {user.id: user for user in map(_user, rows) if user is not None}

    async def ensure(self, user_id: int, now: datetime) -> User:
        """The user's row, created on first contact; a user who writes again is active again."""
        user = await self.get(user_id)
        if user is not None and user.active:
            return user
        await self.db.execute(
            "INSERT INTO users(id, created_at) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET active = 1",
            (user_id, iso(now)),
        )
        return await self.get(user_id)  # type: ignore[return-value]

    async def ensure_with_grant(self, user_id: int, now: datetime) -> tuple[User, AdminGrant | None]:
        """`ensure`, and the user's admin grant read in the same statement (one per update, not two)."""
        user, grant = await self._get_with_grant(user_id)
        if user is not None and user.active:
            return user, grant
        await self.db.execute(
            "INSERT INTO users(id, created_at) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET active = 1",
            (user_id, iso(now)),
        )
        return await self._get_with_grant(user_id)  # type: ignore[return-value]

    async def _get_with_grant(self, user_id: int) -> tuple[User | None, AdminGrant | None]:
        row = await self.db.fetchone(
            "SELECT u.*, a.scope AS admin_scope, a.district_id AS admin_district, a.region_id AS admin_region "
            "FROM users u LEFT JOIN admins a ON a.user_id = u.id WHERE u.id = ?", (user_id,))
        if row is None:
            return None, None
        grant = (AdminGrant(row["admin_scope"], row["admin_district"], row["admin_region"])
                 if row["admin_scope"] else None)
        return _user(row), grant

    async def set_locale(self, user_id: int, locale: str) -> None:
        await self.db.execute("UPDATE users SET locale = ? WHERE id = ?", (locale, user_id))

    async def set_inactive(self, user_id: int) -> None:
        await self.db.execute("UPDATE users SET active = 0 WHERE id = ?", (user_id,))

    async def chair_of(self, org_id: int) -> User | None:
        return _user(await self.db.fetchone("SELECT * FROM users WHERE org_id = ? AND deputy = 0", (org_id,)))

    async def deputy_of(self, org_id: int) -> User | None:
        return _user(await self.db.fetchone("SELECT * FROM users WHERE org_id = ? AND deputy = 1", (org_id,)))

    async def register_deputy(self, user_id: int, org_id: int, full_name: str, phone: str | None,
                              now: datetime) -> bool:
        """Bind the user to the organization as its deputy; False when it has another deputy."""
        async with self.db.transaction() as tx:
            await tx.lock(f"org-people:{org_id}")  # PostgreSQL: one registration per organization at a time
            if await tx.fetchone("SELECT 1 FROM users WHERE org_id = ? AND deputy = 1 AND id != ?",
                                 (org_id, user_id)):
                return False
            await tx.execute("UPDATE users SET org_id = ?, deputy = 1, full_name = ?, phone = ?, registered_at = ? "
                             "WHERE id = ?", (org_id, full_name, phone, iso(now), user_id))
            return True

    async def register_chair(self, user_id: int, org_id: int, full_name: str, phone: str | None,
                             now: datetime) -> bool:
        """Bind the user to the organization; False when another chair took it meanwhile."""
        return await self.register_replacing(user_id, org_id, full_name, phone, now) is not False

    async def register_replacing(self, user_id: int, org_id: int, full_name: str, phone: str | None,
                                 now: datetime, force: bool = False) -> int | bool | None:
        """Bind the user to the organization. When an admin is replacing its chair (a handover code, or
        `force`: a join request approved as a replacement), the previous chair is unbound in the same
        transaction and their id returned; None when there was none; False when another chair holds it
        and no handover is under way."""
        async with self.db.transaction() as tx:
            await tx.lock(f"org-people:{org_id}")  # the read of the chair and the writes go together
            taken = await tx.fetchone(
                "SELECT id FROM users WHERE org_id = ? AND deputy = 0 AND id != ?", (org_id, user_id))
            handover = await tx.fetchone("SELECT handover_by FROM organizations WHERE id = ?", (org_id,))
            if taken and not force and not (handover and handover[0] is not None):
                return False
            previous = taken[0] if taken else None
            if previous is not None:
                await tx.execute("UPDATE users SET org_id = NULL WHERE id = ?", (previous,))
            await tx.execute("UPDATE organizations SET handover_by = NULL WHERE id = ?", (org_id,))
            await tx.execute(
                "UPDATE users SET org_id = ?, deputy = 0, full_name = ?, phone = ?, registered_at = ? WHERE id = ?",
                (org_id, full_name, phone, iso(now), user_id),
            )
            return previous

    async def count_wrong_codes(self, user_id: int, since: datetime) -> int:
        row = await self.db.fetchone(
            "SELECT COUNT(*) FROM code_attempts WHERE user_id = ? AND at >= ?", (user_id, iso(since)))
        return row[0] if row else 0

    async def count_all_wrong_codes(self, since: datetime) -> int:
        """Wrong invite codes of every account since then (the global limit)."""
        row = await self.db.fetchone("SELECT COUNT(*) FROM code_attempts WHERE at >= ?", (iso(since),))
        return row[0] if row else 0

    async def record_wrong_code(self, user_id: int, code: str, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO code_attempts(user_id, at, code) VALUES (?, ?, ?)", (user_id, iso(now), code[:64]))

    async def chair_ids(self, district_id: int | None = None, locale: str | None = None,
                        region_id: int | None = None) -> list[int]:
        """Active chairs, optionally of one district or region and/or one language."""
        rows = await self.db.fetchall(
            "SELECT u.id FROM users u JOIN organizations o ON o.id = u.org_id "
            "WHERE u.active = 1 AND u.deputy = 0 AND (:district IS NULL OR o.district_id = :district) "
            "AND (:locale IS NULL OR u.locale = :locale) "
            "AND (:region IS NULL OR o.district_id IN (SELECT id FROM districts WHERE region_id = :region)) "
            "ORDER BY o.district_id, o.name",
            {"district": district_id, "locale": locale, "region": region_id})
        return [r[0] for r in rows]
