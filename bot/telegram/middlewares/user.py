from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from aiogram.types import User as TgUser

from bot.domain.clock import Clock
from bot.domain.roles import GUEST, RoleResolver
from db.repos import Repos


class UserMiddleware(BaseMiddleware):
    """Adds `user` (our DB row, created on first contact) and `role` for the update's sender."""

    def __init__(self, repos: Repos, roles: RoleResolver, clock: Clock) -> None:
        self.repos = repos
        self.roles = roles
        self.clock = clock

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        tg_user: TgUser | None = data.get("event_from_user")
        if tg_user is None or tg_user.is_bot:
            data["user"], data["role"] = None, GUEST
            return await handler(event, data)
        # The user's row and admin grant in one statement: the role is read afresh on every update.
        user, grant = await self.repos.users.ensure_with_grant(tg_user.id, self.clock.now())
        data["user"] = user
        data["role"] = await self.roles.resolve_read(user.id, user.org_id, grant)
        return await handler(event, data)
