"""The fixtures every test may ask for (registered by tests/conftest.py): a config in the test's folder,
a fake clock, a harness over a seeded roster, and a harness whose broadcast engine sleeps on that clock."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_config
from bot.domain.clock import FakeClock
from bot.features.broadcast import ENGINE_KEY
from tests.support.broadcast import CHAIRS, FakeSleep, harness_with_engine
from tests.support.harness import Harness, at
from tests.support.paths import REPO
from tests.support.people import register
from tests.support.roster import seed_roster

DATABASES = ["sqlite", "postgresql"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked sqlite_only (it is about SQLite itself: its file, lock, backups) runs on SQLite only;
    one marked postgresql_only (pg_dump, several processes on one database) on PostgreSQL only."""
    kept, dropped = [], []
    for item in items:
        spec = getattr(item, "callspec", None)
        engine = spec.params.get("config_file") if spec is not None else None
        other = {"sqlite": "postgresql_only", "postgresql": "sqlite_only"}.get(engine or "")
        (dropped if other and item.get_closest_marker(other) else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(params=DATABASES)
def config_file(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """The repository's config.toml with the database in the test's folder (SQLite), or a fresh database of
    the session's PostgreSQL server in `database_url`; the web server on a free port, and two admins."""
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    text = text.replace('db_path = "bastau.db"', f'db_path = "{tmp_path / "bastau.db"}"')
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_url")
        text = text.replace('database_url = ""', f'database_url = "{url}"', 1)
    text = text.replace("port = 8090", "port = 0")  # the Mini App's server on a free port: tests run side by side
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
    monkeypatch.delenv("BASTAU_DATABASE_URL", raising=False)
    monkeypatch.delenv("BASTAU_REDIS_URL", raising=False)
    monkeypatch.delenv("TELEGRAM_API_SERVER", raising=False)
    return load_config(config_file)


PUBLIC_URL = "https://bastau.example.kz"  # [web] public_url of `web_harness`


@pytest.fixture
async def web_harness(config, clock):
    """The seeded harness with `[web] public_url` set, so buttons that open the Mini App are offered."""
    web = config.web.model_copy(update={"public_url": PUBLIC_URL})
    h = await Harness.create(config.model_copy(update={"web": web}), clock)
    await seed_roster(h.app.db, clock)
    yield h
    await h.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(at("2026-11-26 10:00"))


@pytest.fixture
async def harness(config, clock):
    h = await Harness.create(config, clock)
    await seed_roster(h.app.db, clock)
    yield h
    await h.close()


@pytest.fixture
def sleep(clock) -> FakeSleep:
    return FakeSleep(clock)


@pytest.fixture
async def bh(config, clock, sleep):
    """Three registered chairs: two in Сайрам ауданы, one in Байзақ ауданы."""
    h = await harness_with_engine(config, clock, sleep)
    await seed_roster(h.app.db, clock)
    for user_id, (language, org) in CHAIRS.items():
        await register(h, user_id, language, org)
    yield h
    await h.app.extra[ENGINE_KEY].stop()
    await h.close()
