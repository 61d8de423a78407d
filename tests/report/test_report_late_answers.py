"""Answers never land on the wrong question (issue 10): an answer is checked against the question it
was given for, after a crash, a restart, or from a button of an older question."""
from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from aiogram.types import Chat, Message

from bot.telegram.resume import reprompt, resume_dialogs
from tests.support.people import register
from tests.support.report import answer_up_to_projects, draft_of, open_report

SIMULATED_CRASH = {"ok": False, "error_code": 400, "description": "Bad Request: the process died here"}


@pytest.fixture
async def restart(harness):
    """harness.restart(), with every new harness closed however the test ends."""
    started = []

    async def restart(old):
        started.append(await old.restart())
        return started[-1]

    yield restart
    for new in started:
        await new.close()


async def crash_before_the_next_question(restart, harness, chair, text: str):
    """The answer is saved, then the bot dies before the next question reaches the chair."""
    harness.session.queue("SendMessage", SIMULATED_CRASH)
    await chair.send(text)
    harness = await restart(harness)
    return harness, harness.client(chair.user_id, language_code=chair.language_code)


async def reprompt_after_restart(harness, user_id: int, with_user: bool = True):
    """What the restart mechanism (bot/telegram/resume.py) does for a waiting dialog: its reprompt,
    with restarted=True, outside any update (no i18n context); `with_user=False`: without our user row."""
    bot = harness.bot
    message = Message(message_id=0, date=harness.clock.now(), chat=Chat(id=user_id, type="private")).as_(bot)
    state = harness.dp.fsm.get_context(bot=bot, chat_id=user_id, user_id=user_id)
    data = {**harness.dp.workflow_data, "restarted": True}
    if with_user:
        data["user"] = await harness.app.repos.users.get(user_id)
    before = len(harness.session.requests)
    assert await reprompt(message, state, data)
    return harness.session.requests[before:]


async def send_dated(harness, chair, text: str, date, message_id: int):
    """A message written at `date` and handled now (it waited while the bot was down)."""
    message = {"message_id": message_id, "date": int(date.timestamp()), "chat": {"id": chair.user_id,
               "type": "private"}, "from": chair.tg_user, "text": text}
    chair.last_calls = await harness.feed({"message": message})
    return chair.last_calls


async def test_the_same_number_sent_again_after_a_crash_stays_with_its_question(harness, restart):
    """The reported failure: members_total saved, the next question never sent; the chair sends
    «400» again. It must not become members_joined."""
    chair = await register(harness, 3001, "kk", "Құтарыс")
    await open_report(harness, chair, "kk")
    harness, chair = await crash_before_the_next_question(restart, harness, chair, "400")
    assert (await draft_of(harness, 3001)).cursor == "members_joined"
    await chair.send("400")
    assert "Бұл жауап бұрын сақталған: «Партия мүшелерінің жалпы саны» — 400" in chair.reply
    assert "Сұрақ 2/12" in chair.reply and "Осы айда партияға қабылданғандар" in chair.reply
    assert (await draft_of(harness, 3001)).answers == {"members_total": 400}
    await chair.send("12")  # the chair has now seen question 2: this answers it
    draft = await draft_of(harness, 3001)
    assert draft.answers == {"members_total": 400, "members_joined": 12} and draft.cursor == "members_left"


async def test_a_different_number_after_a_crash_is_not_placed_on_either_question(harness, restart):
    """Question 3 may have reached the chair before the bot died (a kill between sending it and
    recording it): «15» may answer question 3 as well as correct question 2, so it is stored
    nowhere and question 3 is asked again (the crash drill, bench/crash_drill.py, found the other
    choice putting answers on the previous question)."""
    chair = await register(harness, 3002, "ru", "Құтарыс")
    await open_report(harness, chair, "ru")
    await chair.send("400")
    harness, chair = await crash_before_the_next_question(restart, harness, chair, "12")
    await chair.send("15")
    assert "Вопрос 3 из 12" in chair.reply and "изменён" not in chair.reply
    draft = await draft_of(harness, 3002)
    assert draft.answers == {"members_total": 400, "members_joined": 12} and draft.cursor == "members_left"
    await chair.send("15")  # question 3 is on the screen now (recorded): this answers it
    draft = await draft_of(harness, 3002)
    assert draft.answers == {"members_total": 400, "members_joined": 12, "members_left": 15}


