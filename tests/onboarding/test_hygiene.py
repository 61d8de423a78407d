"""Bad input at registration: refused at the door or answered, never counted against the guest
when it is not a code; look-alike codes; the limit for all accounts; a code revoked meanwhile."""
from __future__ import annotations

import unicodedata
from datetime import timedelta

import pytest
from aiogram.methods import SendMessage

from bot.config import load_config
from db.queries.orgs import reissue_code
from tests.support.harness import Harness
from tests.support.roster import code_of, seed_roster


async def at_code_question(harness, user_id: int, language: str = "ru"):
    guest = harness.client(user_id, language_code=language)
    await guest.send("/start")
    await guest.press("Русский" if language == "ru" else "Қазақша")
    return guest


async def set_code(harness, organization: str, code: str) -> None:
    await harness.app.db.execute("UPDATE organizations SET invite_code = ? WHERE name = ?", (code, organization))


async def wrong_tries(harness, user_id: int) -> int:
    return (await harness.app.db.fetchone("SELECT COUNT(*) FROM code_attempts WHERE user_id = ?", (user_id,)))[0]


async def test_a_name_typed_decomposed_is_accepted_and_stored_composed(harness):
    guest = await at_code_question(harness, 2001)
    await guest.send(await code_of(harness.app.db, "Құтарыс"))
    name = "Йолдасбеков Ёркін Әлиұлы"
    await guest.send(unicodedata.normalize("NFD", name))
    assert "номер телефона" in guest.reply
    await guest.send("Пропустить")
    await guest.press("Подтвердить")
    assert (await harness.app.repos.users.get(2001)).full_name == name


@pytest.mark.parametrize("language, answer", [("ru", "невидимый служебный символ"),
                                              ("kk", "көрінбейтін қызметтік таңба")])
@pytest.mark.parametrize("bad", ["\x0b", "\x1b"])
async def test_a_control_character_is_refused_at_the_door_and_the_dialog_goes_on(harness, language, answer, bad):
    guest = await at_code_question(harness, 2002, language)
    await guest.send(await code_of(harness.app.db, "Құтарыс"))
    await guest.send(f"Асанов{bad} Айбек")
    assert answer in guest.reply
    await guest.send("Асанов Айбек")
    assert "📱" in "".join(guest.reply_keyboard())              # the dialog went on to the phone
    await guest.send("Пропустить" if language == "ru" else "Өткізу")
    await guest.press("✅")
    assert (await harness.app.repos.users.get(2002)).full_name == "Асанов Айбек"


async def test_a_forged_button_with_a_control_character_is_refused(harness):
    guest = await at_code_question(harness, 2003)
    await guest.send(await code_of(harness.app.db, "Құтарыс"))
    await guest.send("Асанов Айбек")
    await guest.send("Пропустить")
    await guest.press_data("reg:yes\x1b")
    assert "невидимый служебный символ" in guest.reply
    assert (await harness.app.repos.users.get(2003)).org_id is None


@pytest.mark.parametrize("typed, stored", [("КМТ7РХАВ", "KMT7PXAB"), ("кмт7рхав", "KMT7PXAB"),
                                           ("ＫＭＴ７ＰＸＡＢ", "KMT7PXAB"), ("kmt-7px ab", "KMT7PXAB"),
                                           ("КМТ7РХ", "KMT7PX")])       # a code issued with 6 characters
async def test_look_alike_and_fullwidth_codes_are_read_as_latin(harness, typed, stored):
    await set_code(harness, "Құтарыс", stored)
    guest = await at_code_question(harness, 2004)
    await guest.send(typed)
    assert "Организация: <b>Құтарыс</b>" in guest.reply
    assert await wrong_tries(harness, 2004) == 0


