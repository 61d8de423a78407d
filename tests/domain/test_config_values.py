"""Config values checked against the calendar and each other; the database path checked at load."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from tests.support.paths import REPO


def write(tmp_path: Path, old: str, new: str) -> Path:
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "config.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("old, new, key, says", [
    ("remind_days_before_due = [3]", "remind_days_before_due = [-3, 100]", "calendar.remind_days_before_due",
     "from 1 to 7"),
    ("remind_days_before_due = [3]", "remind_days_before_due = [3, 3]", "calendar.remind_days_before_due",
     "each value once"),
    ("remind_days_before_due = [3]", "remind_days_before_due = [8]", "calendar.remind_days_before_due",
     "February"),
    ("due_day = 5 ", "due_day = 26 ", "calendar.due_day", "before open_day (25)"),
    ("overdue_max = 3", "overdue_max = 10", "calendar.overdue_max", "below 20"),
    ("escalation_days_after_due = 1", "escalation_days_after_due = 20", "calendar.escalation_days_after_due",
     "below 20"),
    ("global_wrong_codes_per_day = 200", "global_wrong_codes_per_day = 10", "registration",
     "global_wrong_codes_per_day must be at least global_wrong_codes_per_hour"),
    ("global_wrong_codes_per_hour = 50", "global_wrong_codes_per_hour = 2", "registration",
     "at least max_wrong_codes_per_hour"),
])
def test_calendar_and_registration_values_are_checked(tmp_path, old, new, key, says):
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, old, new))
    assert key in str(error.value) and says in str(error.value)


def test_the_reminder_gap_follows_the_opening_and_due_days(tmp_path):
    path = write(tmp_path, "remind_days_before_due = [3]", "remind_days_before_due = [1, 7, 10]")
    text = path.read_text(encoding="utf-8").replace("open_day = 25", "open_day = 20")
    path.write_text(text, encoding="utf-8")
    assert load_config(path).calendar.remind_days_before_due == (1, 7, 10)     # gap 28 - 20 + 5 = 13


@pytest.mark.slow
@pytest.mark.parametrize("where", ["folder", "under a file", "read-only folder"])
def test_a_bad_database_path_is_one_clear_line(tmp_path, monkeypatch, where):
    if where == "read-only folder" and os.geteuid() == 0:
        pytest.skip("root may write anywhere")
    (tmp_path / "a-file").write_text("x")
    target, named = {"folder": (tmp_path, tmp_path),
                     "under a file": (tmp_path / "a-file" / "sub" / "bastau.db", tmp_path / "a-file"),
                     "read-only folder": (tmp_path / "locked" / "new" / "bastau.db", tmp_path / "locked")}[where]
    if where == "read-only folder":
        named.mkdir()
        named.chmod(0o500)
    monkeypatch.setenv("BASTAU_DB", str(target))
    with pytest.raises(ConfigError) as error:
        load_config(REPO / "config.toml")
    message = str(error.value)
    assert message.startswith("BASTAU_DB: ") and "\n" not in message and str(named) in message
    result = subprocess.run([sys.executable, "-m", "bot", "migrate"], capture_output=True, text=True, cwd=REPO,
                            env={**os.environ, "BASTAU_DB": str(target)}, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"bastau migrate: {message}"]


def test_missing_folders_that_can_be_made_are_fine(tmp_path, monkeypatch):
    monkeypatch.setenv("BASTAU_DB", str(tmp_path / "new" / "deeper" / "bastau.db"))
    assert load_config(REPO / "config.toml").db_path == tmp_path / "new" / "deeper" / "bastau.db"


def test_the_config_key_is_named_when_the_path_comes_from_the_file(tmp_path, monkeypatch):
    monkeypatch.delenv("BASTAU_DB", raising=False)
    path = write(tmp_path, 'db_path = "bastau.db"', f'db_path = "{Path(tmp_path)}"')
    with pytest.raises(ConfigError, match=r"^bot\.db_path: .* is a folder"):
        load_config(path)
