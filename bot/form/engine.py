"""The report form engine: pure functions over the form definition (config.toml) and an answers dict.

Answers are JSON values keyed by field key: int for int fields, str or None (skipped) for text,
option key for choice, list of option keys for multi, list of Telegram file_ids for photos.
A field counts as answered when its key is present with a value that completes it (see `is_answered`).
Errors are returned, never raised: `Invalid` carries a message id (marked with N_, translated by
render) and its parameters, so this module knows nothing about languages or Telegram.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from bot.config import Form, FormField
from bot.i18n import N_

# An int field without `max` still has a sane upper bound (a typo such as 10000000000 is refused).
DEFAULT_INT_MAX = 1_000_000

_INTEGER = re.compile(r"[-−]?[0-9]+")
_SPACED_DIGITS = re.compile(r"[0-9]{1,3}([ \u00a0\u202f][0-9]{3})+")
_DECIMAL = re.compile(r"-?[0-9]*[.,][0-9]+")


@dataclass(frozen=True)
class Invalid:
    """Why an answer was refused. `params` fill the message; `other` names a second field (cross rules)."""
    msgid: str
    params: dict[str, Any] = dc_field(default_factory=dict)
    other: str | None = None


def int_bounds(field: FormField) -> tuple[int, int]:
    low = field.min if field.min is not None else 0
    high = field.max if field.max is not None else DEFAULT_INT_MAX
    return low, high


def parse_int(field: FormField, text: str | None) -> int | Invalid:
    low, high = int_bounds(field)
    if text is None:
        return Invalid(N_("Please send a number, for example 12."))
    value = text.strip()
    if _INTEGER.fullmatch(value):
        number = int(value.replace("−", "-"))
    elif _SPACED_DIGITS.fullmatch(value):
        joined = re.sub(r"\D", "", value)
        return Invalid(N_("Please write the number with digits only, without spaces: {example}."),
                       {"example": joined})
    elif _DECIMAL.fullmatch(value):
        return Invalid(N_("Please send a whole number, without a fraction."))
    else:
        return Invalid(N_("Please send a number, for example 12."))
    if number < 0 <= low:
        return Invalid(N_("The number cannot be negative."))
    if number < low:
        return Invalid(N_("The number must be at least {min}."), {"min": low})
    if number > high:
        return Invalid(N_("The number is too large: at most {max}."), {"max": high})
    return number


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


def cross_check(form: Form, key: str, value: Any, answers: dict[str, Any]) -> Invalid | None:
    """The `lte` rules involving `key`, checked against the other answers already given."""
    field = form.field(key)
    if field is None or field.type != "int":
        return None
    if field.lte and isinstance(answers.get(field.lte), int) and value > answers[field.lte]:
        return Invalid(N_("«{label}» cannot be greater than «{other}» ({other_value})."),
                       {"other_value": answers[field.lte]}, other=field.lte)
    for dependent in form.fields:
        if dependent.lte == key and isinstance(answers.get(dependent.key), int) and answers[dependent.key] > value:
            return Invalid(N_("«{label}» cannot be less than «{other}» ({other_value}). "
                              "Change «{other}» first if needed."),
                           {"other_value": answers[dependent.key]}, other=dependent.key)
    return None


def option_index(field: FormField, index: int) -> str | None:
    """The option key at a button's index, or None for a forged index."""
    if field.type not in ("choice", "multi") or not 0 <= index < len(field.options):
        return None
    return field.options[index].key


def toggle(field: FormField, selected: list[str], option: str) -> list[str]:
    """Flip one option; the result keeps the form's option order."""
    chosen = set(selected) ^ {option}
    return [o.key for o in field.options if o.key in chosen]


def add_photo(field: FormField, photos: list[str], file_id: str) -> list[str] | Invalid:
    if len(photos) >= field.max_count:
        return Invalid(N_("That is the maximum of {max} photos. Press «Done» to go on."),
                       {"max": field.max_count})
    if file_id in photos:
        return list(photos)
    return [*photos, file_id]


def finish_multi(field: FormField, value: list[str] | None) -> list[str] | Invalid:
    """«Done» on a multi or photos question."""
    value = list(value or [])
    if field.required and not value:
        if field.type == "photos":
            return Invalid(N_("Please send at least one photo."))
        return Invalid(N_("Please choose at least one option."))
    return value


def skip_value(field: FormField) -> Any:
    """What «Skip» stores for an optional field."""
    return [] if field.type in ("multi", "photos") else None


def auto_value(field: FormField, answers: dict[str, Any]) -> int | None:
    """Skip rule: a field bounded by another (lte) that is 0 can only be 0, so it is not asked."""
    if field.type == "int" and field.lte and answers.get(field.lte) == 0 and int_bounds(field)[0] <= 0:
        return 0
    return None


def is_answered(field: FormField, answers: dict[str, Any]) -> bool:
    if field.key not in answers:
        return False
    value = answers[field.key]
    if field.type == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if field.type == "text":
        return (value is None and not field.required) or isinstance(value, str)
    if field.type == "choice":
        return (value is None and not field.required) or value in {o.key for o in field.options}
    return isinstance(value, list) and (bool(value) or not field.required)


def apply_skip_rules(form: Form, answers: dict[str, Any]) -> dict[str, Any]:
    """Answers with every automatic value filled in (see `auto_value`)."""
    result = dict(answers)
    for field in form.fields:
        value = auto_value(field, result)
        if value is not None:
            result[field.key] = value
    return result


def is_asked(field: FormField, answers: dict[str, Any]) -> bool:
    return auto_value(field, answers) is None


def next_key(form: Form, after: str | None, answers: dict[str, Any]) -> str | None:
    """The next question to ask: the first unanswered one after `after`, else the first unanswered
    anywhere, else None (the summary). So answering a question reached with Back or Edit returns
    to where the chair was, and nothing is asked twice."""
    keys = [f.key for f in form.fields]
    start = keys.index(after) + 1 if after in keys else 0
    ordered = list(form.fields[start:]) + list(form.fields[:start])
    for field in ordered:
        if is_asked(field, answers) and not is_answered(field, answers):
            return field.key
    return None


def previous_key(form: Form, current: str | None, answers: dict[str, Any]) -> str | None:
    """The question before `current` (before the summary: the last question); None at the first."""
    keys = [f.key for f in form.fields]
    end = keys.index(current) if current in keys else len(keys)
    for field in reversed(form.fields[:end]):
        if is_asked(field, answers):
            return field.key
    return None


def position(form: Form, key: str) -> tuple[int, int]:
    """(number of the question, total), 1-based, for «Question 3 of 12»."""
    return form.index(key) + 1, len(form.fields)


def first_problem(form: Form, answers: dict[str, Any]) -> tuple[str, Invalid | None] | None:
    """Before submitting: the first field that is unanswered (None) or breaks a rule (Invalid)."""
    answers = apply_skip_rules(form, answers)
    for field in form.fields:
        if not is_answered(field, answers):
            return field.key, None
        if field.type == "int":
            low, high = int_bounds(field)
            value = answers[field.key]
            if not low <= value <= high:
                return field.key, parse_int(field, str(value))
            problem = cross_check(form, field.key, value, answers) if field.lte else None
            if problem is not None:
                return field.key, problem
    return None


def clean_answers(form: Form, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers to store: only the form's keys, automatic values filled in."""
    filled = apply_skip_rules(form, answers)
    return {f.key: filled[f.key] for f in form.fields if f.key in filled}
