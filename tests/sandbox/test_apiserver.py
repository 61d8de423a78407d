"""The local Bot API server (bot/sandbox/apiserver.py), driven by a real aiogram Bot over HTTP: the
Bot API methods and what the simulated users see."""
from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from bot.sandbox.apiserver import LocalBotAPI
from tests.support.apiserver import ALICE, PNG, raw


async def test_get_me_and_case_insensitive_methods(server, bot, http):
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (100000, "bastau_bot", True)
    async with http.get(f"{server.base_url}/botANY:token/GETME") as resp:
        assert (await resp.json())["result"]["username"] == "bastau_bot"
    assert server.call_counts["getMe"] == 2


async def test_commands_menu_button_and_chat_actions(server, bot):
    from aiogram.types import BotCommand, BotCommandScopeChat, MenuButtonCommands

    await bot.set_my_commands([BotCommand(command="start", description="Start")])
    await bot.set_my_commands([BotCommand(command="report", description="Report")], language_code="ru")
    await bot.set_my_commands([BotCommand(command="admin", description="Admin")], scope=BotCommandScopeChat(chat_id=1))
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    assert [c.command for c in await bot.get_my_commands(language_code="ru")] == ["report"]
    assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(chat_id=1))] == ["admin"]
    assert await bot.delete_my_commands(language_code="ru") and await bot.get_my_commands(language_code="ru") == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad Command", description="x")])
    assert await bot.set_chat_menu_button(chat_id=1, menu_button=MenuButtonCommands())
    assert server.chats[1].menu_button == {"type": "commands"}
    assert await bot.send_chat_action(1, "upload_document")
    assert server.chats[1].actions == ["upload_document"]
    with pytest.raises(TelegramBadRequest, match="wrong parameter action"):
        await bot.send_chat_action(1, "dancing")
    assert await bot.delete_webhook(drop_pending_updates=True) and await bot.log_out() and await bot.close()


async def test_get_updates_offset_and_limit(server, bot):
    for text in ("/start", "hello", "third"):
        server.send_text(ALICE, text)
    first = await bot.get_updates(limit=2)
    assert [u.update_id for u in first] == [1, 2]
    start = first[0].message
    assert start.text == "/start" and start.from_user.id == 1 and start.chat.type == "private"
    assert [(e.type, e.offset, e.length) for e in start.entities] == [("bot_command", 0, 6)]
    assert first[1].message.entities is None
    rest = await bot.get_updates(offset=2)  # confirms update 1
    assert [u.update_id for u in rest] == [2, 3]
    assert [u["update_id"] for u in server.updates] == [2, 3]
    assert await bot.get_updates(offset=4) == [] and server.updates == []


async def test_long_poll_waits_and_is_woken_by_an_update(server, bot, http):
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    assert not poll.done()
    started = time.monotonic()
    server.send_text(ALICE, "wake up")
    updates = await asyncio.wait_for(poll, 1)
    assert time.monotonic() - started < 0.5 and updates[0].message.text == "wake up"
    started = time.monotonic()
    status, body = await raw(http, server, "getUpdates", offset=2, timeout=0.2)
    assert (status, body["result"]) == (200, []) and time.monotonic() - started >= 0.2


async def test_stop_wakes_a_pending_poll():
    s = LocalBotAPI()
    await s.start()
    async with aiohttp.ClientSession() as http:
        poll = asyncio.create_task(raw(http, s, "getUpdates", timeout=30))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        await s.stop()
        status, body = await asyncio.wait_for(poll, 2)
    assert (status, body) == (200, {"ok": True, "result": []}) and time.monotonic() - started < 1.5


async def test_inline_keyboard_press_and_callback_answer(server, bot):
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Yes", callback_data="ans:yes")]])
    sent = await bot.send_message(1, "Submit?", reply_markup=keyboard)
    assert sent.from_user.id == 100000 and sent.chat.id == 1
    assert sent.reply_markup.model_dump(exclude_none=True) == keyboard.model_dump(exclude_none=True)
    with pytest.raises(LookupError):
        server.press(ALICE, sent.message_id, "ans:no")
    server.send_text(ALICE, "hi")
    query_id = server.press(1, sent.message_id, "ans:yes")  # a bare id: the known user
    [_, update] = await bot.get_updates()
    query = update.callback_query
    assert (query.id, query.data, query.from_user.first_name) == (query_id, "ans:yes", "Alice")
    assert query.message.message_id == sent.message_id
    assert query.message.reply_markup.inline_keyboard[0][0].callback_data == "ans:yes"
    assert await bot.answer_callback_query(query.id, text="Saved", show_alert=True)
    answer = server.chats[1].callback_answers[0]
    assert (answer["text"], answer["show_alert"], answer["data"]) == ("Saved", True, "ans:yes")
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id)


