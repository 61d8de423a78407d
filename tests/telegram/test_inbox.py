"""The inbox: an update is stored before it is confirmed, handled once, replayed after a crash, and a
waiting dialog is asked again after a restart."""
from __future__ import annotations

import asyncio
from contextlib import suppress
from datetime import timedelta

from aiogram.methods import SendMessage
from aiogram.types import Update

from bot.telegram.resume import resume_dialogs
from tests.support.people import register
from tests.support.report import draft_of, open_report


def crash_on_next_send(harness) -> None:
    """The process dies (kill -9) when the bot next tries to send a message: nothing after it runs."""
    session = harness.session
    original = session.make_request

    async def make_request(bot, method, *args, **kwargs):
        if isinstance(method, SendMessage):
            session.make_request = original
            raise asyncio.CancelledError("killed")
        return await original(bot, method, *args, **kwargs)

    session.make_request = make_request


async def feed_and_crash(chair, text: str, update_id: int) -> None:
    with suppress(asyncio.CancelledError):
        await chair.send(text, update_id=update_id)


def update_of(chair, text: str, update_id: int) -> Update:
    return Update.model_validate({"update_id": update_id, "message": chair._message(text=text)},
                                 context={"bot": chair.harness.bot})


async def test_an_update_stored_but_not_handled_is_handled_after_a_restart(harness):
    chair = await register(harness, 1101, "kk", "Құтарыс")
    await open_report(harness, chair, "kk")
    # Stored (Telegram was told), then the process died before handling it.
    assert await harness.inbox.store([update_of(chair, "400", 990001)])
    harness = await harness.restart()
    await harness.inbox.replay()
    chair = harness.client(1101)
    draft = await draft_of(harness, 1101)
    assert draft.answers == {"members_total": 400} and draft.cursor == "members_joined"
    assert "Сұрақ 2/12" in harness.session.requests[-1].text
    # Telegram re-sends it (the confirmation was lost too): not handled a second time.
    assert await chair.send("400", update_id=990001) == []
    assert (await draft_of(harness, 1101)).answers == {"members_total": 400}
    await harness.close()


async def test_a_crash_after_the_answer_is_saved_does_not_apply_it_to_the_next_question(harness):
    chair = await register(harness, 1102, "ru", "Құтарыс")
    await open_report(harness, chair, "ru")
    await chair.send("400", update_id=990010)
    crash_on_next_send(harness)  # members_joined = 12 is saved, the next question is never sent
    await feed_and_crash(chair, "12", 990011)
    assert (await draft_of(harness, 1102)).cursor == "members_left"
    harness = await harness.restart()
    assert await harness.inbox.replay() == set()  # its effect and its done mark were one transaction
    draft = await draft_of(harness, 1102)
    assert draft.answers == {"members_total": 400, "members_joined": 12} and draft.cursor == "members_left"
    # The restart asks the waiting chair the current question again, once per boot.
    asked = await resume_dialogs(harness.dp, harness.bot, harness.app.repos.dialogs, harness.clock, "boot-2")
    assert asked == 1 and "Вопрос 3 из 12" in harness.session.requests[-1].text
    assert harness.session.requests[-1].chat_id == 1102
    assert await resume_dialogs(harness.dp, harness.bot, harness.app.repos.dialogs, harness.clock, "boot-2") == 0
    assert await resume_dialogs(harness.dp, harness.bot, harness.app.repos.dialogs, harness.clock, "boot-3") == 1
    await harness.close()


async def test_resume_skips_chats_just_answered_and_dialogs_not_registered(harness):
    chair = await register(harness, 1103, "kk", "Құтарыс")
    await open_report(harness, chair, "kk")
    guest = harness.client(1104, language_code="ru")
    await guest.send("/start")  # at the language question: no dialog state yet
    before = len(harness.session.requests)
    asked = await resume_dialogs(harness.dp, harness.bot, harness.app.repos.dialogs, harness.clock, "b",
                                 skip_chats={"c1103"})
    assert asked == 0 and len(harness.session.requests) == before


