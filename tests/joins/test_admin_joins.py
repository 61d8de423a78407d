"""A user without an invite code asks to join; a district admin approves or rejects."""
from __future__ import annotations

import pytest

from tests.support.people import BRANCH, SAIRAM_ADMIN, admin, district_id, nowhere, org_id, register
from tests.support.roster import seed_roster
from tests.support.seen import audit_entries, shown

STORY = {
    "kk": {"language": "Қазақша", "no_code": "Менде код жоқ", "sent": "әкімшілерге жіберілді",
           "approved": "Өтінішіңіз мақұлданды", "declined": "қабылданбады", "menu": "📝 Айлық есепті тапсыру"},
    "ru": {"language": "Русский", "no_code": "У меня нет кода", "sent": "отправлена администраторам",
           "approved": "Ваша заявка одобрена", "declined": "отклонена", "menu": "📝 Сдать отчёт за месяц"},
}


async def ask_to_join(harness, user_id: int, locale: str, district: str, org: str, name: str = "Сейтов Ерлан"):
    words = STORY[locale]
    user = harness.client(user_id, language_code=locale)
    await user.send("/start")
    await user.press(words["language"])
    await user.press(words["no_code"])
    await user.press(district)
    await user.press(org)
    assert org in user.reply
    await user.send(name)
    assert words["sent"] in user.reply
    return user


def request_message(client) -> dict:
    return client.keyboard_message()


@pytest.mark.parametrize("user_locale, admin_locale", [("kk", "ru"), ("ru", "kk")])
async def test_join_request_is_approved_and_the_user_is_told_in_their_language(harness, user_locale, admin_locale):
    district_admin = await admin(harness, SAIRAM_ADMIN, locale=admin_locale)
    boss = await admin(harness, BRANCH, locale="ru")
    baizaq_admin = await admin(harness, 7300)
    await harness.app.repos.admins.put(7300, "district", await harness.app.repos.orgs.district_by_name("Байзақ ауданы"),
                                       BRANCH, harness.clock.now())
    user = await ask_to_join(harness, 5001, user_locale, "Сайрам ауданы", "Қайнарбұлақ")
    # The district's admin and the branch admin are asked, each in their language; the other district's is not.
    asked = district_admin.bot_messages()[-1]
    assert "Сейтов Ерлан" in asked["text"] and "Қайнарбұлақ" in asked["text"]
    assert ("Мақұлдау" if admin_locale == "kk" else "Одобрить") in str(asked["reply_markup"])
    assert "Сейтов Ерлан" in boss.bot_messages()[-1]["text"]
    assert all("Сейтов" not in (m.get("text") or "") for m in baizaq_admin.bot_messages())

    await district_admin.press("✅", message=asked)
    assert (await harness.app.repos.users.get(5001)).org_id is not None
    chair = await harness.app.repos.users.chair_of(
        (await harness.app.db.fetchone("SELECT id FROM organizations WHERE name = 'Қайнарбұлақ'"))[0])
    assert chair.id == 5001 and chair.full_name == "Сейтов Ерлан"
    told = user.bot_messages()[-1]
    assert STORY[user_locale]["approved"] in told["text"] and "Қайнарбұлақ" in told["text"]
    # The registered chair now has the chair's menu.
    await user.send("/start")
    assert STORY[user_locale]["menu"] in user.reply_keyboard()
    entry = (await audit_entries(harness))[-1]
    assert entry["action"] == "join.approve" and entry["actor"] == SAIRAM_ADMIN and entry["role"] == "district"

    # The branch admin presses the same request later: told who decided it.
    await boss.press("Одобрить", message=boss.bot_messages()[-1])
    assert "Одобрено: 901" in boss.reply
    assert len([e for e in await audit_entries(harness) if e["action"].startswith("join.")]) == 1


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_join_request_is_rejected(harness, locale):
    district_admin = await admin(harness, SAIRAM_ADMIN)
    user = await ask_to_join(harness, 5002, locale, "Сайрам ауданы", "Құтарыс", name="Ахметова Дана")
    await district_admin.press("Отклонить", message=district_admin.bot_messages()[-1])
    assert "Отклонено: 901" in district_admin.reply
    assert (await harness.app.repos.users.get(5002)).org_id is None
    assert STORY[locale]["declined"] in user.bot_messages()[-1]["text"]
    assert (await audit_entries(harness))[-1]["action"] == "join.reject"


