"""Where the repository is, for tests that read its files or start its processes."""
from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
