"""A button pressed on a message Telegram no longer gives (deleted or too old: an InaccessibleMessage)
is answered as stale, and nothing else happens."""
from __future__ import annotations

from aiogram.methods import AnswerCallbackQuery

from bot.features.joins.keyboards import JoinCb


async def test_a_press_on_an_inaccessible_message_is_answered_as_stale(harness):
    guest = harness.client(5001, language_code="ru")
    await guest.send("/start")
    await guest.press("Русский")
    gone = {"chat": {"id": 5001, "type": "private"}, "message_id": 1, "date": 0}
    calls = await guest.press_data(JoinCb(action="start").pack(), gone)
    assert [type(c) for c in calls] == [AnswerCallbackQuery]
    assert calls[0].text == "Эта кнопка больше не действует." and calls[0].show_alert
