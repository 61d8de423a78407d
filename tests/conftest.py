from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_config
from bot.domain.clock import FakeClock
from db.database import Database
from db.queries.orgs import RosterRow, apply_rows
from tests.support.harness import Harness, at

REPO = Path(__file__).resolve().parent.parent

ROSTER = [
    ("Сайрам ауданы", "Құтарыс", "social", 400),
    ("Сайрам ауданы", "Қайнарбұлақ", "agriculture", 500),
    ("Байзақ ауданы", "Мектеп №5", "social", 120),
]


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """The repository's config.toml with the database in the test's folder and two admins."""
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    text = text.replace('db_path = "bastau.db"', f'db_path = "{tmp_path / "bastau.db"}"')
    text += (
        "\n[[admins]]\ntelegram_id = 900\nscope = \"branch\"\n"
        "\n[[admins]]\ntelegram_id = 901\nscope = \"district\"\ndistrict = \"Сайрам ауданы\"\n"
    )
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def config(config_file: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("BASTAU_DB", raising=False)
    monkeypatch.delenv("TELEGRAM_API_SERVER", raising=False)
    return load_config(config_file)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at("2026-11-26 10:00"))


@pytest.fixture
async def harness(config, clock):
    h = await Harness.create(config, clock)
    await seed_roster(h.app.db, clock)
    yield h
    await h.close()


async def seed_roster(db: Database, clock: FakeClock, rows=ROSTER) -> None:
    await apply_rows(db, [RosterRow(n, d, o, s, m) for n, (d, o, s, m) in enumerate(rows, start=2)], clock.now())


async def code_of(db: Database, organization: str) -> str:
    row = await db.fetchone("SELECT invite_code FROM organizations WHERE name = ?", (organization,))
    return row[0]
