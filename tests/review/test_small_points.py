"""Smaller points of issue 12: the month named where «this month» was ambiguous, the Kazakh word for a
skipped answer."""
from __future__ import annotations

from tests.support.harness import at
from tests.support.people import register
from tests.support.report import BUTTONS, answer_up_to_projects, open_report


async def test_help_names_the_open_month(harness, clock):
    chair = await register(harness, 1001, "ru", "Құтарыс")
    clock.set(at("2026-12-10 10:00"))  # December, and November still open: «this month» would mislead
    await chair.send("/help")
    assert "/report: сдать или продолжить отчёт за ноябрь 2026 года" in chair.reply


async def test_a_skipped_answer_reads_as_not_answered_in_kazakh(harness):
    chair = await register(harness, 1002, "kk", "Құтарыс")
    await open_report(harness, chair, "kk")
    await answer_up_to_projects(chair)
    await chair.press(BUTTONS["kk"]["done"])
    await chair.send("1")
    await chair.press(BUTTONS["kk"]["skip"])
    await chair.press(BUTTONS["kk"]["done"])
    assert "жауап берілмеді" in chair.reply and "өткізілді" not in chair.reply