async def test_messages_written_while_the_bot_was_down_answer_the_question_the_chair_saw(harness, restart, clock):
    chair = await register(harness, 3003, "ru", "Құтарыс")
    await open_report(harness, chair, "ru")
    written = clock.now() + timedelta(seconds=20)
    harness, chair = await crash_before_the_next_question(restart, harness, chair, "400")
    clock.advance(timedelta(minutes=1))
    harness.session.now = int(clock.now().timestamp())  # Telegram dates the bot's messages from now on
    calls = await reprompt_after_restart(harness, 3003)  # question 2 is shown now, after the restart
    assert "Вопрос 2 из 12" in "\n".join(chair.texts(calls))
    await send_dated(harness, chair, "400", written, message_id=5001)  # the chair's re-send from before
    assert "Этот ответ уже сохранён" in chair.reply and "Вопрос 2 из 12" in chair.reply
    # A new value typed then may as well have answered question 2 (had it reached the chair before the
    # crash): it is stored nowhere, question 2 is asked again (bench/crash_drill.py found the other way
    # writing answers over the previous question).
    await send_dated(harness, chair, "410", written, message_id=5002)
    assert "изменён" not in chair.reply and "Вопрос 2 из 12" in chair.reply
    assert (await draft_of(harness, 3003)).answers == {"members_total": 400}
    await chair.send("12")  # written after question 2 was shown
    assert (await draft_of(harness, 3003)).answers == {"members_total": 400, "members_joined": 12}


async def test_a_button_of_an_earlier_question_changes_that_answer_and_the_dialog_goes_on(harness):
    chair = await register(harness, 3004, "ru", "Құтарыс")
    await open_report(harness, chair, "ru")
    await answer_up_to_projects(chair)
    await chair.press("Ауыл аманаты")
    await chair.press("Готово")
    await chair.send("1")
    needs_question = copy.deepcopy(chair.keyboard_message())
    await chair.send("Нужен компьютер")
    assert "Фото мероприятий" in chair.reply
    await chair.press("Пропустить", message=needs_question)  # «Skip» under the answered needs question
    assert "Ответ на вопрос «Потребности и проблемы (кабинет, компьютер и т.п.)» изменён" in chair.reply
    assert "Фото мероприятий" in chair.reply  # and the current question again
    draft = await draft_of(harness, 3004)
    assert draft.answers["needs"] is None and draft.cursor == "photos"
    await chair.press("Пропустить", message=needs_question)  # the same again: a duplicate
    assert "предыдущему шагу" in chair.reply and "Этот ответ уже сохранён" in chair.reply
    assert (await draft_of(harness, 3004)).answers == draft.answers


async def test_after_a_restart_the_question_is_asked_again_with_what_is_saved(harness, restart, clock):
    chairs = {"kk": await register(harness, 3005, "kk", "Құтарыс"),
              "ru": await register(harness, 3006, "ru", "Қайнарбұлақ")}
    for language, chair in chairs.items():
        await open_report(harness, chair, language)
        for text in ("400", "12", "2", "3", "Жиналыс"):
            await chair.send(text)
    harness = await restart(harness)
    clock.advance(timedelta(minutes=2))
    kk = "\n".join(chairs["kk"].texts(await reprompt_after_restart(harness, 3005)))
    assert "Бот қайта іске қосылды. Сақталған жауаптар: 5 / 12." in kk and "Сұрақ 6/12" in kk
    ru = "\n".join(chairs["ru"].texts(await reprompt_after_restart(harness, 3006)))
    assert "Бот был перезапущен. Сохранено ответов: 5 из 12." in ru and "Вопрос 6 из 12" in ru
    chair = harness.client(3006, language_code="ru")
    await chair.send("4")
    assert "Вопрос 7 из 12" in chair.reply
    assert (await draft_of(harness, 3006)).answers["deputy_meetings"] == 4


async def test_after_a_restart_at_the_resume_question_it_is_asked_again(harness, restart):
    chair = await register(harness, 3007, "kk", "Құтарыс")
    await open_report(harness, chair, "kk")
    await chair.send("400")
    await chair.send("/start")
    await open_report(harness, chair, "kk")
    assert "аяқталмаған есебіңіз бар" in chair.reply
    harness = await restart(harness)
    text = "\n".join(chair.texts(await reprompt_after_restart(harness, 3007, with_user=False)))
    assert "Бот қайта іске қосылды. Сақталған жауаптар: 1 / 12." in text and "аяқталмаған есебіңіз бар" in text


async def test_the_restart_mechanism_asks_with_the_note(harness, restart):
    """The same through bot/telegram/resume.py's resume_dialogs, as a restarted process runs it."""
    chair = await register(harness, 3008, "kk", "Құтарыс")
    await open_report(harness, chair, "kk")
    for text in ("400", "12"):
        await chair.send(text)
    harness = await restart(harness)
    before = len(harness.session.requests)
    assert await resume_dialogs(harness.dp, harness.bot, harness.app.repos.dialogs, harness.clock, "boot-2") == 1
    text = "\n".join(chair.texts(harness.session.requests[before:]))
    assert "Бот қайта іске қосылды. Сақталған жауаптар: 2 / 12." in text and "Сұрақ 3/12" in text
