"""Dialogs register how to ask their current question again (after /language, /start, a restart).

After a restart (bot/telegram/polling.py) `resume_dialogs` asks every dialog that was waiting its
current question once more: for each chat whose FSM state belongs to a registered dialog, an
internal update goes through the dispatcher, so the reprompt gets what every handler gets from the
middlewares (user, role, locale, repos, form, config...) plus `restarted=True`. Each boot asks each
dialog at most once (recorded in `reprompts`); a later boot without new input asks again. The
waiting dialogs are read from the storage that holds them (the fsm table, or Redis: bot/cluster/state.py).
A web or worker process of a cluster asks nothing: the other processes were running all along, and a
dialog goes on wherever its chat's next update lands.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, Update

from bot.cluster.node import cluster_in
from bot.cluster.state import waiting_dialogs
from bot.domain.clock import Clock
from db.queries.dialogs import DialogsRepo

log = logging.getLogger(__name__)
Reprompt = Callable[..., Awaitable[None]]
_REPROMPTS: dict[str, Reprompt] = {}
# The workflow-data flag that marks the internal update; no update from Telegram can carry it.
_FLAG = "bastau_resume"
CONCURRENT_REPROMPTS = 20


def register_reprompt(state_group: str, func: Reprompt) -> None:
    """`func(message, state, **data)` asks the question of the dialog's current state again;
    `data["restarted"]` is True when the bot was restarted meanwhile."""
    _REPROMPTS[state_group] = func


def is_registered(state: str | None) -> bool:
    return state is not None and state.split(":", 1)[0] in _REPROMPTS


async def reprompt(message: Message, state: FSMContext, data: dict[str, Any]) -> bool:
    """Ask the current question again; False when no dialog is under way."""
    current = await state.get_state()
    if not current:
        return False
    func = _REPROMPTS.get(current.split(":", 1)[0])
    if func is None:
        return False
    await func(message, state, **data)
    return True


async def _is_resume(message: Message, **data: Any) -> bool:  # async: aiogram runs a sync filter in a thread
    return data.get(_FLAG) is True


async def _on_resume(message: Message, state: FSMContext, **data: Any) -> None:
    data.pop(_FLAG, None)
    await reprompt(message, state, {**data, "restarted": True})


def create_router() -> Router:
    """Included before every feature's router: it takes only the internal resume update."""
    router = Router(name=__name__)
    router.message.register(_on_resume, _is_resume)
    return router


def _chat_and_user(key: str) -> tuple[int, int] | None:
    """fsm:<chat>:<user>:default of a private chat or a group without topics; None otherwise."""
    parts = key.split(":")
    if len(parts) != 4 or parts[0] != "fsm" or parts[3] != "default":
        return None
    try:
        return int(parts[1]), int(parts[2])
    except ValueError:
        return None


async def resume_dialogs(dp: Dispatcher, bot: Bot, dialogs: DialogsRepo, clock: Clock, boot: str,
                         skip_chats: Collection[str] = ()) -> int:
    """Ask every waiting dialog its question again, except in `skip_chats` (inbox chat keys
    that were just answered). Returns how many were asked."""
    if cluster_in(dp.workflow_data) is not None:
        return 0
    asked = 0
    gate = asyncio.Semaphore(CONCURRENT_REPROMPTS)

    async def ask(key: str, chat_id: int, user_id: int) -> None:
        nonlocal asked
        async with gate:
            if not await dialogs.claim_reprompt(key, boot, clock.now()):
                return
            chat = {"id": chat_id, "type": "private" if chat_id == user_id else "group"}
            message = {"message_id": 0, "date": int(clock.now().timestamp()), "chat": chat,
                       "from": {"id": user_id, "is_bot": False, "first_name": ""}}
            update = Update.model_validate({"update_id": 0, "message": message}, context={"bot": bot})
            try:
                await dp.feed_update(bot, update, **{_FLAG: True})
                asked += 1
            except Exception:
                log.exception("could not ask the dialog of chat %s again", chat_id)

    jobs = []
    for waiting in await waiting_dialogs(dp.storage, dialogs):
        ids = _chat_and_user(waiting.key)
        if ids is None or not is_registered(waiting.state) or f"c{ids[0]}" in skip_chats:
            continue
        jobs.append(ask(waiting.key, *ids))
    await asyncio.gather(*jobs)
    log.log(logging.WARNING if asked else logging.INFO, "asked %d waiting dialog(s) their question again", asked)
    return asked
