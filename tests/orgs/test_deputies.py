"""One deputy chair per organization (`[registration] deputies = 1`, issue 11): invited from /org, registers
with the deputy code, files the report when the chair does not; the chair stays the chair."""
from __future__ import annotations

import re

import pytest

from db.queries.orgs import issue_deputy_code
from tests.support.harness import Harness
from tests.support.people import SAIRAM_ADMIN, admin, org_id, register
from tests.support.report import file_quickly, report_of
from tests.support.roster import seed_roster


@pytest.fixture
async def deputies(config, clock):
    settings = config.model_copy(update={"registration": config.registration.model_copy(update={"deputies": 1})})
    h = await Harness.create(settings, clock)
    await seed_roster(h.app.db, clock)
    yield h
    await h.close()


async def join_with(harness, user_id: int, code: str, name: str):
    person = harness.client(user_id, language_code="ru")
    await person.send("/start")
    await person.press("Русский")
    await person.send(code)
    await person.send(name)
    await person.send("Пропустить")
    await person.press("✅")
    return person


async def test_a_deputy_is_invited_registers_and_files(deputies):
    harness = deputies
    await register(harness, 1001, "kk", "Құтарыс", name="Асанов Айбек")
    district = await admin(harness, SAIRAM_ADMIN)
    await district.send("/org Құтарыс")
    await district.press("Пригласить заместителя председателя")
    code = re.search(r"<code>(\w+)</code>", district.reply).group(1)
    deputy = await join_with(harness, 1005, code, "Омарова Сәуле")
    assert "заместитель председателя" in deputy.reply
    kutarys = await org_id(harness, "Құтарыс")
    assert (await harness.app.repos.users.chair_of(kutarys)).id == 1001
    assert (await harness.app.repos.users.deputy_of(kutarys)).id == 1005
    await file_quickly(harness, deputy, "ru")
    assert await report_of(harness, 1005) is not None
    row = await harness.app.db.fetchone("SELECT submitted_by, submitted_name FROM reports WHERE org_id = ?", (kutarys,))
    assert tuple(row) == (1005, "Омарова Сәуле")
    # A second person with the same deputy code is refused; the first stays.
    other = await join_with(harness, 1006, code, "Бекова Дана")
    assert "уже есть зарегистрированный заместитель" in other.reply
    assert (await harness.app.repos.users.get(1006)).org_id is None
    await district.send("/org Құтарыс")
    assert "Заместитель председателя: Омарова Сәуле" in district.reply


async def test_without_deputies_a_deputy_code_is_not_a_code(harness, clock):
    code = await issue_deputy_code(harness.app.db, await org_id(harness, "Құтарыс"), clock.now())
    person = harness.client(1007, language_code="ru")
    await person.send("/start")
    await person.press("Русский")
    await person.send(code)
    assert await harness.app.db.fetchone("SELECT 1 FROM code_attempts WHERE user_id = 1007") is not None
    assert "Организация:" not in person.reply
    district = await admin(harness, SAIRAM_ADMIN)
    await district.send("/org Құтарыс")
    assert "Пригласить заместителя председателя" not in district.buttons()
