"""Demo data for the sandbox: a region of a few districts, the personas, months of reports.

Everything is made from a seeded random generator, so two sandboxes started at the same bot time
hold the same numbers; the answers follow the configured form, whatever its fields.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from bot.config import AdminEntry, Form, FormField
from bot.domain.calendar import Month, ReportingCalendar
from db.database import Database
from db.queries.orgs import RosterRow
from db.queries.roster import apply_rows
from db.repos import Repos

SAYRAM = "Сайрам ауданы"

# (district, organization, sector, members): names from the Turkistan region's articles and its villages.
ROSTER = [
    (SAYRAM, "Құтарыс", "social", 400),
    (SAYRAM, "Қайнарбұлақ", "agriculture", 520),
    (SAYRAM, "Ақбұлақ ауылы", "agriculture", 180),
    (SAYRAM, "№12 мектеп-гимназия", "social", 95),
    (SAYRAM, "Аудандық орталық аурухана", "social", 140),
    (SAYRAM, "Манкент ауылы", "agriculture", 310),
    ("Түлкібас ауданы", "Түлкібас ауылы", "agriculture", 260),
    ("Түлкібас ауданы", "Жаңатұрмыс", "services", 75),
    ("Түлкібас ауданы", "Аудандық емхана", "social", 110),
    ("Қазығұрт ауданы", "Қазығұрт ауылы", "agriculture", 290),
    ("Қазығұрт ауданы", "Шарбұлақ", "services", 60),
]

# The organization whose invite code the page shows to the persona without a registration.
FREE_ORGANIZATION = "Ақбұлақ ауылы"
# Organizations left without a report for the open month, so reminders and escalations have work.
MISSING_NOW = {"Құтарыс", "Қайнарбұлақ", FREE_ORGANIZATION, "Манкент ауылы", "Шарбұлақ"}
MISSED_LAST_MONTH = {"Шарбұлақ"}  # a gap in the history
HISTORY_MONTHS = 4  # closed months of reports before the open one


@dataclass(frozen=True)
class Persona:
    id: int
    first_name: str
    last_name: str | None
    language_code: str
    role: str  # chair | new | district_admin | branch_admin
    title: str  # shown on the page
    phone: str
    organization: str | None = None  # a registered chair's organization


PERSONAS = (
    Persona(1001, "Айбек", "Асанов", "kk", "chair", "Төраға · Председатель — «Құтарыс» (kk)",
            "+77010000001", "Құтарыс"),
    Persona(1002, "Анна", "Петрова", "ru", "chair", "Председатель · Төраға — «Қайнарбұлақ» (ru)",
            "+77010000002", "Қайнарбұлақ"),
    Persona(1003, "Дәулет", "Сейітов", "kk", "new", "Жаңа пайдаланушы · Новый пользователь",
            "+77010000003"),
    Persona(2001, "Гүлнар", "Омарова", "ru", "district_admin", "Аудан әкімшісі · Админ района — Сайрам",
            "+77010000004"),
    Persona(2002, "Ерлан", "Жұмабаев", "kk", "branch_admin", "Филиал әкімшісі · Админ филиала",
            "+77010000005"),
)


def admin_entries() -> tuple[AdminEntry, ...]:
    """The admin personas, for the sandbox config's `admins`."""
    entries = []
    for p in PERSONAS:
        if p.role == "district_admin":
            entries.append(AdminEntry(telegram_id=p.id, scope="district", district=SAYRAM))
        elif p.role == "branch_admin":
            entries.append(AdminEntry(telegram_id=p.id, scope="branch"))
    return tuple(entries)


SUMMARIES = {
    "kk": ["Ардагерлермен кездесу өтті, ауыл көшелері тазартылды.",
           "«Ауыл аманаты» жобасы бойынша жиын, жастармен дөңгелек үстел.",
           "Мектепте патриоттық тәрбие сағаты, қайырымдылық акциясы."],
    "ru": ["Встреча с ветеранами, субботник на улицах села.",
           "Собрание по проекту «Ауыл аманаты», круглый стол с молодёжью.",
           "Приём граждан депутатом маслихата, благотворительная акция."],
}
NEEDS = {"kk": ["Кабинет пен компьютер қажет.", "Принтер жоқ."], "ru": ["Нужен кабинет и компьютер.", "Нет принтера."]}

# Plausible ranges of the default form's whole-number questions; other int fields get 0..5.
INT_RANGES = {"members_joined": (0, 6), "members_left": (0, 2), "events_held": (1, 6),
              "deputy_meetings": (0, 3), "appeals_received": (0, 9), "trainings": (0, 2)}


def demo_answers(form: Form, members: int, locale: str, rng: random.Random) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for f in form.fields:
        answers[f.key] = _answer(f, answers, members, locale, rng)
    return answers


def _answer(f: FormField, answers: dict[str, Any], members: int, locale: str, rng: random.Random) -> Any:
    if f.type == "int":
        if f.key == "members_total":
            value = members + rng.randint(-5, 5)
        else:
            value = rng.randint(*INT_RANGES.get(f.key, (0, 5)))
        if f.lte and isinstance(answers.get(f.lte), int):
            value = min(value, answers[f.lte])
        low, high = f.min if f.min is not None else 0, f.max if f.max is not None else 10 ** 6
        return max(low, min(high, value))
    if f.type == "text":
        pool = (NEEDS if f.key == "needs" else SUMMARIES)[locale]
        return rng.choice(pool)[: f.max_length] if f.required or rng.random() < 0.6 else None
    if f.type == "choice":
        return rng.choice(f.options).key
    if f.type == "multi":
        return sorted(o.key for o in f.options if rng.random() < 0.35)
    return []  # photos: none in the demo


async def seed_demo(db: Database, repos: Repos, form: Form, calendar: ReportingCalendar, now: datetime) -> None:
    """The roster, the registered personas, and the reports of the last months."""
    await apply_rows(db, [RosterRow(n, *row) for n, row in enumerate(ROSTER, start=2)], now)
    orgs = {o.name: o for o in await repos.orgs.all()}
    for p in PERSONAS:
        await repos.users.ensure(p.id, now)
        if p.role != "new":
            await repos.users.set_locale(p.id, p.language_code)
        if p.organization:
            await repos.users.register_chair(p.id, orgs[p.organization].id, f"{p.last_name} {p.first_name}",
                                             p.phone, now)
    rng = random.Random(2025)
    open_month = calendar.open_month(now)
    month = open_month
    for _ in range(HISTORY_MONTHS):
        month = month.prev()
    while month <= open_month:
        for row in ROSTER:
            org = orgs[row[1]]
            if month == open_month and org.name in MISSING_NOW:
                continue
            if month == open_month.prev() and org.name in MISSED_LAST_MONTH:
                continue
            await _submit(repos, form, calendar, month, org.id, org.members or 100, now, rng)
        month = month.next()


async def _submit(repos: Repos, form: Form, calendar: ReportingCalendar, month: Month, org_id: int,
                  members: int, now: datetime, rng: random.Random) -> None:
    """A report as its chair would have filed it: between the opening and a little past the due date."""
    opened = calendar.at(calendar.opens_on(month), time(9, 0))
    due = calendar.at(calendar.due_on(month), time(18, 0))
    submitted = min(opened + (due - opened) * rng.uniform(0.1, 1.2), now)
    locale = "ru" if rng.random() < 0.3 else "kk"
    await repos.reports.submit(org_id, str(month), None, demo_answers(form, members, locale, rng),
                               calendar.is_late(month, submitted), submitted)
