"""A whole number: `min`, `max` and `lte` (the key of another int field it may not exceed)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from bot.form.kinds.base import N_, Answer, Invalid, Kind, Outcome, Reply, _

if TYPE_CHECKING:
    from bot.config import FormField

# An int field without `max` still has a sane upper bound (a typo such as 10000000000 is refused).
DEFAULT_INT_MAX = 1_000_000

_INTEGER = re.compile(r"[-−]?[0-9]+")
_SPACED_DIGITS = re.compile(r"[0-9]{1,3}([ \u00a0\u202f][0-9]{3})+")
_DECIMAL = re.compile(r"-?[0-9]*[.,][0-9]+")
SEND_A_NUMBER = N_("Please send a number, for example 12.")


def int_bounds(field: FormField) -> tuple[int, int]:
    low = field.min if field.min is not None else 0
    high = field.max if field.max is not None else DEFAULT_INT_MAX
    return low, high


def parse_int(field: FormField, text: str | None) -> int | Invalid:
    low, high = int_bounds(field)
    if text is None:
        return Invalid(SEND_A_NUMBER)
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
        return Invalid(SEND_A_NUMBER)
    return _in_bounds(number, low, high) or number


def _in_bounds(number: int, low: int, high: int) -> Invalid | None:
    if number < 0 <= low:
        return Invalid(N_("The number cannot be negative."))
    if number < low:
        return Invalid(N_("The number must be at least {min}."), {"min": low})
    if number > high:
        return Invalid(N_("The number is too large: at most {max}."), {"max": high})
    return None


class IntKind(Kind):
    name = "int"
    numeric = True

    def check(self, field: FormField) -> None:
        super().check(field)
        if field.min is not None and field.max is not None and field.min > field.max:
            raise ValueError(f"field '{field.key}': min is greater than max")

    def parse(self, field: FormField, reply: Reply, value: Any) -> Outcome:
        number = parse_int(field, reply.text)
        return number if isinstance(number, Invalid) else Answer(number)

    def hint(self, field: FormField, value: Any) -> str:
        low, high = int_bounds(field)
        if field.max is None:  # DEFAULT_INT_MAX only catches typos: not a maximum the form sets
            return _("Send a whole number, {min} or more, digits only.").format(min=low)
        return _("Send a whole number from {min} to {max}, digits only.").format(min=low, max=high)

    def is_complete(self, field: FormField, value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    def validate(self, field: FormField, value: Any) -> Invalid | None:
        return _in_bounds(value, *int_bounds(field))

    def auto_value(self, field: FormField, answers: dict[str, Any]) -> Any:
        """Bounded by another field (lte) that is 0, it can only be 0."""
        if field.lte and answers.get(field.lte) == 0 and int_bounds(field)[0] <= 0:
            return 0
        return None


KIND = IntKind()
