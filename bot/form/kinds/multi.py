"""Several of a list: `options`, toggled with their buttons, then «Done» (none is a valid answer
of an optional one)."""
from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from bot.form.kinds.base import N_, Answer, Button, Invalid, Kind, Outcome, Partial, Rows, _, option_at, option_labels
from bot.form.kinds.choice import check_options

if TYPE_CHECKING:
    from bot.config import FormField

TOGGLE = "toggle"
DONE = "done"


def toggle(field: FormField, selected: list[str], option: str) -> list[str]:
    """Flip one option; the result keeps the form's option order."""
    chosen = set(selected) ^ {option}
    return [o.key for o in field.options if o.key in chosen]


def finish(field: FormField, value: list[str] | None, none_msgid: str) -> list[str] | Invalid:
    """«Done» on a question that collects a list (multi, photos)."""
    value = list(value or [])
    if field.required and not value:
        return Invalid(none_msgid)
    return value


def done_outcome(field: FormField, value: Any, none_msgid: str) -> Outcome:
    result = finish(field, value, none_msgid)
    return result if isinstance(result, Invalid) else Answer(result)


def is_list_answer(field: FormField, value: Any) -> bool:
    return isinstance(value, list) and (bool(value) or not field.required)


def done_button() -> list[Button]:
    return [Button(_("✔️ Done"), DONE)]


class MultiKind(Kind):
    name = "multi"
    has_options = True
    counted_options = True
    shows_current = False  # the chosen options are marked on the buttons

    def check(self, field: FormField) -> None:
        super().check(field)
        check_options(field)

    def press(self, field: FormField, action: str, index: int, value: Any) -> Outcome | None:
        option = option_at(field, index)
        if action == TOGGLE and option is not None:
            return Partial(toggle(field, value or [], option))
        if action == DONE:
            return done_outcome(field, value, N_("Please choose at least one option."))
        return None

    def skip_value(self, field: FormField) -> Any:
        return []

    def buttons(self, field: FormField, value: Any, locale: str) -> Rows:
        selected = set(value or [])
        rows = [[Button(("✅ " if option.key in selected else "▫️ ") + option.label(locale), TOGGLE, index)]
                for index, option in enumerate(field.options)]
        return [*rows, done_button()]

    def hint(self, field: FormField, value: Any) -> str:
        hint = _("Choose all that apply (press again to unselect), then press «Done».")
        if not field.required:
            hint += " " + _("If none applies, just press «Done».")
        return hint

    def is_complete(self, field: FormField, value: Any) -> bool:
        return is_list_answer(field, value)

    def show(self, field: FormField, value: Any, locale: str, limit: int | None = None) -> str:
        labels = option_labels(field, locale)
        order = {o.key: i for i, o in enumerate(field.options)}  # the form's order, not the order chosen
        chosen = sorted(value or [], key=lambda v: order.get(v, len(order)))
        return escape("; ".join(labels.get(v, v) for v in chosen)) if value else _("none")

    def cell(self, field: FormField, value: Any, locale: str) -> Any:
        labels = option_labels(field, locale)
        keys = value if isinstance(value, list) else [value]
        return "; ".join(labels.get(k, str(k)) for k in keys)


KIND = MultiKind()