async def test_organizations_with_a_chair_are_not_offered_and_cannot_be_approved(harness):
    district_admin = await admin(harness, SAIRAM_ADMIN)
    await ask_to_join(harness, 5003, "ru", "Сайрам ауданы", "Құтарыс")
    request = district_admin.bot_messages()[-1]
    await register(harness, 1001, "ru", "Құтарыс")  # someone registers with the code meanwhile
    await district_admin.press("Одобрить", message=request)
    assert "уже есть председатель" in district_admin.reply
    assert (await harness.app.repos.users.get(5003)).org_id is None
    other = harness.client(5004, language_code="ru")
    await other.send("/start")
    await other.press("Русский")
    await other.press("У меня нет кода")
    await other.press("Сайрам ауданы")
    assert other.buttons() == ["Қайнарбұлақ"]


async def test_one_pending_request_at_a_time(harness):
    user = await ask_to_join(harness, 5005, "ru", "Байзақ ауданы", "Мектеп №5")
    await user.send("/start")
    await user.press("У меня нет кода")
    assert "ожидает решения" in user.reply
    count = await harness.app.db.fetchone("SELECT COUNT(*) FROM join_requests")
    assert count[0] == 1


async def test_many_organizations_are_paged(harness):
    await seed_roster(harness.app.db, harness.clock, [("Тараз қаласы", f"Мектеп {n:02d}", "social", 10)
                                                      for n in range(20)])
    user = harness.client(5006, language_code="ru")
    await user.send("/start")
    await user.press("Русский")
    await user.press("У меня нет кода")
    await user.press("Тараз қаласы")
    assert user.buttons()[:8] == [f"Мектеп {n:02d}" for n in range(8)] and user.buttons()[-1] == "▶"
    await user.press("▶")
    assert "Мектеп 08" in user.buttons() and "◀" in user.buttons()
    await user.press("Мектеп 09")
    await user.send("Нурланов Асет")
    row = await harness.app.db.fetchone("SELECT o.name FROM join_requests j JOIN organizations o ON o.id = j.org_id")
    assert row[0] == "Мектеп 09"


async def test_the_code_question_offers_the_no_code_button_and_clears_old_keyboards(harness):
    user = harness.client(5010, language_code="ru")
    await user.send("/start")
    await user.press("Русский")
    assert "код приглашения" in user.reply
    assert any(type(getattr(c, "reply_markup", None)).__name__ == "ReplyKeyboardRemove" for c in user.last_calls)
    assert user.buttons() == ["🙋 У меня нет кода"]


async def test_registered_people_cannot_use_the_join_buttons(harness):
    from bot.features.joins.keyboards import JoinCb

    chair = await register(harness, 1001, "ru", "Құтарыс")
    baizaq = await district_id(harness, "Байзақ ауданы")
    calls = []
    for data in (JoinCb(action="start"), JoinCb(action="d", district=baizaq), JoinCb(action="dp", page=0),
                 JoinCb(action="op", district=baizaq), JoinCb(action="o", org=await org_id(harness, "Мектеп №5"))):
        calls += await chair.press_data(data.pack(), nowhere(1001))
        assert "уже зарегистрированы" in chair.reply
    assert "Мектеп" not in shown(calls) and "Байзақ" not in shown(calls)
    assert await harness.app.db.fetchone("SELECT 1 FROM join_requests") is None
