"""A month of reminders recorded: three chairs and two admins, and a recorder of what each job run sent."""
from __future__ import annotations

import asyncio
from datetime import datetime

from aiogram.methods import SendMessage

from bot.features.reminders.due_work import run_due_work
from tests.support.harness import at
from tests.support.people import org_id, register

# Phrases that tell a message's kind and language apart (from the schedule catalog).
MARKERS = {
    ("open", "kk"): "есебін тапсыру басталды", ("open", "ru"): "Открыт приём отчёта",
    ("before", "kk"): "күн қалды", ("before", "ru"): "До срока сдачи отчёта",
    ("due", "kk"): "соңғы күні", ("due", "ru"): "последний день сдачи",
    ("overdue", "kk"): "өтті, есеп әлі тапсырылмаған", ("overdue", "ru"): "прошёл, а отчёт ещё не сдан",
    ("escalation", "kk"): "әлі тапсырмаған ұйымдар", ("escalation", "ru"): "По районам:",
    ("digest", "kk"): "Апталық шолу", ("digest", "ru"): "Еженедельная сводка",
}
OCTOBER_ANSWERS = {"members_total": 100, "members_joined": 1, "members_left": 0, "events_held": 1,
                   "deputy_meetings": 0, "appeals_received": 1, "appeals_resolved": 1, "trainings": 0,
                   "projects": []}


def classify(text: str) -> tuple[str, str]:
    found = [key for key, marker in MARKERS.items() if marker in text]
    assert len(found) == 1, f"cannot tell what this message is: {text!r}"
    return found[0]


async def people(harness, clock) -> None:
    """Three chairs (kk, ru, kk) and two admins (branch in ru, Sayram district in kk); October filed."""
    clock.set(at("2026-11-20 10:00"))
    await register(harness, 1001, "kk", "Құтарыс", name="Асанов Айбек", phone="+77010000001")
    await register(harness, 1002, "ru", "Қайнарбұлақ", name="Петрова Анна", phone="+77010000002")
    await register(harness, 1003, "kk", "Мектеп №5", name="Сейітов Нұрлан", phone=None)
    for admin_id, language in ((900, "Русский"), (901, "Қазақша")):
        admin = harness.client(admin_id, language_code=None)
        await admin.send("/start")
        await admin.press(language)
    for chair_id, org in ((1001, "Құтарыс"), (1002, "Қайнарбұлақ"), (1003, "Мектеп №5")):
        await harness.app.repos.reports.submit(await org_id(harness, org), "2026-10", chair_id, OCTOBER_ANSWERS,
                                               False, at("2026-11-03 12:00"))


class Recorder:
    """Runs the job at a moment and records every message it sent: (local time, chat, kind, lang)."""

    def __init__(self, harness, clock) -> None:
        self.harness = harness
        self.clock = clock
        self.log: list[tuple[str, int, str, str]] = []
        self.calls: list[SendMessage] = []

    async def tick(self, moment: datetime, times: int = 1) -> list[tuple[str, int, str, str]]:
        self.clock.set(moment)
        session = self.harness.session
        before = len(session.requests)
        app, bot = self.harness.app, self.harness.bot
        await asyncio.gather(*(run_due_work(app, bot, moment) for _ in range(times)))
        sent = [c for c in session.requests[before:] if isinstance(c, SendMessage)]
        self.calls += sent
        stamp = moment.astimezone(app.calendar.tz).strftime("%Y-%m-%d %H:%M")
        entries = [(stamp, c.chat_id, *classify(c.text)) for c in sent]
        self.log += entries
        return entries
