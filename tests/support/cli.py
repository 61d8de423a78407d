"""The `bastau` command run as a child process, as a user would type it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.paths import REPO


def bastau(config_file: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`bastau --config FILE ARGS...`; `env` replaces the environment when given."""
    return subprocess.run([sys.executable, "-m", "bot", "--config", str(config_file), *args],
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=60)
