"""A chair opens the bot, picks a language, registers with the invite code."""
from __future__ import annotations

from datetime import timedelta

from aiogram.methods import SetMyCommands

from tests.support.people import register
from tests.support.roster import code_of
from tests.support.seen import every_table, snapshot


async def test_kazakh_chair_registers(harness):
    chair = harness.client(1001, language_code="kk")
    await chair.send("/start")
    assert "Тілді таңдаңыз" in chair.reply
    assert chair.buttons() == ["Қазақша", "Русский"]
    await chair.press("Қазақша")
    assert "шақыру кодын" in chair.reply
    code = await code_of(harness.app.db, "Құтарыс")
    await chair.send(code.lower())
    assert "Құтарыс" in chair.reply and "Сайрам ауданы" in chair.reply
    await chair.send("Асанов Айбек Серікұлы")
    assert "телефон" in chair.reply.lower()
    assert "📱 Телефон нөмірімді жіберу" in chair.reply_keyboard()
    await chair.share_contact("77010000001")
    assert "Бәрі дұрыс па?" in chair.reply and "+77010000001" in chair.reply
    await chair.press("✅ Растау")
    assert "төрағасы ретінде тіркелдіңіз" in chair.reply
    user = await harness.app.repos.users.get(1001)
    assert user.locale == "kk" and user.full_name == "Асанов Айбек Серікұлы" and user.phone == "+77010000001"
    org = await harness.app.repos.orgs.by_code(code)
    assert user.org_id == org.id
    # A registered user who sends /start gets the main menu, not registration again.
    await chair.send("/start")
    assert "Басты мәзір" in chair.reply
    assert "📝 Айлық есепті тапсыру" in chair.reply_keyboard()


async def test_russian_chair_registers_without_phone(harness):
    chair = harness.client(1002, language_code="ru")
    await chair.send("/start")
    assert chair.buttons() == ["Русский", "Қазақша"]  # preselected from Telegram's language
    assert chair.reply.startswith("Здравствуйте")
    await chair.press("Русский")
    await chair.send(await code_of(harness.app.db, "Қайнарбұлақ"))
    await chair.send("Петрова Анна")
    await chair.send("Пропустить")
    assert "не указан" in chair.reply
    await chair.press("Подтвердить")
    assert "председатель организации <b>Қайнарбұлақ</b>" in chair.reply
    user = await harness.app.repos.users.get(1002)
    assert user.locale == "ru" and user.phone is None


async def test_wrong_codes_are_limited_per_hour(harness, clock):
    user = harness.client(1003, language_code="ru")
    await user.send("/start")
    await user.press("Русский")
    # Counting the wrong codes is the only write a refusal makes.
    tables = await every_table(harness, but=("code_attempts",))
    before = await snapshot(harness, tables)
    for attempt in range(4):
        await user.send(f"WRNG{attempt + 2}X")
        assert "не найдена" in user.reply
    await user.send("WRNG6X")
    assert "Слишком много неверных кодов" in user.reply
    # Even the right code is refused for the rest of the hour...
    await user.send(await code_of(harness.app.db, "Құтарыс"))
    assert "Слишком много неверных кодов" in user.reply
    assert await snapshot(harness, tables) == before
    # ...and accepted after it.
    clock.advance(timedelta(hours=1, minutes=1))
    await user.send(await code_of(harness.app.db, "Құтарыс"))
    assert "Организация: <b>Құтарыс</b>" in user.reply


async def test_code_used_by_another_chair_is_refused(harness):
    await register(harness, 1004, "kk", "Құтарыс")
    other = harness.client(1005, language_code="kk")
    await other.send("/start")
    await other.press("Қазақша")
    before = await snapshot(harness, await every_table(harness))
    await other.send(await code_of(harness.app.db, "Құтарыс"))
    assert "басқа төраға пайдаланған" in other.reply
    assert await snapshot(harness, await every_table(harness)) == before


async def test_someone_elses_contact_is_refused(harness):
    user = harness.client(1006, language_code="kk")
    await user.send("/start")
    await user.press("Қазақша")
    await user.send(await code_of(harness.app.db, "Құтарыс"))
    await user.send("Асанов Айбек")
    before = await snapshot(harness, await every_table(harness))
    await user.share_contact("+77019999999", owner_id=555)
    assert "өз телефон нөміріңізді" in user.reply
    await user.send_sticker()
    assert "📱" in user.reply
    assert await snapshot(harness, await every_table(harness)) == before


async def test_bad_names_get_an_answer(harness):
    user = harness.client(1007, language_code="ru")
    await user.send("/start")
    await user.press("Русский")
    await user.send(await code_of(harness.app.db, "Құтарыс"))
    before = await snapshot(harness, await every_table(harness))
    for bad in ("😀😀😀", "12345", "x" * 5000, "Айбек", "Асанов 12"):  # one word: the prompt asks surname and name
        await user.send(bad)
        assert "фамилию и имя (и отчество) буквами" in user.reply
    await user.send_sticker()
    assert "текстом" in user.reply
    assert await snapshot(harness, await every_table(harness)) == before


async def test_language_switch_mid_registration_keeps_answers(harness):
    user = harness.client(1008, language_code="kk")
    await user.send("/start")
    await user.press("Қазақша")
    await user.send(await code_of(harness.app.db, "Құтарыс"))
    await user.send("Асанов Айбек")
    await user.send("/language")
    await user.press("Русский")
    assert "Отправьте номер телефона" in user.reply
    await user.send("Пропустить")
    assert "Асанов Айбек" in user.reply and "Проверьте" in user.reply


async def test_commands_are_set_per_language(harness):
    await harness.dp.emit_startup(bot=harness.bot, **harness.dp.workflow_data)
    calls = [c for c in harness.session.requests if isinstance(c, SetMyCommands)]
    by_lang = {c.language_code: [cmd.description for cmd in c.commands] for c in calls}
    assert "Сменить язык" in by_lang["ru"] and "Тілді ауыстыру" in by_lang["kk"]


async def test_a_phone_typed_as_digits_is_accepted_and_normalized(harness):
    for user_id, typed in ((1011, "87010000003"), (1012, "+7 701 000 00 03"), (1013, "8 (701) 000-00-03")):
        user = harness.client(user_id, language_code="kk")
        await user.send("/start")
        await user.press("Қазақша")
        await user.send(await code_of(harness.app.db, "Құтарыс" if user_id == 1011 else "Қайнарбұлақ"
                                      if user_id == 1012 else "Мектеп №5"))
        await user.send("Асанов Айбек")
        await user.send(typed)
        assert "+77010000003" in user.reply, typed
        await user.press("✅")
        assert (await harness.app.repos.users.get(user_id)).phone == "+77010000003"


async def test_a_number_that_is_not_a_phone_is_refused(harness):
    user = harness.client(1014, language_code="ru")
    await user.send("/start")
    await user.press("Русский")
    await user.send(await code_of(harness.app.db, "Құтарыс"))
    await user.send("Асанов Айбек")
    for bad in ("12345", "+8 701 000 00 03", "8701000000", "тел 87010000003"):
        await user.send(bad)
        assert "напишите номер (например, 87010000000)" in user.reply, bad
    assert (await harness.app.repos.users.get(1014)).org_id is None
