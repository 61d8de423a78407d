"""The local Bot API server's limits, faults, validation, control API and its own process."""
from __future__ import annotations

import asyncio
import base64
import os
import signal
import subprocess
import sys

import aiohttp
import pytest
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramNotFound, TelegramRetryAfter
from aiogram.methods.base import TelegramMethod
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.sandbox.apihtml import parse_html
from bot.sandbox.apimodels import FaultRule, FaultRules
from bot.sandbox.apiserver import Fault
from tests.support.apiserver import ALICE, PNG, raw
from tests.support.paths import REPO


async def test_global_rate_limit_answers_429_without_delivering(server, bot, http):
    server.configure(global_rate=2)
    await bot.send_message(1, "a")
    await bot.send_message(2, "b")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(3, "c")
    assert caught.value.retry_after == 1 and server.messages(3) == []
    server.clock.now += 0.5  # one token back
    await bot.send_message(3, "c")
    status, body = await raw(http, server, "sendMessage", chat_id=4, text="d")
    assert status == 429 and body == {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
                                      "parameters": {"retry_after": 1}}
    assert await bot.send_chat_action(4, "typing")  # not a message: not counted
    assert server.too_many_requests == 2 and server.delivered == 3
    server.configure(global_rate=0.25)
    await bot.send_message(1, "e")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(2, "f")
    assert caught.value.retry_after == 4


async def test_per_chat_interval(server, bot):
    server.configure(per_chat_interval=1.0)
    await bot.send_message(1, "a")
    await bot.send_message(2, "b")  # another chat is free
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_photo(1, BufferedInputFile(PNG, "p.png"))
    assert caught.value.retry_after == 1
    server.clock.now += 0.99
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(1, "too early")
    server.clock.now += 0.01
    await bot.send_message(1, "on time")
    assert [m.text for m in server.bot_messages(1)] == ["a", "on time"]
    server.configure(per_chat_interval=3.0)
    await bot.send_message(1, "x")
    server.clock.now += 0.5
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(1, "y")
    assert caught.value.retry_after == 3 and server.stats()["too_many_requests"] == 3


async def test_fault_injection_blocked_chat(server, bot):
    server.faults = lambda method, params: Fault.blocked() if params.get("chat_id") == 42 else None
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(42, "hi")
    await bot.send_message(43, "hi")
    assert server.messages(42) == [] and len(server.messages(43)) == 1
    assert [(c.method, c.status) for c in server.calls("sendMessage")] == [("sendMessage", 403), ("sendMessage", 200)]


def test_fault_rules_are_seeded_and_match():
    rules = FaultRules([FaultRule(500, "Internal Server Error", method="sendMessage", probability=0.1)], seed=1)
    hits = [rules("sendMessage", {"chat_id": i}) for i in range(200)]
    assert 5 < sum(h is not None for h in hits) < 40 and rules("getMe", {}) is None
    again = FaultRules([FaultRule(500, "x", method="sendMessage", probability=0.1)], seed=1)
    assert [h is None for h in hits] == [again("sendMessage", {}) is None for _ in range(200)]


class FooBar(TelegramMethod[bool]):
    __returning__ = bool
    __api_method__ = "fooBar"


async def test_unknown_method_is_404(server, bot, http):
    with pytest.raises(TelegramNotFound, match="method not found"):
        await bot(FooBar())
    assert await raw(http, server, "fooBar") == (404, {"ok": False, "error_code": 404,
                                                       "description": "Not Found: method not found"})


async def test_text_validation(server, bot, http):
    with pytest.raises(TelegramBadRequest, match="can't parse entities: Can't find end tag"):
        await bot.send_message(1, "<b>open", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match='Unsupported start tag "foo"'):
        await bot.send_message(1, "<foo>x</foo>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(1, "")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(1, "x" * 4097)
    assert server.messages(1) == []
    assert await raw(http, server, "sendMessage", text="hi") == (
        400, {"ok": False, "error_code": 400, "description": "Bad Request: chat_id is empty"})
    sent = await bot.send_message(1, "<b>Жарайсың</b> &amp; <a href='https://x.kz'>link</a>", parse_mode="HTML")
    assert sent.text == "Жарайсың & link"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 8), ("text_link", 11, 4)]
    assert server.last_bot_message(1).raw_text.startswith("<b>Жарайсың</b>")
    await bot.send_message(1, "x" * 4096)


def test_parse_html_details():
    assert parse_html("a 😀<i>b</i>") == ("a 😀b", [{"type": "italic", "offset": 4, "length": 1}])
    with pytest.raises(Exception, match="Unexpected end tag at byte offset 1"):
        parse_html("x</b>")
    with pytest.raises(Exception, match='Unmatched end tag'):
        parse_html("<b><i>x</b></i>")