async def test_commands_and_names_at_the_code_question_are_answered_not_counted(harness):
    guest = await at_code_question(harness, 2005)
    for text in ("/report", "/myreports", "/help", "/report", "/myreports", "/unknown"):
        await guest.send(text)
        assert guest.reply and "не найдена" not in guest.reply and "Слишком много" not in guest.reply
    await guest.send("Асанов Айбек")
    assert "Это не код приглашения" in guest.reply
    assert await wrong_tries(harness, 2005) == 0
    await guest.send(await code_of(harness.app.db, "Құтарыс"))
    assert "Организация: <b>Құтарыс</b>" in guest.reply


@pytest.fixture
async def strict(config_file, clock, monkeypatch):
    """A bot whose limit for all accounts is 8 wrong codes an hour and 12 a day."""
    monkeypatch.delenv("BASTAU_DB", raising=False)
    monkeypatch.setenv("BASTAU_REGISTRATION__GLOBAL_WRONG_CODES_PER_HOUR", "8")
    monkeypatch.setenv("BASTAU_REGISTRATION__GLOBAL_WRONG_CODES_PER_DAY", "12")
    h = await Harness.create(load_config(config_file), clock)
    await seed_roster(h.app.db, clock)
    yield h
    await h.close()


def alerts_to(harness, chat_id: int, calls) -> list[str]:
    return [c.text for c in calls if isinstance(c, SendMessage) and c.chat_id == chat_id and "⚠️" in c.text]


async def test_wrong_codes_of_all_accounts_are_limited_and_branch_admins_alerted_once(strict, clock):
    boss = await at_code_question(strict, 900)                 # the branch admin reads Russian
    before = len(strict.session.requests)
    first, second, third = [await at_code_question(strict, n) for n in (2010, 2011, 2012)]
    for n in range(5):
        await first.send(f"WRNG{n + 2}XAA")
    for n in range(3):
        await second.send(f"WRNG{n + 2}XBB")
        assert "Организации с таким кодом нет" in second.reply or "не найдена" in second.reply
    # 8 wrong codes in the hour: nobody's code is looked up now, not even a right one.
    await third.send(await code_of(strict.app.db, "Құтарыс"))
    assert "коды временно не принимаются" in third.reply
    await third.send(await code_of(strict.app.db, "Құтарыс"))
    assert "коды временно не принимаются" in third.reply
    alerts = alerts_to(strict, 900, strict.session.requests[before:])
    assert len(alerts) == 1 and "За последний час" in alerts[0] and "8" in alerts[0]
    assert boss.user_id == 900
    # An hour later the hourly count is back under its limit; the day's is not yet (8 of 12).
    clock.advance(timedelta(hours=1, minutes=1))
    for n in range(4):
        await second.send(f"WRNG{n + 2}XCC")
    await third.send(await code_of(strict.app.db, "Құтарыс"))
    assert "коды временно не принимаются" in third.reply
    day_alerts = alerts_to(strict, 900, strict.session.requests[before:])[1:]
    assert len(day_alerts) == 1 and "За последние 24 часа" in day_alerts[0]
    clock.advance(timedelta(days=1))
    await third.send(await code_of(strict.app.db, "Құтарыс"))
    assert "Организация: <b>Құтарыс</b>" in third.reply


async def test_a_code_revoked_before_the_confirmation_registers_nobody(harness, clock):
    guest = await at_code_question(harness, 2020)
    await guest.send(await code_of(harness.app.db, "Қайнарбұлақ"))
    await guest.send("Петрова Анна")
    await guest.send("Пропустить")
    org = next(o for o in await harness.app.repos.orgs.all() if o.name == "Қайнарбұлақ")
    new = await reissue_code(harness.app.db, org.id, clock.now())
    await guest.press("Подтвердить")
    assert "больше не действует" in guest.reply and "Ничего не сохранено" in guest.reply
    assert "код приглашения" in guest.reply                     # asked for the code again
    user = await harness.app.repos.users.get(2020)
    assert user.org_id is None and user.full_name is None
    await guest.send(new)
    assert "Организация: <b>Қайнарбұлақ</b>" in guest.reply
