"""The report form engine: pure functions over the form definition (config.toml) and an answers dict.

Answers are JSON values keyed by field key, of the shape each field's kind stores (bot/form/kinds:
int, str or None for a skipped text, option key, list of option keys, list of Telegram file_ids).
A field counts as answered when its key is present with a value that completes it (see `is_answered`).
Errors are returned, never raised: `Invalid` carries a message id (marked with N_, translated by
render) and its parameters, so this module knows nothing about languages or Telegram.
"""
from __future__ import annotations

from typing import Any

from bot.config import Form, FormField
from bot.form.kinds import kind_of
from bot.form.kinds.base import N_, Invalid


def cross_check(form: Form, key: str, value: Any, answers: dict[str, Any]) -> Invalid | None:
    """The `lte` rules involving `key`, checked against the other answers already given."""
    field = form.field(key)
    if field is None or not kind_of(field).numeric:
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


def is_answered(field: FormField, answers: dict[str, Any]) -> bool:
    return field.key in answers and kind_of(field).is_complete(field, answers[field.key])


def apply_skip_rules(form: Form, answers: dict[str, Any]) -> dict[str, Any]:
    """Answers with every automatic value filled in (see `Kind.auto_value`)."""
    result = dict(answers)
    for field in form.fields:
        value = kind_of(field).auto_value(field, result)
        if value is not None:
            result[field.key] = value
    return result


def is_asked(field: FormField, answers: dict[str, Any]) -> bool:
    return kind_of(field).auto_value(field, answers) is None


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


def answered_count(form: Form, answers: dict[str, Any]) -> int:
    """How many questions have an answer (automatic values included)."""
    filled = apply_skip_rules(form, answers)
    return sum(is_answered(field, filled) for field in form.fields)


def first_problem(form: Form, answers: dict[str, Any]) -> tuple[str, Invalid | None] | None:
    """Before submitting: the first field that is unanswered (None) or breaks a rule (Invalid)."""
    answers = apply_skip_rules(form, answers)
    for field in form.fields:
        if not is_answered(field, answers):
            return field.key, None
        value = answers[field.key]
        problem = kind_of(field).validate(field, value) or (
            cross_check(form, field.key, value, answers) if field.lte else None)
        if problem is not None:
            return field.key, problem
    return None


def clean_answers(form: Form, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers to store: only the form's keys, automatic values filled in."""
    filled = apply_skip_rules(form, answers)
    return {f.key: filled[f.key] for f in form.fields if f.key in filled}
