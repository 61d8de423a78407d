"""«Remind now»: one reminder per organization per day, audited, and never in quiet hours."""
from __future__ import annotations

from datetime import timedelta

from aiogram.methods import SendMessage

from bot.features.webapp.remind import send_deferred
from bot.features.webapp.state import STATE
from tests.support.harness import at
from tests.support.webapp_world import BRANCH, DISTRICT, MEKTEP_CHAIR, register


def reminders(harness, chat_id: int) -> list[SendMessage]:
    return [r for r in harness.session.requests if isinstance(r, SendMessage) and r.chat_id == chat_id]


async def test_remind_now_twice_on_one_day_sends_one_reminder(api, harness, world):
    chair = 1004
    await register(harness, chair, "Қайнарбұлақ", "Омарова Гүлнар", "+77010000004", "ru")
    path = f"/app/api/orgs/{world['kainar']}/remind"
    first = await (await api.post(path, DISTRICT)).json()
    assert first["status"] == "sent" and first["message"] == "Еске салу жіберілді."
    harness.clock.advance(timedelta(hours=3))
    second = await (await api.post(path, BRANCH)).json()  # another admin, same day
    assert second["status"] == "already"
    sent = reminders(harness, chair)
    assert len(sent) == 1
    assert "ноябрь 2026 года" in sent[0].text and "9" in sent[0].text  # in the chair's language, days left
    assert sent[0].reply_markup.inline_keyboard[0][0].callback_data == "report:open"
    progress = await api.json("/app/api/progress", DISTRICT)
    assert [m["reminded_today"] for m in progress["missing_orgs"]] == [True]
    entries = [e for e in await harness.app.repos.audit.latest(10) if e.action == "webapp.remind"]
    assert [(e.actor_id, e.actor_role, e.object_ref, e.details["status"]) for e in entries] == [
        (DISTRICT, "district", f"org:{world['kainar']}", "sent")]
    harness.clock.advance(timedelta(days=1))  # the next day: one more
    assert (await (await api.post(path, DISTRICT)).json())["status"] == "sent"
    assert len(reminders(harness, chair)) == 2


async def test_in_quiet_hours_the_reminder_waits_for_nine_and_goes_out_once(api, harness, world):
    harness.clock.set(at("2026-11-26 22:30"))
    path = f"/app/api/orgs/{world['mektep']}/remind"
    answer = await (await api.post(path, BRANCH)).json()
    assert answer["status"] == "scheduled" and answer["at"].startswith("2026-11-27T09:00")
    assert answer["message"] == "Қазір түнгі тыныштық уақыты: еске салу 09:00 уақытында жіберіледі."
    assert (await (await api.post(path, BRANCH)).json())["status"] == "already"
    state = api.client.server.app[STATE]
    assert await send_deferred(harness.app, harness.bot, state.dashboard) == 0  # still night
    assert reminders(harness, MEKTEP_CHAIR) == []
    harness.clock.set(at("2026-11-27 09:01"))
    assert await send_deferred(harness.app, harness.bot, state.dashboard) == 1
    assert await send_deferred(harness.app, harness.bot, state.dashboard) == 0  # e.g. after a restart
    assert (await (await api.post(path, BRANCH)).json())["status"] == "already"  # that was today's
    sent = reminders(harness, MEKTEP_CHAIR)
    assert len(sent) == 1 and "ноябрь 2026 года" in sent[0].text  # Мектеп №5's chair reads Russian


async def test_nothing_to_remind_when_filed_or_without_a_chair(api, harness, world):
    filed = await (await api.post(f"/app/api/orgs/{world['kutarys']}/remind", DISTRICT)).json()
    assert (filed["status"], filed["message"]) == ("submitted", "Есеп тапсырылып қойған.")
    nobody = await (await api.post(f"/app/api/orgs/{world['kainar']}/remind", DISTRICT)).json()
    assert nobody["status"] == "no_chair"
    assert not [r for r in harness.session.requests if isinstance(r, SendMessage)]


async def test_the_reminder_says_what_the_day_is_for_the_deadline(api, harness, world):
    path = f"/app/api/orgs/{world['mektep']}/remind"
    harness.clock.set(at("2026-12-05 11:00"))  # the due day of November
    assert (await (await api.post(path, BRANCH, json={"month": "2026-11"})).json())["status"] == "sent"
    harness.clock.set(at("2026-12-08 11:00"))  # overdue
    assert (await (await api.post(path, BRANCH, json={"month": "2026-11"})).json())["status"] == "sent"
    due_day, overdue = (r.text for r in reminders(harness, MEKTEP_CHAIR))
    assert due_day.startswith("⏰ Сегодня") and "ноябрь 2026 года" in due_day
    assert overdue.startswith("❗") and "5 декабря 2026 г." in overdue
