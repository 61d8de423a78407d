"""A chair files the monthly report: every field type, bad input, navigation, resume, editing (the deadlines
are in test_report_deadlines.py)."""
from __future__ import annotations

import copy

import pytest

from bot.telegram.keyboards import OPEN_REPORT
from tests.support.people import nowhere, register
from tests.support.report import BUTTONS, answer_up_to_projects, draft_of, open_report, report_of

QUESTION = {"kk": "Сұрақ {n}/12", "ru": "Вопрос {n} из 12"}


async def test_kazakh_chair_files_a_complete_report(harness):
    chair = await register(harness, 1001, "kk", "Құтарыс")
    b = BUTTONS["kk"]
    await open_report(harness, chair, "kk")
    assert "2026 жылғы қараша" in chair.reply and QUESTION["kk"].format(n=1) in chair.reply
    assert "Партия мүшелерінің жалпы саны" in chair.reply
    for text in ("400", "12", "2", "3"):
        await chair.send(text)
    assert "Негізгі іс-шаралар туралы қысқаша" in chair.reply and b["skip"] in " ".join(chair.buttons())
    await chair.send("<b>Жиналыс</b> & кездесу")
    for text in ("4", "5", "3"):
        await chair.send(text)
    assert "Қатысқан партиялық жобалар" in chair.reply
    await chair.press("Жер аманаты")
    await chair.press("Ауыл аманаты")
    await chair.press("Бақытты отбасы")
    await chair.press("Жер аманаты")  # pressed again: unselected
    assert [t for t in chair.buttons() if t.startswith("✅")] == ["✅ «Ауыл аманаты»", "✅ «Бақытты отбасы»"]
    await chair.press(b["done"])
    await chair.send("2")
    await chair.press(b["skip"])  # needs: optional text skipped
    assert "Іс-шаралардың фотосуреттері" in chair.reply
    for n in range(5):
        await chair.send_photo(f"photo{n}")
        assert f"({n + 1} / 5)" in chair.reply
    assert "Бұл — ең көп саны" in chair.reply
    await chair.send_photo("photo-too-many")
    assert "ең көп саны — 5" in chair.reply
    await chair.press(b["done"])
    summary = chair.reply
    assert "2026 жылғы қараша айының есебіңіз" in summary
    assert "&lt;b&gt;Жиналыс&lt;/b&gt; &amp; кездесу" in summary  # the chair's text is escaped
    assert "«Ауыл аманаты»; «Бақытты отбасы»" in summary and "5 фотосурет" in summary
    assert "Шешілген өтініштер: <b>3</b>" in summary
    assert len([t for t in chair.buttons() if t.startswith("✏️")]) == 12
    await chair.press(b["confirm"])
    assert "2026 жылғы қараша айының есебі қабылданды" in chair.reply
    assert "📝 Айлық есепті тапсыру" in chair.reply_keyboard()
    report = await report_of(harness, 1001)
    assert report.answers == {
        "members_total": 400, "members_joined": 12, "members_left": 2, "events_held": 3,
        "events_summary": "<b>Жиналыс</b> & кездесу", "deputy_meetings": 4, "appeals_received": 5,
        "appeals_resolved": 3, "projects": ["auyl_amanaty", "baqytty_otbasy"], "trainings": 2, "needs": None,
        "photos": [f"photo{n}" for n in range(5)]}
    assert report.late is False
    assert await draft_of(harness, 1001) is None


