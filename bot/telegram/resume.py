"""Dialogs register how to ask their current question again (after /language, /start, a restart)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import Message

Reprompt = Callable[..., Awaitable[None]]
_REPROMPTS: dict[str, Reprompt] = {}


def register_reprompt(state_group: str, func: Reprompt) -> None:
    """`func(message, state, **data)` asks the question of the dialog's current state again."""
    _REPROMPTS[state_group] = func


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