async def test_edit_message_text_changes_the_stored_message(server, bot):
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Go", callback_data="go")]])
    sent = await bot.send_message(1, "Draft", reply_markup=keyboard)
    stored = server.last_bot_message(1)
    edited = await bot.edit_message_text("<b>Final</b>", chat_id=1, message_id=sent.message_id, parse_mode="HTML")
    assert edited.text == "Final" and edited.edit_date is not None and edited.reply_markup is None
    assert server.last_bot_message(1) is stored  # edited in place
    assert (stored.text, stored.raw_text, stored.parse_mode, stored.edits) == ("Final", "<b>Final</b>", "HTML", 1)
    assert stored.buttons() == []  # an edit without reply_markup drops the keyboard, as in Telegram
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("<b>Final</b>", chat_id=1, message_id=sent.message_id, parse_mode="HTML")
    await bot.edit_message_reply_markup(chat_id=1, message_id=sent.message_id, reply_markup=keyboard)
    assert stored.button("Go")["callback_data"] == "go"
    assert await bot.delete_message(1, sent.message_id)
    assert stored.deleted and server.last_bot_message(1) is None and len(server.messages(1)) == 1
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("again", chat_id=1, message_id=sent.message_id)


async def test_send_document_then_get_file_and_download(server, bot):
    data = b"name,count\nAlmaty,3\n"
    sent = await bot.send_document(1, BufferedInputFile(data, "report.csv"), caption="Report")
    doc = sent.document
    assert (doc.file_name, doc.mime_type, doc.file_size, sent.caption) == ("report.csv", "text/csv", len(data),
                                                                          "Report")
    file = await bot.get_file(doc.file_id)
    assert file.file_path.endswith(".csv")
    downloaded = await bot.download_file(file.file_path)
    assert downloaded.read() == data
    again = await bot.send_document(2, doc.file_id)  # by file_id
    assert again.document.file_id == doc.file_id
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_document(2, "no-such-file-id")


async def test_send_photo(server, bot):
    sent = await bot.send_photo(1, BufferedInputFile(PNG, "p.png"), caption="<i>Event</i>", parse_mode="HTML")
    photo = sent.photo[-1]
    assert (photo.width, photo.height, photo.file_size) == (2, 3, len(PNG))
    assert sent.caption == "Event" and sent.caption_entities[0].type == "italic"
    stored = server.last_bot_message(1)
    assert stored.kind == "photo" and stored.raw_text == "<i>Event</i>"
    assert server.files[photo.file_id].data == PNG


async def test_media_group_and_forward(server, bot):
    from aiogram.types import InputMediaPhoto

    user_photo = server.send_photo(ALICE, PNG)
    file_id = user_photo.data["photo"][-1]["file_id"]
    album = await bot.send_media_group(7, [InputMediaPhoto(media=BufferedInputFile(PNG, "a.png"), caption="A"),
                                           InputMediaPhoto(media=file_id)])
    assert [m.message_id for m in album] == [1, 2] and album[0].media_group_id == album[1].media_group_id
    assert album[0].caption == "A" and album[1].photo[-1].file_id == file_id
    forwarded = await bot.forward_message(8, from_chat_id=1, message_id=user_photo.message_id)
    assert forwarded.forward_origin.sender_user.id == 1 and forwarded.photo[-1].file_id == file_id


async def test_copy_message_of_a_users_photo(server, bot):
    original = server.send_photo(ALICE, PNG, caption="receipt")
    assert original.kind == "photo" and not original.from_bot
    copied = await bot.copy_message(chat_id=7, from_chat_id=1, message_id=original.message_id)
    copy = server.last_bot_message(7)
    assert copy.message_id == copied.message_id == 1
    assert copy.data["photo"] == original.data["photo"] and copy.text == "receipt"
    assert copy.copied_from == (1, original.message_id)
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(chat_id=7, from_chat_id=1, message_id=99)
