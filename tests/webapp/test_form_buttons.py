"""«Fill in as a form» beside the chat dialog: under the chair's main menu and every reminder, a web_app
button to the Mini App when `[web] public_url` is set, and nothing of it when it is empty."""
from __future__ import annotations

import pytest
from aiogram.methods import SendMessage

from bot.features.reminders.due_work import run_due_work
from tests.support.fixtures import PUBLIC_URL
from tests.support.harness import at
from tests.support.schedule import classify, people

FORM = {"kk": "Нысанмен толтыру", "ru": "Заполнить формой"}
DIALOG = {"kk": "📝 Есепті тапсыру", "ru": "📝 Сдать отчёт"}


def inline_rows(call: SendMessage) -> list[list[tuple[str, str | None, str | None]]]:
    """(label, callback data, web_app address) of each button of the message's inline keyboard."""
    markup = call.reply_markup
    return [[(b.text, b.callback_data, b.web_app.url if b.web_app else None) for b in row]
            for row in getattr(markup, "inline_keyboard", None) or []]


def dialog_and_form(locale: str) -> list[list[tuple[str, str | None, str | None]]]:
    return [[(DIALOG[locale], "report:open", None), (FORM[locale], None, f"{PUBLIC_URL}/app/")]]


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_the_chairs_main_menu_offers_the_form_beside_the_chat(web_harness, locale):
    from tests.support.people import register

    chair = await register(web_harness, 1001, locale, "Құтарыс")
    calls = await chair.send("/start")
    assert chair.reply_keyboard()  # the menu keyboard as before
    offers = [c for c in calls if isinstance(c, SendMessage) and inline_rows(c)]
    assert len(offers) == 1 and inline_rows(offers[0]) == dialog_and_form(locale)
    await chair.press(DIALOG[locale], message=chair.bot_messages()[-1])  # the chat button starts the dialog
    assert ("Партия мүшелерінің жалпы саны" if locale == "kk" else "Всего членов партии") in chair.reply


async def test_a_chair_just_registered_is_offered_the_form_too(web_harness):
    from tests.support.people import register

    chair = await register(web_harness, 1002, "ru", "Қайнарбұлақ")
    offers = [c for c in chair.last_calls if isinstance(c, SendMessage) and inline_rows(c)]
    assert [inline_rows(c) for c in offers] == [dialog_and_form("ru")] and [c.text for c in offers] == [
        "Отчёт за месяц можно заполнить в чате, отвечая на вопросы по одному, или целиком на одной странице — формой."]


async def test_without_a_public_address_the_main_menu_has_no_form_button(harness):
    from tests.support.people import register

    chair = await register(harness, 1001, "kk", "Құтарыс")
    assert [c for c in chair.last_calls if isinstance(c, SendMessage) and inline_rows(c)] == []  # registered
    calls = await chair.send("/start")
    assert chair.reply_keyboard()
    assert [c for c in calls if isinstance(c, SendMessage) and inline_rows(c)] == []


async def test_admins_main_menu_has_no_form_button(web_harness):
    admin = web_harness.client(900, language_code="ru")
    await admin.send("/start")
    await admin.press("Русский")
    calls = await admin.send("/start")
    assert admin.reply_keyboard()
    assert all(not inline_rows(c) for c in calls if isinstance(c, SendMessage))


REMINDERS = ("2026-11-25 09:00", "2026-12-02 09:00", "2026-12-05 09:00", "2026-12-07 09:00")


async def reminders(h, clock) -> dict[tuple[str, int], SendMessage]:
    """The reminders of the opening, 3 days before, the due day and the first overdue day, by
    (kind, chair): three chairs who never file."""
    await people(h, clock)
    out = {}
    for moment in REMINDERS:
        before = len(h.session.requests)
        await run_due_work(h.app, h.bot, at(moment))
        for call in h.session.requests[before:]:
            if isinstance(call, SendMessage) and call.chat_id in (1001, 1002, 1003):
                out[(classify(call.text)[0], call.chat_id)] = call
    assert {kind for kind, _ in out} == {"open", "before", "due", "overdue"}
    return out


async def test_every_reminder_offers_the_form_beside_the_chat(web_harness, clock):
    sent = await reminders(web_harness, clock)
    for (kind, chair), call in sent.items():
        assert inline_rows(call) == dialog_and_form("ru" if chair == 1002 else "kk"), (kind, chair)


async def test_without_a_public_address_reminders_carry_only_the_chat_button(harness, clock):
    sent = await reminders(harness, clock)
    for (kind, chair), call in sent.items():
        assert inline_rows(call) == [[(DIALOG["ru" if chair == 1002 else "kk"], "report:open", None)]], kind


async def test_remind_now_offers_the_form_too(web_harness):
    from tests.support.people import org_id
    from tests.support.webapp import webapp_client
    from tests.support.webapp_world import DISTRICT, register

    chair = 1004
    await register(web_harness, chair, "Қайнарбұлақ", "Омарова Гүлнар", None, "ru")
    async with webapp_client(web_harness) as api:
        answer = await (await api.post(f"/app/api/orgs/{await org_id(web_harness, 'Қайнарбұлақ')}/remind",
                                       DISTRICT)).json()
    assert answer["status"] == "sent"
    sent = [r for r in web_harness.session.requests if isinstance(r, SendMessage) and r.chat_id == chair]
    assert [inline_rows(r) for r in sent] == [dialog_and_form("ru")]
