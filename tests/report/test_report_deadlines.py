"""A submitted report and its deadline: editable until the due date, reopened by an admin, late after it."""
from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from tests.support.harness import at
from tests.support.people import org_id_of, register
from tests.support.report import BUTTONS, MONTH, answer_up_to_projects, draft_of, file_quickly, open_report, report_of


async def test_a_submitted_report_is_editable_until_the_due_date(harness, clock):
    chair = await register(harness, 1015, "ru", "Құтарыс")
    await file_quickly(harness, chair, "ru")
    await open_report(harness, chair, "ru")
    assert "сдан" in chair.reply and "изменить до 5 декабря 2026 г. включительно" in chair.reply
    await chair.press(BUTTONS["ru"]["edit"])
    await chair.press("✏️ 1.")
    await chair.send("450")
    assert (await report_of(harness, 1015)).answers["members_total"] == 400  # until Confirm
    await chair.press(BUTTONS["ru"]["confirm"])
    assert "Изменения в отчёте за ноябрь 2026 года сохранены" in chair.reply
    assert (await report_of(harness, 1015)).answers["members_total"] == 450
    await open_report(harness, chair, "ru")
    edit_button_message = copy.deepcopy(chair.keyboard_message())
    clock.set(at("2026-12-06 10:00"))
    await open_report(harness, chair, "ru")
    assert "больше нельзя изменить" in chair.reply and "районный филиал" in chair.reply
    await chair.press(BUTTONS["ru"]["edit"], message=edit_button_message)
    assert "больше нельзя изменить" in chair.reply
    assert await draft_of(harness, 1015) is None


async def test_an_edit_started_before_the_due_date_cannot_be_confirmed_after_it(harness, clock):
    chair = await register(harness, 1016, "kk", "Құтарыс")
    await file_quickly(harness, chair, "kk")
    await open_report(harness, chair, "kk")
    await chair.press(BUTTONS["kk"]["edit"])
    await chair.press("✏️ 1.")
    await chair.send("999")
    clock.set(at("2026-12-06 10:00"))
    await chair.press(BUTTONS["kk"]["confirm"])
    assert "енді өзгертуге болмайды" in chair.reply
    assert (await report_of(harness, 1016)).answers["members_total"] == 400


async def test_an_admin_reopen_makes_it_editable_again(harness, clock):
    chair = await register(harness, 1017, "kk", "Құтарыс")
    await file_quickly(harness, chair, "kk")
    clock.set(at("2026-12-10 10:00"))
    org_id = await org_id_of(harness, 1017)
    await harness.app.repos.reports.reopen(org_id, MONTH, "2026-12-12")
    await open_report(harness, chair, "kk")
    assert "соңғы күні: 2026 жылғы 12 желтоқсан" in chair.reply
    await chair.press(BUTTONS["kk"]["edit"])
    await chair.press("✏️ 4.")
    await chair.send("9")
    clock.set(at("2026-12-12 20:00"))  # the reopened day itself still counts
    await chair.press(BUTTONS["kk"]["confirm"])
    report = await report_of(harness, 1017)
    assert report.answers["events_held"] == 9 and report.late is False
    clock.set(at("2026-12-13 10:00"))
    await open_report(harness, chair, "kk")
    assert "енді өзгертуге болмайды" in chair.reply


@pytest.mark.parametrize("language, late_text", [("ru", "отмечен как просроченный"), ("kk", "кешіккен деп белгіленді")])
async def test_a_report_confirmed_after_the_due_date_is_late(harness, clock, language, late_text):
    chair = await register(harness, 1018, language, "Құтарыс")
    clock.set(at("2026-12-05 23:30"))
    await open_report(harness, chair, language)
    await answer_up_to_projects(chair)
    clock.advance(timedelta(hours=1))  # now 6 December: past the due date
    await chair.press(BUTTONS[language]["done"])
    await chair.send("1")
    await chair.press(BUTTONS[language]["skip"])
    await chair.press(BUTTONS[language]["done"])
    await chair.press(BUTTONS[language]["confirm"])
    assert late_text in chair.reply
    assert (await report_of(harness, 1018)).late is True


async def test_confirm_on_the_due_day_is_on_time(harness, clock):
    chair = await register(harness, 1019, "ru", "Құтарыс")
    clock.set(at("2026-12-05 20:59"))
    await file_quickly(harness, chair, "ru")
    assert (await report_of(harness, 1019)).late is False
