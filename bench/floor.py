"""The floor of the report dialog: what aiogram alone needs for the same updates and the same replies.

An aiogram-only bot, no project code and no database: FSM in aiogram's MemoryStorage (state set on
/report, each answer kept in the FSM data), SimpleEventIsolation as the real dispatcher has, and for
every update the Bot API calls the dialog made for it (recorded by bench/dialog.py): the same methods
in the same order with the same texts, and a freshly built 7-button inline keyboard wherever the
dialog's call carried a keyboard. `dialog_vs_floor` divides the dialog's updates/s by this bot's.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import Response
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.methods import TelegramMethod
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, Update
from aiogram.utils.keyboard import InlineKeyboardBuilder


@dataclass(frozen=True)
class Call:
    """One Bot API call the dialog made: its method, text and whether it carried a keyboard."""
    method: str
    text: str | None
    keyboard: bool

    @classmethod
    def of(cls, method: TelegramMethod) -> Call:
        text = getattr(method, "text", None) or getattr(method, "caption", None)
        return cls(type(method).__name__, text if isinstance(text, str) else None,
                   isinstance(getattr(method, "reply_markup", None), InlineKeyboardMarkup))


class Floor(StatesGroup):
    answering = State()


def keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for n in range(7):
        builder.button(text=f"Нұсқа {n + 1}", callback_data=f"floor:pick:{n}")
    builder.adjust(1)
    return builder.as_markup()


async def _reply(bot: Bot, calls: list[Call], chat_id: int, message_id: int | None, query_id: str | None) -> None:
    for call in calls:
        markup = keyboard() if call.keyboard else None
        if call.method == "AnswerCallbackQuery" and query_id:
            await bot.answer_callback_query(query_id, text=call.text)
        elif call.method == "EditMessageText" and message_id:
            await bot.edit_message_text(call.text or ".", chat_id=chat_id, message_id=message_id, reply_markup=markup)
        elif call.method == "EditMessageReplyMarkup" and message_id:
            await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=markup)
        else:
            await bot.send_message(chat_id, call.text or ".", reply_markup=markup)


def floor_dispatcher(replies: dict[int, list[Call]]) -> Dispatcher:
    """`replies`: update_id -> the calls the dialog made for that update."""
    dp = Dispatcher(storage=MemoryStorage(), events_isolation=SimpleEventIsolation())

    @dp.message(Command("report"))
    async def start(message: Message, state: FSMContext, event_update: Update) -> None:
        await state.set_state(Floor.answering)
        await state.set_data({})
        await _reply(message.bot, replies[event_update.update_id], message.chat.id, None, None)

    @dp.message(StateFilter(Floor.answering))
    async def answer(message: Message, state: FSMContext, event_update: Update) -> None:
        value = message.text or (message.photo[-1].file_id if message.photo else "")
        await state.update_data({f"a{event_update.update_id}": value})
        await _reply(message.bot, replies[event_update.update_id], message.chat.id, None, None)

    @dp.callback_query(StateFilter(Floor.answering))
    async def press(query: CallbackQuery, state: FSMContext, event_update: Update) -> None:
        await state.update_data({f"a{event_update.update_id}": query.data})
        message_id = query.message.message_id if query.message else None
        await _reply(query.bot, replies[event_update.update_id], query.from_user.id, message_id, query.id)

    return dp


class Replayer:
    """Feeds recorded updates into a dispatcher and adds up the seconds it takes."""

    def __init__(self, bot: Bot, dp: Dispatcher) -> None:
        self.bot, self.dp = bot, dp
        self.seconds = 0.0

    async def feed(self, payloads: list[dict[str, Any]]) -> None:
        started = time.perf_counter()
        for payload in payloads:
            await self.dp.feed_update(self.bot, Update.model_validate(payload, context={"bot": self.bot}))
        self.seconds += time.perf_counter() - started


def floor_replayer(replies: dict[int, list[Call]], session: Any) -> Replayer:
    """The floor bot over `session` (one that answers without a network), with aiogram's Response
    classes kept alive as the real bot keeps them (bot/telegram/response_types.py)."""
    bot = Bot("42:TEST", session=session, default=DefaultBotProperties(parse_mode="HTML"))
    replayer = Replayer(bot, floor_dispatcher(replies))
    replayer.kept = [Response[t] for t in (Message, bool)]  # type: ignore[attr-defined]
    return replayer
