"""What the report dialog keeps in the chat's FSM state: the month, and which questions were asked when.

The draft row holds the answers and the cursor. The FSM data adds the questions as the chair saw
them: each entry is a question (its field key, "" for the summary) and when it was first shown,
by Telegram's date of the message that showed it (the clock of the chair's messages' dates too).
So an answer can be matched with the question it was given for, even when the cursor moved on
meanwhile (the answer was saved but the next question never sent, or an update handled again
after a restart).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup

from db.queries.users import User

SUMMARY = ""     # the key of the summary among the asked questions
ASKED_KEPT = 6   # enough to place a message sent a few questions ago


class ReportDialog(StatesGroup):
    resume_choice = State()
    filling = State()


@dataclass(frozen=True)
class Asked:
    key: str                 # a field key, or SUMMARY
    at: float  # POSIX time it was first shown: the date Telegram gave the message that showed it


@dataclass(frozen=True)
class Session:
    org_id: int
    user_id: int
    month: str
    asked: tuple[Asked, ...] = ()

    def question_at(self, sent: datetime, current: str) -> str | None:
        """The question shown when a message dated `sent` was written: `current` when nothing is
        recorded, None when it is older than every recorded question. Telegram dates have whole
        seconds: a message of the same second as a question is taken as written after it."""
        if not self.asked:
            return current
        stamp = sent.timestamp()
        shown = [a for a in self.asked if a.at <= stamp]
        return shown[-1].key if shown else None


async def session_of(state: FSMContext, user: User | None) -> Session | None:
    """The chat's report dialog, or None when no report is open (or the user is not a chair)."""
    data = await state.get_data()
    month = data.get("month")
    if user is None or user.org_id is None or not month:
        return None
    asked = tuple(Asked(entry[0], entry[1]) for entry in data.get("asked", ()))
    return Session(user.org_id, user.id, month, asked)


async def begin(state: FSMContext, month: str, dialog_state: State | None) -> None:
    """A month's dialog starts (or waits at the resume question): no question asked yet."""
    await state.set_state(dialog_state)
    await state.set_data({"month": month})


async def remember_asked(state: FSMContext, key: str, at: float, message_id: int | None = None) -> int | None:
    """Record that the question `key` is shown now, by the message `message_id`. The same question shown
    again keeps the time it was first shown; the message that showed it before is returned (its buttons
    are stale now: the chair answers the newest), and None when there is none."""
    asked = [list(entry) for entry in (await state.get_data()).get("asked", ())]
    if asked and asked[-1][0] == key:
        before = asked[-1][2] if len(asked[-1]) > 2 else None
        if message_id is None or before == message_id:
            return None
        asked[-1] = [key, asked[-1][1], message_id]
        await state.update_data(asked=asked)
        return before if isinstance(before, int) else None
    asked.append([key, at, message_id])
    await state.update_data(asked=asked[-ASKED_KEPT:])
    return None
