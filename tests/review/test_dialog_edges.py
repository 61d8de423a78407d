"""Rough edges of the report dialog from issue 12: /start in the middle of a report, «keep» and «back to the
summary» when an answer is edited from the summary, «Done» on a multi-choice question showing the choice."""
from __future__ import annotations

from tests.support.people import register
from tests.support.report import BUTTONS, answer_up_to_projects, draft_of, open_report, report_of


async def to_summary(chair, language: str) -> None:
    await open_report(chair.harness, chair, language)
    await answer_up_to_projects(chair)
    await chair.press("Ауыл")
    await chair.press(BUTTONS[language]["done"])
    assert "✔️" in chair.reply and "«Ауыл аманаты»</b>" in chair.reply  # «Done» shows what was chosen
    await chair.send("1")
    await chair.press(BUTTONS[language]["skip"])
    await chair.press(BUTTONS[language]["done"])


async def test_start_in_the_middle_of_a_report_says_where_the_answers_are(harness):
    chair = await register(harness, 1001, "kk", "Құтарыс")
    await open_report(harness, chair, "kk")
    await chair.send("400")
    await chair.send("/start")
    assert "2026 жылғы қараша айының есебіне берген жауаптарыңыз нобай ретінде сақталды" in chair.reply
    assert (await draft_of(harness, 1001)).answers["members_total"] == 400
    await chair.send("/report")
    await chair.press(BUTTONS["kk"]["continue"])
    assert "Сұрақ 2/12" in chair.reply


async def test_an_answer_edited_from_the_summary_can_be_kept_or_left_for_the_summary(harness):
    chair = await register(harness, 1002, "ru", "Құтарыс")
    await to_summary(chair, "ru")
    await chair.press("✏️ 1.")
    assert {"✔️ Оставить ответ", "↩️ Вернуться к сводке"} <= set(chair.buttons())
    await chair.press("Оставить ответ")
    assert "Подтвердить и отправить" in str(chair.buttons()) and (await draft_of(harness, 1002)).cursor is None
    await chair.press("✏️ 5.")  # a text question
    await chair.press("Вернуться к сводке")
    assert (await draft_of(harness, 1002)).cursor is None
    assert (await draft_of(harness, 1002)).answers["events_summary"] == "Екі жиналыс өтті"
    await chair.press(BUTTONS["ru"]["confirm"])
    assert (await report_of(harness, 1002)).answers["members_total"] == 400


async def test_back_to_the_summary_only_once_every_question_is_answered(harness):
    chair = await register(harness, 1003, "kk", "Құтарыс")
    await open_report(harness, chair, "kk")
    await chair.send("400")
    await chair.press(BUTTONS["kk"]["back"])
    assert "✔️ Жауапты қалдыру" in chair.buttons() and "↩️ Жиынтыққа оралу" not in chair.buttons()
    await chair.press("Жауапты қалдыру")
    assert "Сұрақ 2/12" in chair.reply


async def test_the_no_code_button_goes_once_the_code_is_accepted(harness):
    chair = await register(harness, 1004, "kk", "Құтарыс")
    assert not any("🙋" in str(m.get("reply_markup")) for m in chair.bot_messages())


async def test_a_question_asked_again_keeps_its_buttons_on_the_newest_message_only(harness):
    chair = await register(harness, 1005, "kk", "Құтарыс")
    await open_report(harness, chair, "kk")
    first = chair.keyboard_message()
    for bad in ("abc", "1.5"):
        await chair.send(bad)  # refused: the first question is asked again below
    stops = [m for m in chair.bot_messages() if "Тоқтату" in str(m.get("reply_markup"))]
    assert len(stops) == 1 and stops[0] is not first and "Сұрақ 1/12" in stops[0]["text"]
    await chair.send("400")
    assert (await draft_of(harness, 1005)).answers["members_total"] == 400
