"""The field kinds of the report form, one module per `type` of config.toml.

A new type is one more module with a `Kind` subclass (see base.py), registered in KINDS below.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from bot.form.kinds import choice, multi, photos, text
from bot.form.kinds import int as int_kind
from bot.form.kinds.base import Kind

if TYPE_CHECKING:
    from bot.config import FormField

KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    int_kind.KIND, text.KIND, choice.KIND, multi.KIND, photos.KIND,
)}


def kind_of(field: FormField) -> Kind:
    return KINDS[field.type]
