"""The Mini App stories' fixtures: their world (tests/support/webapp_world.py) and an API client. Kept in this
folder's conftest so that `world` means the Mini App's world here only."""
from __future__ import annotations

import pytest

from tests.support.people import org_id
from tests.support.webapp import webapp_client
from tests.support.webapp_world import KUTARYS_CHAIR, MEKTEP_CHAIR, file_report, register


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
