from __future__ import annotations

from datetime import datetime
from typing import Protocol


def iso(moment: datetime) -> str:
    """Timestamps are stored as ISO 8601 in UTC."""
    return moment.isoformat(timespec="seconds")


class _Inserted(Protocol):
    @property
    def lastrowid(self) -> int | None: ...


def inserted_id(cursor: _Inserted) -> int:
    """The id of the row an INSERT has just added."""
    if cursor.lastrowid is None:
        raise RuntimeError("the statement inserted no row")
    return cursor.lastrowid
