from __future__ import annotations

from datetime import datetime


def iso(moment: datetime) -> str:
    """Timestamps are stored as ISO 8601 in UTC."""
    return moment.isoformat(timespec="seconds")