async def test_russian_chair_files_from_the_reminder_button(harness):
    chair = await register(harness, 1002, "ru", "Қайнарбұлақ")
    b = BUTTONS["ru"]
    await chair.press_data(OPEN_REPORT, nowhere(1002))  # the reminder's button (no keyboard left in the chat)
    assert "Вопрос 1 из 12" in chair.reply and "Всего членов партии" in chair.reply
    for text in ("500", "0", "1", "2"):
        await chair.send(text)
    await chair.press(b["skip"])  # events_summary skipped
    await chair.send("3")
    await chair.send("0")  # no appeals: «resolved» cannot be anything but 0 and is not asked
    assert "Участие в партийных проектах" in chair.reply
    await chair.press("Общество без долгов")
    await chair.press(b["done"])
    await chair.send("1")
    await chair.send("Нужен компьютер")
    await chair.send_photo("wrong-one")
    await chair.press("Удалить фото")
    assert "Фото мероприятий" in chair.reply and "Получено фото" not in chair.reply
    await chair.send_photo("only-one")
    await chair.press(b["done"])
    assert "Ваш отчёт за ноябрь 2026 года" in chair.reply and "Решено обращений: <b>0</b>" in chair.reply
    await chair.press(b["confirm"])
    assert "Отчёт за ноябрь 2026 года принят" in chair.reply and "опозданием" not in chair.reply
    report = await report_of(harness, 1002)
    assert report.answers["events_summary"] is None and report.answers["appeals_resolved"] == 0
    assert report.answers["projects"] == ["qaryzsyz_qogam"] and report.answers["photos"] == ["only-one"]
    assert report.answers["needs"] == "Нужен компьютер"


@pytest.mark.parametrize("language, text, expected", [
    ("ru", "сорок", "отправьте число"),
    ("ru", "😀", "отправьте число"),
    ("ru", "-5", "не может быть отрицательным"),
    ("ru", "100001", "не больше 100000"),
    ("ru", "1 000", "без пробелов: 1000"),
    ("ru", "12.5", "целое число"),
    ("kk", "қырық", "Санды жіберіңіз"),
    ("kk", "-5", "теріс"),
    ("kk", "1 000", "бос орынсыз жазыңыз: 1000"),
    ("kk", "12,5", "бүтін санды"),
])
async def test_bad_numbers_are_explained_and_the_question_repeated(harness, language, text, expected):
    chair = await register(harness, 1003, language, "Құтарыс")
    await open_report(harness, chair, language)
    await chair.send(text)
    assert expected in chair.reply
    assert QUESTION[language].format(n=1) in chair.reply
    assert (await draft_of(harness, 1003)).answers == {}
    await chair.send("40")
    assert QUESTION[language].format(n=2) in chair.reply


async def test_stickers_voice_files_and_photos_where_a_number_is_expected(harness):
    chair = await register(harness, 1004, "ru", "Құтарыс")
    await open_report(harness, chair, "ru")
    for send in (chair.send_sticker, chair.send_voice, chair.send_photo,
                 lambda: chair.send_document(b"x", "list.csv")):
        await send()
        assert "отправьте число" in chair.reply and "Вопрос 1 из 12" in chair.reply
    draft = await draft_of(harness, 1004)
    assert draft.answers == {} and draft.cursor == "members_total"


async def test_text_questions_refuse_too_long_texts_and_non_text(harness):
    chair = await register(harness, 1005, "kk", "Құтарыс")
    await open_report(harness, chair, "kk")
    for text in ("1", "1", "1", "1"):
        await chair.send(text)
    await chair.send("ә" * 5000)
    assert "5000 таңба" in chair.reply and "1000" in chair.reply and "Сұрақ 5/12" in chair.reply
    await chair.send_sticker()
    assert "мәтінмен жіберіңіз" in chair.reply
    await chair.send_photo()
    assert "мәтінмен жіберіңіз" in chair.reply
    assert "events_summary" not in (await draft_of(harness, 1005)).answers
    await chair.send("ә" * 1000)  # exactly the limit
    assert "Сұрақ 6/12" in chair.reply


async def test_choices_and_photos_refuse_typed_text_and_files(harness):
    chair = await register(harness, 1006, "ru", "Құтарыс")
    await open_report(harness, chair, "ru")
    await answer_up_to_projects(chair)
    await chair.send("Ауыл аманаты")
    assert "кнопками под вопросом" in chair.reply
    await chair.press("Готово")
    await chair.send("1")
    await chair.press("Пропустить")
    await chair.send("вот фото")
    assert "Отправьте фото" in chair.reply
    await chair.send_document(b"\x89PNG", "photo.png", mime="image/png")
    assert "как фото, а не как файл" in chair.reply
    assert "photos" not in (await draft_of(harness, 1006)).answers


