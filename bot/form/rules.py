"""Soft rules of the form (config.toml `[[form.rules]]`), checked at the summary: a rule that is not met
warns the chair with the numbers; the chair corrects an answer or confirms anyway. Admins see the same
warning on the report. Pure: no aiogram, no database.

    [[form.rules]]                 # members_total = last month's members_total + joined − left
    key = "members_total"
    plus = ["members_joined"]
    minus = ["members_left"]
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

from bot.form.kinds.base import _

if TYPE_CHECKING:
    from bot.config import Form


@dataclass(frozen=True)
class Warning:
    key: str
    value: int
    last: int
    terms: tuple[tuple[str, str, int], ...]  # ("+" or "−", key, this month's answer)

    @property
    def expected(self) -> int:
        return self.last + sum(v if sign == "+" else -v for sign, _key, v in self.terms)


def _number(answers: dict[str, Any], key: str) -> int | None:
    value = answers.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def check(form: Form, answers: dict[str, Any], last_month: dict[str, Any] | None) -> list[Warning]:
    """The rules this month's answers break, against last month's answers (none without them)."""
    if not last_month:
        return []
    out = []
    for rule in form.rules:
        value, last = _number(answers, rule.key), _number(last_month, rule.key)
        if value is None or last is None:
            continue
        terms = tuple(("+", k, _number(answers, k) or 0) for k in rule.plus) + \
            tuple(("−", k, _number(answers, k) or 0) for k in rule.minus)
        warning = Warning(rule.key, value, last, terms)
        if value != warning.expected:
            out.append(warning)
    return out


def warning_text(form: Form, warning: Warning, locale: str, html: bool = True) -> str:
    """«⚠️ Всего членов партии: 405, а по прошлому месяцу выходит 410: 400 + Принято в партию… 12 − …»;
    labels escaped for Telegram's HTML, or as they are (`html=False`) for the Mini App, which shows text."""
    def label(key: str) -> str:
        field = form.field(key)
        text = field.label.get(locale) if field else key
        return escape(text) if html else text

    terms = " ".join(f"{sign} {label(key)} ({value})" for sign, key, value in warning.terms)
    return _("⚠️ {label}: {value}, but last month's {last} with this month's changes gives {expected}: "
             "{last} {terms}.").format(label=label(warning.key), value=warning.value, last=warning.last,
                                       expected=warning.expected, terms=terms)
