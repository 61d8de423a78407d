"""A bad config stops the bot with a message naming the key."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, old: str, new: str) -> Path:
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "config.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_shipped_config_is_valid():
    config = load_config(REPO / "config.toml")
    assert [f.key for f in config.form.fields][:3] == ["members_total", "members_joined", "members_left"]
    assert config.form.field("appeals_resolved").lte == "appeals_received"
    assert config.calendar.timezone == "Asia/Almaty"


@pytest.mark.parametrize("old, new, key", [
    ('due_day = 5 ', 'due_day = 45 ', "calendar.due_day"),
    ('timezone = "Asia/Almaty"', 'timezone = "Mars/Olympus"', "calendar.timezone"),
    ('quiet_start = "21:00"', 'quiet_start = "9pm"', "calendar.quiet_start"),
    ('type = "multi"', 'type = "multiple"', "form.fields.8.type"),
    ('lte = "appeals_received"', 'lte = "appeals_lost"', "form"),
    ('rate_per_second = 25', 'rate_per_second = -1', "broadcast.rate_per_second"),
    ('[sandbox]', '[sandbox]\nwebport = 1', "sandbox.webport"),
])
def test_a_bad_value_names_its_key(tmp_path, old, new, key):
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, old, new))
    assert key in str(error.value)


def test_toml_syntax_error(tmp_path):
    with pytest.raises(ConfigError, match="bad config"):
        load_config(write(tmp_path, "[bot]", "[bot"))


def test_environment_overrides(tmp_path, monkeypatch):
    monkeypatch.setenv("BASTAU_CALENDAR__DUE_DAY", "7")
    monkeypatch.setenv("BASTAU_DB", str(tmp_path / "other.db"))
    monkeypatch.setenv("TELEGRAM_API_SERVER", "http://127.0.0.1:9999/")
    config = load_config(REPO / "config.toml")
    assert config.calendar.due_day == 7
    assert config.db_path == tmp_path / "other.db"
    assert config.api_server == "http://127.0.0.1:9999"


@pytest.mark.slow
def test_the_cli_refuses_a_bad_config_naming_the_key(tmp_path):
    path = write(tmp_path, 'open_day = 25', 'open_day = 31')
    result = subprocess.run([sys.executable, "-m", "bot", "--config", str(path), "migrate"],
                            capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 2
    assert "calendar.open_day" in result.stderr


@pytest.mark.slow
def test_run_without_token_explains(tmp_path, monkeypatch):
    path = write(tmp_path, 'db_path = "bastau.db"', f'db_path = "{tmp_path / "x.db"}"')
    env = {k: v for k, v in __import__("os").environ.items() if k != "BOT_TOKEN"}
    result = subprocess.run([sys.executable, "-m", "bot", "--config", str(path), "run"],
                            capture_output=True, text=True, cwd=REPO, env=env, timeout=60)
    assert result.returncode == 2
    assert "BOT_TOKEN" in result.stderr