async def test_appeals_resolved_cannot_exceed_received(harness):
    chair = await register(harness, 1007, "ru", "Құтарыс")
    await open_report(harness, chair, "ru")
    await answer_up_to_projects(chair, received="5", resolved="7")
    assert "«Решено обращений» не может быть больше, чем «Поступило обращений граждан» (5)" in chair.reply
    assert "Вопрос 8 из 12" in chair.reply
    await chair.send("5")
    assert "Участие в партийных проектах" in chair.reply


async def test_commands_in_the_middle_keep_the_draft(harness):
    chair = await register(harness, 1008, "ru", "Құтарыс")
    await open_report(harness, chair, "ru")
    await chair.send("400")
    await chair.send("/help")
    assert "/report" in chair.reply
    await chair.send("/foo")
    assert "Неизвестная команда" in chair.reply and "Вопрос 2 из 12" in chair.reply
    await chair.send("/language")
    await chair.press("Қазақша")
    assert "Сұрақ 2/12" in chair.reply and "Осы айда партияға қабылданғандар" in chair.reply
    await chair.send("12")
    await chair.send("/cancel")
    assert "Тоқтатылды" in chair.reply
    await chair.send("/start")
    assert "Басты мәзір" in chair.reply
    assert (await draft_of(harness, 1008)).answers == {"members_total": 400, "members_joined": 12}
    await chair.send("/report")
    assert "аяқталмаған есебіңіз бар" in chair.reply
    await chair.press(BUTTONS["kk"]["continue"])
    assert "Сұрақ 3/12" in chair.reply


async def test_cancel_button_keeps_the_draft_and_start_over_clears_it(harness):
    chair = await register(harness, 1009, "kk", "Құтарыс")
    await open_report(harness, chair, "kk")
    await chair.send("400")
    await chair.press(BUTTONS["kk"]["cancel"])
    assert "нобай ретінде сақталды" in chair.reply and "📝 Айлық есепті тапсыру" in chair.reply_keyboard()
    await chair.send("12")  # not in the dialog any more: not taken as an answer
    assert (await draft_of(harness, 1009)).answers == {"members_total": 400}
    await open_report(harness, chair, "kk")
    await chair.press(BUTTONS["kk"]["restart"])
    assert "Сұрақ 1/12" in chair.reply
    assert (await draft_of(harness, 1009)).answers == {}


async def test_back_and_edit_from_the_summary(harness):
    chair = await register(harness, 1010, "ru", "Құтарыс")
    b = BUTTONS["ru"]
    await open_report(harness, chair, "ru")
    assert b["back"] not in " ".join(chair.buttons())  # nothing before the first question
    await chair.send("400")
    await chair.send("12")
    await chair.press(b["back"])
    assert "Вопрос 2 из 12" in chair.reply and "Текущий ответ: 12" in chair.reply
    await chair.send("15")
    assert "Вопрос 3 из 12" in chair.reply
    await chair.send("2")
    await chair.send("3")
    await chair.press(b["skip"])
    for text in ("4", "5", "3"):
        await chair.send(text)
    await chair.press(b["done"])
    await chair.send("1")
    await chair.press(b["skip"])
    await chair.press(b["back"])  # from photos back to «needs»
    assert "Потребности и проблемы" in chair.reply
    await chair.send("Кабинет")
    await chair.press(b["done"])
    assert "Принято в партию за месяц: <b>15</b>" in chair.reply
    await chair.press("✏️ 1.")
    assert "Вопрос 1 из 12" in chair.reply and "Текущий ответ: 400" in chair.reply
    await chair.send("410")
    assert "Всего членов партии: <b>410</b>" in chair.reply and "Подтвердить" in " ".join(chair.buttons())
    await chair.press("✏️ 7.")
    await chair.send("1")  # below the 3 already resolved: refused, naming both fields
    assert "не может быть меньше, чем «Решено обращений» (3)" in chair.reply
    await chair.send("8")
    await chair.send("что-то")  # typing at the summary
    assert "кнопки под сводкой" in chair.reply
    await chair.press(b["confirm"])
    report = await report_of(harness, 1010)
    assert report.answers["members_total"] == 410 and report.answers["appeals_received"] == 8
    assert report.answers["needs"] == "Кабинет" and report.answers["members_joined"] == 15


