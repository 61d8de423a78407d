"""One of a list: `options = [{ key, kk, ru }]`, a button each; an optional one has «Skip»."""
from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from bot.form.kinds.base import Answer, Button, Kind, Outcome, Rows, _, option_at, option_labels

if TYPE_CHECKING:
    from bot.config import FormField

PICK = "pick"


def check_options(field: FormField) -> None:
    keys = [o.key for o in field.options]
    if len(keys) != len(set(keys)):
        raise ValueError(f"field '{field.key}': option keys repeat")


class ChoiceKind(Kind):
    name = "choice"
    has_options = True

    def check(self, field: FormField) -> None:
        super().check(field)
        check_options(field)

    def press(self, field: FormField, action: str, index: int, value: Any) -> Outcome | None:
        option = option_at(field, index)
        if action == PICK and option is not None:
            return Answer(option)
        return super().press(field, action, index, value)

    def skippable(self, field: FormField) -> bool:
        return not field.required

    def buttons(self, field: FormField, value: Any, locale: str) -> Rows:
        rows = [[Button(("✅ " if option.key == value else "") + option.label(locale), PICK, index)]
                for index, option in enumerate(field.options)]
        return rows + super().buttons(field, value, locale)

    def hint(self, field: FormField, value: Any) -> str:
        return _("Choose one option.")

    def is_complete(self, field: FormField, value: Any) -> bool:
        return (value is None and not field.required) or value in {o.key for o in field.options}

    def show(self, field: FormField, value: Any, locale: str, limit: int | None = None) -> str:
        return escape(option_labels(field, locale).get(value, "—")) if value else _("skipped")

    def cell(self, field: FormField, value: Any, locale: str) -> Any:
        return option_labels(field, locale).get(value, str(value))


KIND = ChoiceKind()