async def test_reply_keyboard_contact_and_other_updates(server, bot):
    kb = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Share", request_contact=True)]], resize_keyboard=True)
    await bot.send_message(1, "Phone?", reply_markup=kb)
    assert server.chats[1].reply_keyboard["keyboard"][0][0]["request_contact"] is True
    server.send_contact(ALICE, "+77010000000")
    server.send_document(ALICE, b"%PDF-1.4", "plan.pdf", caption="plan")
    server.send_sticker(ALICE)
    server.send_voice(ALICE)
    sent = server.send_text(ALICE, "typo")
    server.edit_text(ALICE, sent.message_id, "fixed")
    updates = await bot.get_updates()
    contact = updates[0].message.contact
    assert (contact.phone_number, contact.user_id, contact.first_name) == ("+77010000000", 1, "Alice")
    assert updates[1].message.document.file_name == "plan.pdf" and updates[1].message.caption == "plan"
    assert updates[2].message.sticker is not None and updates[3].message.voice is not None
    assert updates[5].edited_message.text == "fixed" and server.chats[1].by_id[sent.message_id].text == "fixed"
    await bot.send_message(1, "Thanks", reply_markup=ReplyKeyboardRemove())
    assert server.chats[1].reply_keyboard is None


async def test_waiters_and_subscription(server, bot):
    queue = server.subscribe(1)
    marker = server.send_text(ALICE, "/start").message_id

    async def reply_later():
        await asyncio.sleep(0.02)
        await bot.send_message(1, "first")
        await bot.send_message(1, "second")

    task = asyncio.create_task(reply_later())
    found = await server.wait_for_bot_message(1, lambda m: m.text == "second", timeout=2, after=marker)
    await task
    assert found.text == "second" and found.message_id == marker + 2
    with pytest.raises(TimeoutError, match="first"):
        await server.wait_for_bot_message(1, after=found.message_id, timeout=0.05)
    await bot.edit_message_text("second!", chat_id=1, message_id=found.message_id)
    kinds = [queue.get_nowait().kind for _ in range(queue.qsize())]
    assert kinds == ["message", "message", "message", "edit"]
    server.unsubscribe(queue)


async def test_control_api(server, bot, http):
    base = f"{server.base_url}/_control"
    async with http.post(f"{base}/send_text", json={"user": {"id": 5, "first_name": "Bob"}, "text": "/help"}) as r:
        assert (await r.json())["result"]["text"] == "/help"
    [update] = await bot.get_updates()
    assert update.message.from_user.first_name == "Bob"
    await bot.send_message(5, "Help text")
    async with http.get(f"{base}/wait_bot_message", params={"chat_id": 5, "after": 1, "timeout": 1}) as r:
        assert (await r.json())["result"]["text"] == "Help text"
    async with http.post(f"{base}/send_photo", json={"user": 5, "data_b64": base64.b64encode(PNG).decode()}) as r:
        assert (await r.json())["result"]["kind"] == "photo"
    async with http.get(f"{base}/messages", params={"chat_id": 5}) as r:
        assert [m["from_bot"] for m in (await r.json())["result"]] == [False, True, False]
    async with http.post(f"{base}/config", json={"global_rate": 1}) as r:
        assert (await r.json())["result"]["global_rate"] == 1
    async with http.post(f"{base}/faults", json={"rules": [{"error_code": 403, "description": "Forbidden: x",
                                                            "chat_id": 9}]}) as r:
        assert r.status == 200
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(9, "x")
    async with http.get(f"{base}/stats") as r:
        stats = (await r.json())["result"]
    assert stats["calls"]["sendMessage"] == 2 and stats["statuses"]["403"] == 1
    async with http.post(f"{base}/reset_stats") as r:
        assert r.status == 200
    assert server.stats()["total_calls"] == 0
    async with http.get(f"{base}/nope") as r:
        assert r.status == 404


@pytest.mark.slow
def test_cli_serves_until_sigterm():
    proc = subprocess.Popen([sys.executable, "-m", "bot.sandbox.apiserver", "--port", "0", "--global-rate", "5"],
                            cwd=REPO, stdout=subprocess.PIPE, text=True, env=os.environ | {"PYTHONPATH": str(REPO)})
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")

        async def check():
            async with aiohttp.ClientSession() as http, http.get(f"{url}/bot1:x/getMe") as r:
                return (await r.json())["result"]["username"]

        assert asyncio.run(check()) == "bastau_bot"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
    finally:
        proc.kill()
        proc.stdout.close()


async def test_a_polling_dispatcher_talks_to_the_server(server, bot):
    from aiogram import Dispatcher, F
    from aiogram.filters import CommandStart
    from aiogram.types import CallbackQuery, Message

    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer("Hi", reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Ok", callback_data="ok")]]))

    @dp.callback_query(F.data == "ok")
    async def ok(query: CallbackQuery) -> None:
        await query.answer("Noted")
        await query.message.edit_text("Done")

    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, close_bot_session=False,
                                                   polling_timeout=1))
    try:
        sent = server.send_text(ALICE, "/start")
        hi = await server.wait_for_bot_message(1, timeout=3, after=sent.message_id)
        assert hi.text == "Hi"
        answer = await server.wait_for_callback_answer(server.press(ALICE, hi.message_id, "ok"), timeout=3)
        assert answer["text"] == "Noted"
        await server.wait_for(lambda: hi.text == "Done", timeout=3)
        await server.wait_for_updates_consumed(timeout=3)
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(polling, 3)