async def test_resume_after_a_restart(harness):
    chair = await register(harness, 1011, "kk", "Құтарыс")
    await open_report(harness, chair, "kk")
    for text in ("400", "12", "2"):
        await chair.send(text)
    harness = await harness.restart()
    chair = harness.client(1011, language_code="kk")
    await chair.send("3")  # the same chat goes on at the same question
    assert "Сұрақ 5/12" in chair.reply
    harness = await harness.restart()
    chair = harness.client(1011, language_code="kk")
    await open_report(harness, chair, "kk")
    assert "аяқталмаған есебіңіз бар" in chair.reply
    await chair.press(BUTTONS["kk"]["continue"])
    assert "Сұрақ 5/12" in chair.reply
    draft = await draft_of(harness, 1011)
    assert draft.answers == {"members_total": 400, "members_joined": 12, "members_left": 2, "events_held": 3}
    await harness.close()


async def test_old_and_forged_buttons_change_nothing(harness):
    chair = await register(harness, 1012, "ru", "Құтарыс")
    await open_report(harness, chair, "ru")
    await answer_up_to_projects(chair)
    projects_question = copy.deepcopy(chair.keyboard_message())  # as an old client still shows it
    await chair.press("Ауыл аманаты")
    await chair.press("Готово")
    await chair.send("1")
    old_skip_message = copy.deepcopy(chair.keyboard_message())
    await chair.press("Пропустить")
    await chair.press("Жер аманаты", message=projects_question)  # the old projects question
    assert "предыдущему шагу" in chair.reply
    await chair.press("Пропустить", message=old_skip_message)  # an old «Skip» of the needs question
    assert "предыдущему шагу" in chair.reply
    for forged in ("rep:toggle:photos:0", "rep:toggle:projects:99", "rep:nonsense:photos:-1",
                   "rep:confirm::-1", "rep:edit:members_total:-1", "rep:pick:photos:x", "garbage"):
        await chair.press_data(forged)
        assert chair.reply  # answered, not silent
    draft = await draft_of(harness, 1012)
    assert draft.cursor == "photos" and draft.answers["projects"] == ["auyl_amanaty"]
    assert draft.answers["needs"] is None and "photos" not in draft.answers


async def test_the_same_update_twice_has_one_effect(harness):
    chair = await register(harness, 1013, "ru", "Құтарыс")
    await open_report(harness, chair, "ru")
    await chair.send("400", update_id=777001)
    assert await chair.send("401", update_id=777001) == []
    await chair.send("12", update_id=777002)
    await chair.send("12", update_id=777002)
    draft = await draft_of(harness, 1013)
    assert draft.answers == {"members_total": 400, "members_joined": 12} and draft.cursor == "members_left"


async def test_people_who_are_not_chairs_are_told_to_register(harness):
    guest = harness.client(1014, language_code="ru")
    await guest.send("/start")
    await guest.press("Русский")
    await guest.send("/cancel")
    await guest.send("/report")
    assert "зарегистрированные председатели" in guest.reply and "/start" in guest.reply
    await guest.press_data(OPEN_REPORT)
    assert "зарегистрированные председатели" in guest.reply
    admin = harness.client(900, language_code="kk")
    await admin.send("/report")
    assert "тіркелген төрағалары" in admin.reply


async def test_the_continue_question_is_asked_again_after_other_input(harness):
    chair = await register(harness, 1020, "ru", "Құтарыс")
    await open_report(harness, chair, "ru")
    await chair.send("400")
    await chair.send("/start")
    await chair.send("/report")
    await chair.send("12")  # neither button: the choice is asked again, nothing is answered
    assert "незаконченный отчёт" in chair.reply
    await chair.send("/language")
    await chair.press("Қазақша")
    assert "аяқталмаған есебіңіз бар" in chair.reply
    await chair.press(BUTTONS["kk"]["continue"])
    assert "Сұрақ 2/12" in chair.reply
    assert (await draft_of(harness, 1020)).answers == {"members_total": 400}