async def test_every_registered_dialog_is_asked_again_after_a_restart(harness):
    guest = harness.client(1105, language_code="ru")
    await guest.send("/start")
    await guest.press("Русский")  # now at the invite code question of the registration dialog
    harness = await harness.restart()
    asked = await resume_dialogs(harness.dp, harness.bot, harness.app.repos.dialogs, harness.clock, "b")
    assert asked == 1
    sent = [r for r in harness.session.requests if isinstance(r, SendMessage)]
    assert "код" in sent[-1].text.lower() and sent[-1].chat_id == 1105
    await harness.close()


async def test_one_chat_in_order_while_other_chats_go_on(harness):
    first = await register(harness, 1106, "kk", "Құтарыс")
    second = await register(harness, 1107, "kk", "Қайнарбұлақ")
    for chair in (first, second):
        await open_report(harness, chair, "kk")
    # A batch as getUpdates returns it: three answers of one chat and one of another, at once.
    batch = [update_of(first, "400", 990101), update_of(first, "12", 990102), update_of(second, "500", 990103),
             update_of(first, "2", 990104)]
    await asyncio.gather(*await harness.inbox.receive(batch))
    assert (await draft_of(harness, 1106)).answers == {"members_total": 400, "members_joined": 12, "members_left": 2}
    assert (await draft_of(harness, 1107)).answers == {"members_total": 500}
    assert await harness.inbox.receive(batch) == []  # all known: none handled twice


async def test_handled_updates_are_pruned_after_some_days(harness):
    chair = await register(harness, 1108, "kk", "Құтарыс")
    await open_report(harness, chair, "kk")
    await chair.send("400", update_id=990201)
    assert await harness.inbox.store([update_of(chair, "12", 990202)])  # stored, not handled
    repo = harness.app.repos.inbox
    assert await repo.is_done(990201)
    harness.clock.advance(timedelta(days=6))
    assert await harness.inbox.prune() == 0  # too recent
    harness.clock.advance(timedelta(days=2))
    assert await harness.inbox.prune() > 0
    assert not await repo.is_done(990201)
    assert [row.update_id for row in await repo.pending()] == [990202]  # never pruned before it is handled


async def test_a_crash_after_the_report_is_submitted_sends_the_receipt_after_the_restart(harness):
    from bench.report_driver import file_report
    from bot.form.render import ReportCb

    chair = await register(harness, 1109, "kk", "Құтарыс")
    await file_report(harness, 1109, "kk", confirm=False)
    crash_on_next_send(harness)  # the report is stored, the receipt never goes out
    with suppress(asyncio.CancelledError):
        await chair.press_data(ReportCb(action="confirm").pack())
    org = (await harness.app.repos.users.get(1109)).org_id
    assert await harness.app.repos.reports.get(org, "2026-11") is not None
    harness = await harness.restart()
    assert await harness.inbox.replay() == set()
    assert await resume_dialogs(harness.dp, harness.bot, harness.app.repos.dialogs, harness.clock, "b") == 1
    sent = [r for r in harness.session.requests if isinstance(r, SendMessage)]
    assert [r.chat_id for r in sent] == [1109] and sent[0].text.startswith("✅")
    # Asked once: the dialog is over now, a later restart says nothing.
    assert await resume_dialogs(harness.dp, harness.bot, harness.app.repos.dialogs, harness.clock, "c") == 0
    await harness.close()


async def test_a_crash_between_showing_a_question_and_recording_it_puts_no_answer_on_the_previous_one(
        harness, monkeypatch):
    from bot.features.report import replies

    chair = await register(harness, 1110, "ru", "Құтарыс")
    await open_report(harness, chair, "ru")
    await chair.send("400")
    record = replies.remember_asked

    async def killed_after_sending(*args, **kwargs):
        monkeypatch.setattr(replies, "remember_asked", record)
        raise asyncio.CancelledError("killed")

    monkeypatch.setattr(replies, "remember_asked", killed_after_sending)
    with suppress(asyncio.CancelledError):
        await chair.send("12")  # saved, question 3 sent, its showing never recorded
    harness = await harness.restart()
    chair = harness.client(1110, language_code="ru")
    await chair.send("2")  # the chair answers question 3, which it sees
    assert "Вопрос 3 из 12" in chair.reply and "изменён" not in chair.reply
    assert (await draft_of(harness, 1110)).answers == {"members_total": 400, "members_joined": 12}
    await chair.send("2")
    assert (await draft_of(harness, 1110)).answers == {"members_total": 400, "members_joined": 12, "members_left": 2}
    await harness.close()
