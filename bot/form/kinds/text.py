"""A free text: `max_length`; an optional one has «Skip»."""
from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from bot.form.kinds.base import N_, Answer, Invalid, Kind, Outcome, Reply, _, ngettext

if TYPE_CHECKING:
    from bot.config import FormField


def parse_text(field: FormField, text: str | None) -> str | Invalid:
    if text is None:
        return Invalid(N_("Please send text."))
    value = text.strip()
    if not value:
        return Invalid(N_("Please send text."))
    if len(value) > field.max_length:
        return Invalid(N_("The text is too long: {length} characters, the limit is {max}. "
                          "Please shorten it and send it again."),
                       {"length": len(value), "max": field.max_length})
    return value


class TextKind(Kind):
    name = "text"

    def parse(self, field: FormField, reply: Reply, value: Any) -> Outcome:
        if reply.text is None:
            return Invalid(N_("Please send your answer as a text message."))
        text = parse_text(field, reply.text)
        return text if isinstance(text, Invalid) else Answer(text)

    def skippable(self, field: FormField) -> bool:
        return not field.required

    def hint(self, field: FormField, value: Any) -> str:
        hint = ngettext("Send a text of up to {max} character.", "Send a text of up to {max} characters.",
                        field.max_length).format(max=field.max_length)
        if not field.required:
            hint += " " + _("If there is nothing to add, press «Skip».")
        return hint

    def is_complete(self, field: FormField, value: Any) -> bool:
        return (value is None and not field.required) or isinstance(value, str)

    def show(self, field: FormField, value: Any, locale: str, limit: int | None = None) -> str:
        if not value:
            return _("skipped")
        if limit and len(value) > limit:
            value = value[:limit].rstrip() + "…"
        return escape(value)


KIND = TextKind()
