"""Filters shared by features."""
from __future__ import annotations

from typing import Any

from aiogram.filters import BaseFilter
from aiogram.types import Message
from aiogram.utils.i18n import I18n

from bot.config import LOCALES
from bot.roles import Role


class MenuButton(BaseFilter):
    """A reply-keyboard button, in whichever of our languages the keyboard was drawn."""

    def __init__(self, msgid: str) -> None:
        self.msgid = msgid

    async def __call__(self, message: Message, i18n: I18n) -> bool:
        if not message.text:
            return False
        return message.text in {i18n.gettext(self.msgid, locale=locale) for locale in LOCALES}


class IsChair(BaseFilter):
    async def __call__(self, event: Any, role: Role) -> bool:
        return role.kind == "chair"


class IsAdmin(BaseFilter):
    async def __call__(self, event: Any, role: Role) -> bool:
        return role.is_admin


class IsBranchAdmin(BaseFilter):
    async def __call__(self, event: Any, role: Role) -> bool:
        return role.is_branch
