"""deploy/ says only what the code accepts: the example config validates over the repository's, the
units run commands `bastau` parses, and `[telegram] local` reaches aiogram's TelegramAPIServer."""
from __future__ import annotations

import re
import shlex
import tomllib

import pytest

from bot.app import build_bot
from bot.cli import build_parser
from bot.config import load_config
from tests.support.paths import REPO

DEPLOY = REPO / "deploy"


def merged_config(tmp_path):
    """The repository's config.toml with deploy/config.toml.example's sections laid over it (as a TOML file)."""
    base = tomllib.loads((REPO / "config.toml").read_text(encoding="utf-8"))
    example = tomllib.loads((DEPLOY / "config.toml.example").read_text(encoding="utf-8"))
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    for section, values in example.items():
        assert isinstance(values, dict)
        base.setdefault(section, {}).update(values)
        body = "".join(f"{key} = {_toml(value)}\n" for key, value in base[section].items())
        header = re.compile(rf"^\[{section}\]\n(?:(?!\[).*\n)*", re.MULTILINE)
        text = header.sub(f"[{section}]\n{body}\n", text, count=1) if header.search(text) else \
            text + f"\n[{section}]\n{body}"
    text = text.replace('db_path = "bastau.db"', f'db_path = "{tmp_path / "bastau.db"}"')
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


def test_the_example_config_is_valid_and_local_reaches_the_bot_api_client(tmp_path, monkeypatch):
    monkeypatch.delenv("TELEGRAM_API_SERVER", raising=False)
    monkeypatch.delenv("BASTAU_REDIS_URL", raising=False)
    config = load_config(merged_config(tmp_path))
    assert config.webhook.enabled and config.webhook.path == "/telegram/webhook"
    assert config.cluster.failover_s == 30 and config.telegram.local
    bot = build_bot("42:TEST", config)
    assert bot.session.api.is_local and bot.session.api.base == "http://127.0.0.1:8081/bot{token}/{method}"


@pytest.mark.parametrize(("unit", "role", "webhook"), [("bastau-web@.service", "web", True),
                                                        ("bastau-worker.service", "worker", False)])
def test_the_units_run_commands_bastau_parses(unit, role, webhook):
    text = (DEPLOY / unit).read_text(encoding="utf-8")
    command = shlex.split(re.search(r"^ExecStart=(.*)$", text, re.MULTILINE).group(1))
    assert command[0].endswith("/bastau")
    args = build_parser().parse_args(command[1:])
    assert args.command == "run" and args.role == role and args.webhook is webhook
