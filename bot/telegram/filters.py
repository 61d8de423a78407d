"""Filters shared by features.

Every filter here is async on purpose: aiogram runs a synchronous filter (a bare `State`, an
`F.…` magic filter) in a worker thread, a thread round trip per check on every update that
passes the handler. Use `StateFilter(...)` and the small filters below instead."""
from __future__ import annotations

from typing import Any

from aiogram.filters import BaseFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from bot.config import LOCALES
from bot.domain.roles import Role


class MenuButton(BaseFilter):
    """A reply-keyboard button, in whichever of our languages the keyboard was drawn."""

    def __init__(self, msgid: str) -> None:
        self.msgid = msgid
        self._labels: tuple[I18n, frozenset[str]] | None = None  # the catalogs do not change while running

    def labels(self, i18n: I18n) -> frozenset[str]:
        if self._labels is None or self._labels[0] is not i18n:
            self._labels = (i18n, frozenset(i18n.gettext(self.msgid, locale=locale) for locale in LOCALES))
        return self._labels[1]

    async def __call__(self, message: Message, i18n: I18n) -> bool:
        if not message.text:
            return False
        return message.text in self.labels(i18n)


class HasText(BaseFilter):
    """A message with non-empty text (the async `F.text`)."""

    async def __call__(self, message: Message) -> bool:
        return bool(message.text)


class NotCommand(BaseFilter):
    """Anything but a text starting with «/» (the async `~F.text.startswith("/")`): photos pass."""

    async def __call__(self, message: Message) -> bool:
        return not (message.text or "").startswith("/")


class HasContact(BaseFilter):
    """The async `F.contact`."""

    async def __call__(self, message: Message) -> bool:
        return message.contact is not None


class HasDocument(BaseFilter):
    """The async `F.document`."""

    async def __call__(self, message: Message) -> bool:
        return message.document is not None


class IsAdmin(BaseFilter):
    async def __call__(self, event: Any, role: Role) -> bool:
        return role.is_admin


class IsBranchAdmin(BaseFilter):
    async def __call__(self, event: Any, role: Role) -> bool:
        return role.is_branch


class ButtonData(BaseFilter):
    """An inline button with exactly this callback data (the async `F.data == value`)."""

    def __init__(self, data: str) -> None:
        self.data = data

    async def __call__(self, query: CallbackQuery) -> bool:
        return query.data == self.data


class CommandOrMenuButton(BaseFilter):
    """A command (text or caption starting with «/», as aiogram's Command reads it) or one of these
    reply-keyboard buttons: a router whose message handlers are all commands and buttons gates on it."""

    def __init__(self, *msgids: str) -> None:
        self.buttons = [MenuButton(msgid) for msgid in msgids]

    async def __call__(self, message: Message, i18n: I18n) -> bool:
        if (message.text or message.caption or "").startswith("/"):
            return True
        return bool(message.text) and any(message.text in button.labels(i18n) for button in self.buttons)


class ButtonOf(BaseFilter):
    """An inline button of one of these CallbackData kinds, by its prefix (nothing is parsed):
    a router whose button handlers all take these kinds gates on it."""

    def __init__(self, *kinds: type[CallbackData]) -> None:
        self.prefixes = tuple(kind.__prefix__ + kind.__separator__ for kind in kinds)

    async def __call__(self, query: CallbackQuery) -> bool:
        return (query.data or "").startswith(self.prefixes)


class HasRole(BaseFilter):
    def __init__(self, *kinds: str) -> None:
        self.kinds = frozenset(kinds)

    async def __call__(self, event: Any, role: Role) -> bool:
        return role.kind in self.kinds
