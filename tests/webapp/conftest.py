"""Mini App API tests: the conftest harness (Сайрам ауданы: Құтарыс, Қайнарбұлақ; Байзақ ауданы: Мектеп №5;
branch admin 900, district admin 901 of Сайрам), chairs registered and reports filed through the repositories."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.support.webapp import webapp_client

BRANCH, DISTRICT = 900, 901
KUTARYS_CHAIR, MEKTEP_CHAIR = 1001, 1003  # chairs of Құтарыс (Сайрам) and Мектеп №5 (Байзақ)


def answers(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"members_total": 400, "members_joined": 2, "members_left": 0, "events_held": 3,
                            "events_summary": "Ардагерлермен кездесу", "deputy_meetings": 1, "appeals_received": 4,
                            "appeals_resolved": 3, "projects": ["auyl_amanaty"], "trainings": 1, "needs": None,
                            "photos": []}
    return base | values


async def org_id(harness, name: str) -> int:
    return next(o.id for o in await harness.app.repos.orgs.all() if o.name == name)


async def register(harness, user_id: int, organization: str, name: str, phone: str | None, locale: str) -> int:
    repos, now = harness.app.repos, harness.clock.now()
    org = await org_id(harness, organization)
    await repos.users.ensure(user_id, now)
    await repos.users.set_locale(user_id, locale)
    assert await repos.users.register_chair(user_id, org, name, phone, now)
    return org


async def file_report(harness, org: int, month: str, user_id: int, late: bool = False, **values: Any) -> None:
    await harness.app.repos.reports.submit(org, month, user_id, answers(**values), late,
                                           harness.clock.now() - timedelta(days=1))


@pytest.fixture
async def world(harness):
    """Two chairs; Құтарыс filed November with a photo and October; Мектеп №5 filed October only."""
    kutarys = await register(harness, KUTARYS_CHAIR, "Құтарыс", "Асанов Айбек", "+77010000001", "kk")
    mektep = await register(harness, MEKTEP_CHAIR, "Мектеп №5", "Петрова Анна", "+77010000003", "ru")
    await file_report(harness, kutarys, "2026-11", KUTARYS_CHAIR, members_total=410, photos=["kphoto1"])
    await file_report(harness, kutarys, "2026-10", KUTARYS_CHAIR, members_total=400, events_held=2)
    await file_report(harness, mektep, "2026-10", MEKTEP_CHAIR, late=True, members_total=120, photos=["mphoto1"])
    harness.session.files["kphoto1"] = b"\xff\xd8\xff kutarys photo"
    harness.session.files["mphoto1"] = b"\xff\xd8\xff mektep photo"
    return {"kutarys": kutarys, "mektep": mektep, "kainar": await org_id(harness, "Қайнарбұлақ")}


@pytest.fixture
async def api(harness):
    async with webapp_client(harness) as client:
        yield client
