"""Parameters as asyncpg takes them. SQLite takes any value for any column; asyncpg checks each parameter
against the type PostgreSQL inferred for it, so a value is converted to that type first: 5 for a text
parameter becomes '5', '5' or True for an integer becomes 5, 5 for a float becomes 5.0, a dict or a list for
json/jsonb becomes its JSON text, an ISO string for a timestamp or a date becomes a datetime or a date.
None stays None everywhere."""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

Coerce = Callable[[Any], Any]


def _text(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.decode()
    return value


def _integer(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return int(value.strip())
    if isinstance(value, float | Decimal) and value == int(value):
        return int(value)
    return value


def _float(value: Any) -> Any:
    if isinstance(value, int | str | Decimal):  # bool is an int
        return float(value)
    return value


def _numeric(value: Any) -> Any:
    return value if isinstance(value, str) else str(_integer(value) if isinstance(value, bool) else value)


def _boolean(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() in ("1", "t", "true", "yes", "on")
    return value


def _json(value: Any) -> Any:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _timestamp(value: Any) -> Any:
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def _date(value: Any) -> Any:
    if isinstance(value, str):
        return date.fromisoformat(value)
    if isinstance(value, datetime):
        return value.date()
    return value


def _bytes(value: Any) -> Any:
    return value.encode() if isinstance(value, str) else value


_BY_TYPE: dict[str, Coerce] = {
    "text": _text, "varchar": _text, "bpchar": _text, "name": _text, "char": _text, "unknown": _text,
    "int2": _integer, "int4": _integer, "int8": _integer, "oid": _integer,
    "float4": _float, "float8": _float, "numeric": _numeric,
    "bool": _boolean, "json": _json, "jsonb": _json,
    "timestamptz": _timestamp, "timestamp": _timestamp, "date": _date, "bytea": _bytes,
}


def _same(value: Any) -> Any:
    return value


def coercer(type_name: str) -> Coerce:
    """The conversion for a parameter of the PostgreSQL type named `type_name` (pg_type.typname)."""
    return _BY_TYPE.get(type_name, _same)


def coerce_all(coercers: Sequence[Coerce], values: Sequence[Any]) -> list[Any]:
    if len(coercers) != len(values):
        raise ValueError(f"the statement takes {len(coercers)} parameters, {len(values)} given")
    return [None if value is None else convert(value) for convert, value in zip(coercers, values, strict=True)]


def decode_numeric(text: str) -> int | float:
    """numeric results as SQLite gives them: an int when whole, else a float."""
    number = Decimal(text)
    return int(number) if number == number.to_integral_value() else float(number)
