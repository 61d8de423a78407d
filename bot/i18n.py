"""gettext catalogs for kk and ru, compiled from the .po files in memory at start.

Each feature keeps its messages in a catalog of its own (locales/<lang>/LC_MESSAGES/<feature>.po);
they are merged into one translation per language.
"""
from __future__ import annotations

import gettext
import io
from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject
from aiogram.types import User as TgUser
from aiogram.utils.i18n import I18n, I18nMiddleware
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.config import LOCALES


def N_(message: str) -> str:
    """Marks a message id for extraction; it is translated later, where it is shown."""
    return message


LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "bastau"


def read_catalog(locale: str, path: Path = LOCALES_DIR) -> Catalog:
    """All .po files of one language merged into one catalog."""
    merged: Catalog | None = None
    for po in sorted((path / locale / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fp:
            catalog = read_po(fp, locale=locale)
        if merged is None:
            merged = catalog
            continue
        for message in catalog:
            if message.id:
                merged[message.id] = message
    if merged is None:
        raise RuntimeError(f"no catalogs for locale {locale!r} in {path}")
    return merged


def compile_catalog(catalog: Catalog) -> gettext.GNUTranslations:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def make_i18n(path: Path = LOCALES_DIR, default_locale: str = "kk") -> I18n:
    """aiogram's I18n with our merged catalogs. (Not a subclass: aiogram's gettext helpers look up
    the current instance through I18n's own context variable, which a subclass would not set.)"""
    i18n = I18n(path=path, default_locale=default_locale, domain=DOMAIN)
    i18n.locales = {locale: compile_catalog(read_catalog(locale, path)) for locale in LOCALES}
    return i18n


def telegram_locale(user: TgUser | None) -> str | None:
    """The user's Telegram language when it is one of ours."""
    code = (user.language_code or "").split("-")[0].lower() if user else ""
    return code if code in LOCALES else None


class UserLocaleMiddleware(I18nMiddleware):
    """The locale stored in our DB for the user; before they choose, Telegram's language."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user = data.get("user")
        if user is not None and user.locale:
            return user.locale
        return telegram_locale(data.get("event_from_user")) or self.i18n.default_locale
