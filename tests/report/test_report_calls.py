"""Bot API calls per press in the report dialog (issue 15): the callback's answer and the next
question, nothing more; a press that changes its own question edits it in place."""
from __future__ import annotations

from collections import Counter

from tests.support.people import register
from tests.support.report import answer_up_to_projects, open_report


def names(calls) -> Counter:
    return Counter(type(call).__name__ for call in calls)


ANSWER_AND_ASK = Counter({"AnswerCallbackQuery": 1, "SendMessage": 1})
ANSWER_AND_EDIT = Counter({"AnswerCallbackQuery": 1, "EditMessageText": 1})


async def test_each_press_of_a_question_costs_two_calls(harness):
    chair = await register(harness, 3101, "ru", "Құтарыс")
    await open_report(harness, chair, "ru")
    await answer_up_to_projects(chair)
    presses = {
        "toggle": await chair.press("Ауыл аманаты"),
        "done (multi)": await chair.press("Готово"),
        "back": await chair.press("Назад"),
    }
    await chair.press("Готово")
    await chair.send("1")
    presses["skip"] = await chair.press("Пропустить")
    await chair.send_photo("p1")
    presses["clear (photos)"] = await chair.press("Удалить фото")
    await chair.send_photo("p2")
    presses["done (photos)"] = await chair.press("Готово")
    presses["edit from the summary"] = await chair.press("✏️ 9.")
    counts = {press: names(calls) for press, calls in presses.items()}
    assert counts == {
        "toggle": ANSWER_AND_EDIT,
        "done (multi)": ANSWER_AND_ASK,
        "back": ANSWER_AND_ASK,
        "skip": ANSWER_AND_ASK,
        "clear (photos)": ANSWER_AND_EDIT,
        "done (photos)": ANSWER_AND_ASK,
        "edit from the summary": ANSWER_AND_ASK,
    }
    assert "✔️ Фото мероприятий: <b>1 фото</b>" in chair.texts(presses["done (photos)"])[-1]  # what was chosen
