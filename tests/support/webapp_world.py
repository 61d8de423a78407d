"""The Mini App stories' world (Сайрам ауданы: Құтарыс, Қайнарбұлақ; Байзақ ауданы: Мектеп №5; branch admin 900,
district admin 901 of Сайрам): chairs registered and reports filed straight through the repositories."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.support.people import BRANCH, SAIRAM_ADMIN, org_id

DISTRICT = SAIRAM_ADMIN
KUTARYS_CHAIR, MEKTEP_CHAIR = 1001, 1003  # chairs of Құтарыс (Сайрам) and Мектеп №5 (Байзақ)
__all__ = ["BRANCH", "DISTRICT", "KUTARYS_CHAIR", "MEKTEP_CHAIR", "answers", "file_report", "register"]


def answers(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"members_total": 400, "members_joined": 2, "members_left": 0, "events_held": 3,
                            "events_summary": "Ардагерлермен кездесу", "deputy_meetings": 1, "appeals_received": 4,
                            "appeals_resolved": 3, "projects": ["auyl_amanaty"], "trainings": 1, "needs": None,
                            "photos": []}
    return base | values


async def register(harness, user_id: int, organization: str, name: str, phone: str | None, locale: str) -> int:
    """A chair registered through the repositories (not the dialog); their organization's id."""
    repos, now = harness.app.repos, harness.clock.now()
    org = await org_id(harness, organization)
    await repos.users.ensure(user_id, now)
    await repos.users.set_locale(user_id, locale)
    assert await repos.users.register_chair(user_id, org, name, phone, now)
    return org


async def file_report(harness, org: int, month: str, user_id: int, late: bool = False, **values: Any) -> None:
    await harness.app.repos.reports.submit(org, month, user_id, answers(**values), late,
                                           harness.clock.now() - timedelta(days=1))
