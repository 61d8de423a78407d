"""Our SQL, written for SQLite with `?` or `:name` placeholders, as PostgreSQL takes it: placeholders become
$1, $2, ... (never inside string literals, quoted names or comments; `::type` casts are left alone) and
`INSERT OR IGNORE INTO` becomes `INSERT INTO ... ON CONFLICT DO NOTHING`. Each statement text is translated
once (the result is cached)."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\b", re.IGNORECASE)
_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)
_NAME_START = re.compile(r"[A-Za-z_]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


class Translated(NamedTuple):
    sql: str
    names: tuple[str, ...] | None  # the dict keys in $n order for `:name` SQL; None for positional SQL
    returning: bool  # the statement returns rows of a write (RETURNING)


def _skip(sql: str, i: int) -> int:
    """The index just past the literal, quoted name, comment or dollar-quoted text starting at i; i when none."""
    ch = sql[i]
    if ch in "'\"":
        j = i + 1
        while j < len(sql):
            if sql[j] == ch:
                if j + 1 < len(sql) and sql[j + 1] == ch:  # '' or "" inside: an escaped quote
                    j += 2
                    continue
                return j + 1
            j += 1
        return len(sql)
    if sql.startswith("--", i):
        end = sql.find("\n", i)
        return len(sql) if end < 0 else end + 1
    if sql.startswith("/*", i):
        end = sql.find("*/", i + 2)
        return len(sql) if end < 0 else end + 2
    if ch == "$" and (tag := _DOLLAR_TAG.match(sql, i)):
        end = sql.find(tag.group(0), tag.end())
        return len(sql) if end < 0 else end + len(tag.group(0))
    return i


@lru_cache(maxsize=4096)
def translate(sql: str) -> Translated:
    out: list[str] = []
    masked: list[str] = []  # `out` with literals, comments and placeholders blanked: where RETURNING is looked for
    names: list[str] = []
    positional = 0
    i = 0
    while i < len(sql):
        end = _skip(sql, i)
        if end > i:
            out.append(sql[i:end])
            masked.append(" " * (end - i))
            i = end
            continue
        ch = sql[i]
        if ch == "?":
            positional += 1
            out.append(f"${positional}")
            masked.append(" " * len(out[-1]))
            i += 1
        elif ch == ":" and i + 1 < len(sql) and sql[i + 1] == ":":  # a cast
            out.append("::")
            masked.append("::")
            i += 2
        elif ch == ":" and i + 1 < len(sql) and _NAME_START.match(sql[i + 1]):
            match = _NAME.match(sql, i + 1)
            assert match is not None
            name = match.group(0)
            if name not in names:
                names.append(name)
            out.append(f"${names.index(name) + 1}")
            masked.append(" " * len(out[-1]))
            i = match.end()
        else:
            out.append(ch)
            masked.append(ch)
            i += 1
    if positional and names:
        raise ValueError(f"both ? and :name placeholders in one statement: {sql[:80]}")
    text, plain = "".join(out), "".join(masked)
    returning = _RETURNING.search(plain)
    if _IGNORE.match(text):
        text = _IGNORE.sub("INSERT INTO", text, count=1)
        plain = _IGNORE.sub("INSERT INTO", plain, count=1)
        returning = _RETURNING.search(plain)
        if returning:
            text = f"{text[:returning.start()].rstrip()} ON CONFLICT DO NOTHING {text[returning.start():]}"
        else:
            text = f"{text.rstrip().rstrip(';').rstrip()} ON CONFLICT DO NOTHING"
    return Translated(text, tuple(names) if names else None, returning is not None)
