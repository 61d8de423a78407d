"""The local Bot API server learns webhooks as Telegram has them: setWebhook with a secret, delivery by
POST with the secret header, a failed delivery tried again (the same update, not lost), one update in
flight per chat (chats side by side up to max_connections), getUpdates refused while a webhook is set."""
from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError

from bot.sandbox.apiserver import User
from tests.support.webhook import SECRET, Receiver

CHAIRS = [User(10 + n, f"Chair {n}", language_code="kk") for n in range(4)]


@pytest.fixture(autouse=True)
def quick_retries(server):
    server.webhook_retry_s = (0.05, 0.2)


async def test_set_webhook_delivers_with_the_secret_header_and_get_updates_is_refused(server, bot):
    async with Receiver() as receiver:
        assert await bot.set_webhook(receiver.url, secret_token=SECRET, max_connections=5,
                                     allowed_updates=["message", "callback_query"])
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await bot.get_updates()
        first = server.send_text(CHAIRS[0], "/start")
        second = server.send_text(CHAIRS[0], "сәлем")
        await server.wait_for_updates_consumed()
        assert [d.update_id for d in receiver.deliveries] == [1, 2]
        assert {d.secret for d in receiver.deliveries} == {SECRET}
        info = await bot.get_webhook_info()
        assert (info.url, info.pending_update_count, info.max_connections) == (receiver.url, 0, 5)
        assert info.allowed_updates == ["message", "callback_query"] and info.last_error_message is None
        assert first.message_id < second.message_id
        assert await bot.delete_webhook()
        server.send_text(CHAIRS[0], "polling again")
        assert [u.update_id for u in await bot.get_updates()] == [3]
        assert len(receiver.deliveries) == 2


async def test_a_bad_secret_or_url_is_refused(bot):
    with pytest.raises(TelegramBadRequest, match="secret token contains unallowed characters"):
        await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="no spaces allowed")
    with pytest.raises(TelegramBadRequest, match="invalid webhook URL"):
        await bot.set_webhook("ftp://127.0.0.1/hook")


async def test_a_failed_delivery_is_sent_again_until_200_and_nothing_is_lost(server, bot):
    failures = {1: 2, 2: 1}  # update 1 gets 500 twice, update 2 once

    def answer(update):
        left = failures.get(update["update_id"], 0)
        failures[update["update_id"]] = left - 1
        return 500 if left > 0 else 200

    async with Receiver(answer=answer) as receiver:
        await bot.set_webhook(receiver.url, secret_token=SECRET)
        for text in ("бір", "екі", "үш"):
            server.send_text(CHAIRS[0], text)
        await server.wait_for_updates_consumed()
        # One chat: the next update waits for the previous one's 200, so the order holds through the retries.
        assert [(d.update_id, d.status) for d in receiver.deliveries] == [
            (1, 500), (1, 500), (1, 200), (2, 500), (2, 200), (3, 200)]
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 0 and "500" in info.last_error_message


async def test_a_receiver_that_is_down_gets_the_update_when_it_is_back(server, bot):
    receiver = Receiver()
    async with receiver:
        url = receiver.url
    await bot.set_webhook(url, secret_token=SECRET)
    server.send_text(CHAIRS[0], "while down")
    await server.wait_for(lambda: server.webhook.stats.failed >= 2)
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 1 and info.last_error_message.startswith("Connection failed")
    await bot.delete_webhook()  # the update stays pending: polling gets it
    assert [u.message.text for u in await bot.get_updates()] == ["while down"]


async def test_one_update_in_flight_per_chat_and_chats_side_by_side(server, bot):
    async with Receiver(delay=0.05) as receiver:
        await bot.set_webhook(receiver.url, secret_token=SECRET, max_connections=3)
        for round_ in range(3):
            for chair in CHAIRS:
                server.send_text(chair, f"{chair.id}: {round_}")
        await server.wait_for_updates_consumed()
        assert len(receiver.deliveries) == 12
        assert max(d.in_flight_of_chat for d in receiver.deliveries) == 1
        assert max(d.in_flight for d in receiver.deliveries) == 3  # four chats, three connections
        for chair in CHAIRS:
            mine = [d.update_id for d in receiver.deliveries if d.chat_id == chair.id]
            assert mine == sorted(mine) and len(mine) == 3


async def test_callback_queries_are_ordered_with_their_chats_messages(server, bot):
    async with Receiver(delay=0.02) as receiver:
        await bot.set_webhook(receiver.url, secret_token=SECRET)
        sent = await bot.send_message(CHAIRS[1].id, "?", reply_markup={
            "inline_keyboard": [[{"text": "Иә", "callback_data": "yes"}]]})
        server.send_text(CHAIRS[1], "first")
        server.press(CHAIRS[1], sent.message_id, "yes")
        server.send_text(CHAIRS[1], "third")
        await server.wait_for_updates_consumed()
        assert [d.chat_id for d in receiver.deliveries] == [CHAIRS[1].id] * 3
        assert max(d.in_flight_of_chat for d in receiver.deliveries) == 1
        assert [d.update_id for d in receiver.deliveries] == sorted(d.update_id for d in receiver.deliveries)
