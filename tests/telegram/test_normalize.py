"""Text hygiene at the door (bot/telegram/middlewares/normalize.py) in the report dialog, and what
got into the database before it never breaks the export."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.domain.calendar import Month
from bot.features.export.service import export_month
from tests.support.people import org_id, register
from tests.support.report import open_report


async def test_a_control_character_in_a_report_answer_is_refused_and_the_question_stays(harness):
    chair = await register(harness, 3001, "ru", "Құтарыс")
    await open_report(harness, chair, "ru")
    for text in ("400", "12", "2", "3"):
        await chair.send(text)
    await chair.send("Две встречи\x1b[31m с жителями")
    assert "невидимый служебный символ" in chair.reply
    draft = await harness.app.repos.reports.get_draft(await org_id(harness, "Құтарыс"), "2026-11")
    assert "events_summary" not in draft.answers
    await chair.send("Две встречи с жителями")
    draft = await harness.app.repos.reports.get_draft(await org_id(harness, "Құтарыс"), "2026-11")
    assert draft.answers["events_summary"] == "Две встречи с жителями"


async def test_an_export_of_text_stored_with_control_characters_still_opens(harness, clock):
    await register(harness, 3002, "ru", "Құтарыс")
    answers = {"members_total": 400, "events_summary": "итог\x0b\x1b", "needs": '=HYPERLINK("http://x")'}
    await harness.app.repos.reports.submit(await org_id(harness, "Құтарыс"), "2026-10", 3002, answers, False,
                                           clock.now())
    data, _ = await export_month(
        harness.app.repos, harness.app.config.form, harness.app.i18n, "ru", Month(2026, 10), None, False)
    rows = [list(r) for r in load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True)]
    assert any("итог\ufffd\ufffd" in row for row in rows)
    assert any('=HYPERLINK("http://x")' in row for row in rows)
