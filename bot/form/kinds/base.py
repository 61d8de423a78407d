"""What every field kind knows, and the small values the kinds and the engine exchange.

A kind is one type of question of the form (`type = "int"` in config.toml): it checks its own config
keys, parses an answer, offers its buttons, hints, shows and exports a value. This module imports no
aiogram: texts are translated through the lazy `_`/`ngettext` below, in the locale of the update
being handled, so config.py can import the kinds to validate a form.
"""
from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from html import escape
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from bot.config import FormField


def N_(message: str) -> str:
    """Marks a message id for extraction; it is translated where it is shown."""
    return message


def _(message: str) -> str:
    from aiogram.utils.i18n import gettext

    return gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    from aiogram.utils.i18n import ngettext as translate

    return translate(singular, plural, n)


@dataclass(frozen=True)
class Invalid:
    """Why an answer was refused. `params` fill the message; `other` names a second field (cross rules)."""
    msgid: str
    params: dict[str, Any] = dc_field(default_factory=dict)
    other: str | None = None


@dataclass(frozen=True)
class Answer:
    """A value that completes the question: the dialog stores it and moves on."""
    value: Any


@dataclass(frozen=True)
class Partial:
    """A value that stays on the question (one option toggled, one more photo)."""
    value: Any


Outcome = Answer | Partial | Invalid


@dataclass(frozen=True)
class Reply:
    """A chair's message as the kinds see it: its text, its largest photo, or a picture sent as a file."""
    text: str | None = None
    photo: str | None = None
    image_file: bool = False


@dataclass(frozen=True)
class Button:
    """One inline button of a question; render.py packs it with the field's key."""
    label: str
    action: str
    index: int = -1


Rows = list[list[Button]]
USE_BUTTONS = N_("Please choose with the buttons under the question.")
SKIP = "skip"


class Kind:
    """The defaults; each type overrides what differs."""
    name: ClassVar[str]
    numeric: ClassVar[bool] = False          # summed in exports and digests; may bound another field (lte)
    counted_options: ClassVar[bool] = False  # the digest counts how many organizations chose each option
    has_options: ClassVar[bool] = False      # needs `options`
    shows_current: ClassVar[bool] = True     # the question repeats the current answer

    def check(self, field: FormField) -> None:
        """The type's own config rules; raises ValueError naming the field."""
        if self.has_options and not field.options:
            raise ValueError(f"field '{field.key}' of type {field.type} needs options")
        if not self.has_options and field.options:
            raise ValueError(f"field '{field.key}' of type {field.type} cannot have options")
        if field.lte and not self.numeric:
            raise ValueError(f"field '{field.key}': lte only applies to int fields")

    def parse(self, field: FormField, reply: Reply, value: Any) -> Outcome:
        """The answer a message gives; `value` is the field's current answer (None if none)."""
        return Invalid(USE_BUTTONS)

    def press(self, field: FormField, action: str, index: int, value: Any) -> Outcome | None:
        """What a button of this kind does; None for a button the kind does not have."""
        if action == SKIP and self.skippable(field):
            return Answer(self.skip_value(field))
        return None

    def skippable(self, field: FormField) -> bool:
        """Whether the question has a «Skip» button."""
        return False

    def skip_value(self, field: FormField) -> Any:
        """What an optional question stores when it is left unanswered."""
        return None

    def buttons(self, field: FormField, value: Any, locale: str) -> Rows:
        """The question's own buttons, above the navigation row that every question has."""
        rows: Rows = []
        if self.skippable(field):
            rows.append([Button(_("⏭ Skip this question"), SKIP)])
        return rows

    def hint(self, field: FormField, value: Any) -> str:
        raise NotImplementedError

    def is_complete(self, field: FormField, value: Any) -> bool:
        """Whether a stored value answers the question."""
        raise NotImplementedError

    def validate(self, field: FormField, value: Any) -> Invalid | None:
        """A stored answer checked again before submitting."""
        return None

    def auto_value(self, field: FormField, answers: dict[str, Any]) -> Any:
        """A value that follows from other answers, so the question is not asked (None: ask it)."""
        return None

    def show(self, field: FormField, value: Any, locale: str, limit: int | None = None) -> str:
        """A stored answer for the chair to read, escaped for HTML."""
        return escape(str(value))

    def cell(self, field: FormField, value: Any, locale: str) -> Any:
        """A stored answer (not None) as a spreadsheet cell."""
        return value

    def received(self, field: FormField, value: Any) -> str | None:
        """The note that acknowledges a partial answer sent as a message (None: show the question)."""
        return None


def option_labels(field: FormField, locale: str) -> dict[str, str]:
    return {o.key: o.label(locale) for o in field.options}


def option_at(field: FormField, index: int) -> str | None:
    """The option key at a button's index, or None for a forged index."""
    if not 0 <= index < len(field.options):
        return None
    return field.options[index].key
