"""The SQL fragments that differ between SQLite and PostgreSQL, for the repositories of db/queries/.

A repository keeps its SQLite statements as they are and builds the PostgreSQL form beside them,
choosing by `db.dialect` once, when it is made. JSON is stored as text on both engines (the
PostgreSQL migrations in db/migrations/postgresql/ say why); PostgreSQL reads it as jsonb.
"""
from __future__ import annotations

import re

SQLITE, POSTGRESQL = "sqlite", "postgresql"


def json_texts(dialect: str, param: str) -> str:
    """A subquery of the strings of a JSON array parameter, e.g. `key IN (<this>)`."""
    if dialect == POSTGRESQL:
        return f"SELECT jsonb_array_elements_text(CAST({param} AS jsonb))"
    return f"SELECT value FROM json_each({param})"


def json_ints(dialect: str, param: str) -> str:
    """A subquery of the integers of a JSON array parameter, e.g. `id IN (<this>)`."""
    if dialect == POSTGRESQL:
        return f"SELECT CAST(jsonb_array_elements_text(CAST({param} AS jsonb)) AS BIGINT)"
    return f"SELECT value FROM json_each({param})"


def json_field(dialect: str, column: str, name: str) -> str:
    """A top-level field of a JSON object column, as text (SQLite: its SQL value; a string there)."""
    if dialect == POSTGRESQL:
        return f'((CAST({column} AS jsonb) ->> \'{name}\') COLLATE "C")'
    return f"json_extract({column}, '$.{name}')"


_CROSS_JOIN_ON = re.compile(r"\bCROSS JOIN (\w+ \w+) ON\b")


def inner_joins(sql: str) -> str:
    """SQLite's `CROSS JOIN t x ON ...` (an inner join whose order the planner keeps) as PostgreSQL's
    `JOIN t x ON ...` (PostgreSQL refuses ON after CROSS JOIN and orders joins itself)."""
    return _CROSS_JOIN_ON.sub(r"JOIN \1 ON", sql)
