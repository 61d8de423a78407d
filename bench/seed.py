"""National-scale data: 20 regions of districts, 10,000 organizations with registered chairs (kk/ru),
36 closed months of reports with an answer for every form field, and the open month partly submitted.

    python -m bench.seed bench.db [--orgs 10000] [--months 36] [--seed 7]

The 20 regional branches of domain.md are real regions (migration 0011), each with its districts (the
same district names recur across regions, as in life); organizations carry their org_code and the
chair's profile facts. The RNG is seeded, so the same arguments give the same database. Rows go in with executemany inside one transaction.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import Form

REGIONS = [
    "Абай облысы", "Ақмола облысы", "Ақтөбе облысы", "Алматы облысы", "Атырау облысы",
    "Батыс Қазақстан облысы", "Жамбыл облысы", "Жетісу облысы", "Қарағанды облысы", "Қостанай облысы",
    "Қызылорда облысы", "Маңғыстау облысы", "Павлодар облысы", "Солтүстік Қазақстан облысы",
    "Түркістан облысы", "Ұлытау облысы", "Шығыс Қазақстан облысы", "Астана қаласы", "Алматы қаласы",
    "Шымкент қаласы",
]
DISTRICT_STEMS = ["Байзақ", "Сайрам", "Жуалы", "Талас", "Мерке", "Шу", "Қордай", "Сарысу", "Мойынқұм",
                  "Тұрар Рысқұлов", "Ордабасы", "Төлеби", "Қазығұрт", "Отырар", "Созақ"]
ORG_KINDS = ["№{n} мектеп-гимназия", "«{v}» ауылдық округі", "№{n} емхана", "«{v}» ЖШС", "№{n} колледж",
             "«{v}» шаруа қожалығы", "№{n} балабақша", "«{v}» ауылы"]
VILLAGES = ["Құтарыс", "Қайнарбұлақ", "Ақсу", "Жаңатұрмыс", "Бірлік", "Қарасу", "Достық", "Көктерек",
            "Тоғыс", "Шапағат", "Береке", "Ынтымақ", "Жаңаталап", "Қызылжар", "Ақбұлақ"]
# Sectors with the shares from the Zhambyl article (the rest: other).
SECTORS = [("social", 59.0), ("services", 30.0), ("smb", 3.5), ("agriculture", 1.8), ("other", 5.7)]
NAMES_KK = ["Асанов Айбек Серікұлы", "Жұмабекова Гүлнар Асқарқызы", "Оспанов Нұрлан Қайратұлы",
            "Сейітқали Әсел Бауыржанқызы", "Тұрсынов Ерлан Мұхтарұлы", "Қалиева Айгүл Төлеуқызы"]
NAMES_RU = ["Петрова Анна Сергеевна", "Ким Виктор Андреевич", "Иванов Сергей Петрович",
            "Ахметова Динара Маратовна", "Смагулов Руслан Ерикович", "Ли Елена Викторовна"]
SUMMARY = {
    "kk": ["Ардагерлермен кездесу өтті, {n} адам қатысты.", "Сенбілік ұйымдастырылды: аулаға {n} ағаш отырғызылды.",
           "Жастармен дөңгелек үстел, «Ауыл аманаты» жобасы талқыланды.", "Мектепте патриоттық сабақ өтті."],
    "ru": ["Проведена встреча с ветеранами, пришли {n} человек.", "Субботник: высажено {n} деревьев во дворе.",
           "Круглый стол с молодёжью по проекту «Ауыл аманаты».", "Открытый урок патриотизма в школе."],
}
NEEDS = {"kk": ["Кабинет жоқ, жиналыстар мектеп залында өтеді.", "Компьютер мен принтер қажет.",
                "Интернет баяу, фото жіберу қиын."],
         "ru": ["Нет своего кабинета, собрания проходят в школе.", "Нужен компьютер и принтер.",
                "Медленный интернет, фото отправляются с трудом."]}

FIRST_CHAIR_ID = 700_000_000
NOW = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)  # 10:00 in Almaty: November 2026 is open


@dataclass(frozen=True)
class Seeded:
    path: Path
    organizations: int
    districts: int
    chairs: int
    reports: int
    months: list[str]
    open_month: str
    seconds: float


def month_list(last: str, count: int) -> list[str]:
    year, month = map(int, last.split("-"))
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


def _answers(rng: random.Random, form: Form, members: int, locale: str) -> dict:
    """An answer for every field, in the ranges a real primary organization reports."""
    joined, left = rng.choices(range(6), [40, 25, 15, 10, 6, 4])[0], rng.choices(range(4), [60, 25, 10, 5])[0]
    received = rng.choices(range(12), [30, 15, 12, 10, 8, 6, 5, 4, 3, 3, 2, 2])[0]
    values = {
        "members_total": members, "members_joined": joined, "members_left": left,
        "events_held": rng.randint(0, 8), "deputy_meetings": rng.randint(0, 4),
        "appeals_received": received, "appeals_resolved": rng.randint(0, received),
        "trainings": rng.randint(0, 3),
        "events_summary": rng.choice(SUMMARY[locale]).format(n=rng.randint(10, 120)) if rng.random() < .7 else None,
        "needs": rng.choice(NEEDS[locale]) if rng.random() < .3 else None,
    }
    out = {}
    for field in form.fields:
        if field.key in values:
            out[field.key] = values[field.key]
        elif field.type == "int":
            out[field.key] = rng.randint(field.min or 0, min(field.max or 50, 50))
        elif field.type == "text":
            out[field.key] = None
        elif field.type == "choice":
            out[field.key] = rng.choice(field.options).key
        elif field.type == "multi":
            out[field.key] = sorted(o.key for o in field.options if rng.random() < .25)
        elif field.type == "photos":
            out[field.key] = [f"AgACAgIAAxk{rng.getrandbits(64):016x}" for _ in range(rng.choice([0, 0, 1, 2, 3, 5]))]
    return out


def _migrate(path: Path) -> None:
    from db.sqlite import SQLiteDatabase

    async def run() -> None:
        db = await SQLiteDatabase.open(path)
        await db.close()

    asyncio.run(run())


def seed(path: Path, form: Form, organizations: int = 10_000, months: int = 36, rng_seed: int = 7,
         open_share: float = 0.55, tallied: bool = False) -> Seeded:
    """A fresh database at `path` (an existing file is replaced). Reports go in in the order they were
    submitted, as in production (month after month). With `tallied`, the form's numeric and multiple-choice
    keys are registered for the month totals (migration 0006) before the reports, so the triggers fill
    them and no back-fill is left for the first digest."""
    started = time.perf_counter()
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    _migrate(path)
    rng = random.Random(rng_seed)
    now = NOW.isoformat(timespec="seconds")
    open_month = "2026-11"
    closed = month_list("2026-10", months)
    per_region = max(1, -(-organizations // (len(REGIONS) * 50)))  # about 50 organizations per district
    regions = [(i + 1, name) for i, name in enumerate(REGIONS)]
    districts = [(i + 1, region_id, f"{DISTRICT_STEMS[d % len(DISTRICT_STEMS)]}"
                  f"{'' if d < len(DISTRICT_STEMS) else f' {d // len(DISTRICT_STEMS) + 1}'} ауданы")
                 for i, (region_id, d) in enumerate((r, d) for r, _n in regions for d in range(per_region))]
    orgs, users, reports = [], [], []
    for n in range(1, organizations + 1):
        district_id = districts[(n - 1) % len(districts)][0]
        name = rng.choice(ORG_KINDS).format(n=n, v=rng.choice(VILLAGES)) + f" ({n})"
        sector = rng.choices([s for s, _ in SECTORS], [w for _, w in SECTORS])[0]
        members = rng.randint(15, 600)
        # Zhambyl's shares: 28 of 266 chairs are maslikhat deputies, 32 Public Council members, 20% elected
        # in the August campaign.
        elected = "2026-08" if rng.random() < .2 else f"{rng.randint(2019, 2025)}-{rng.randint(1, 12):02d}"
        orgs.append((n, district_id, name, sector, members, f"B{n:06d}", f"ORG-{n:05d}", int(rng.random() < .105),
                     int(rng.random() < .12), elected, now, now))
        locale = "kk" if rng.random() < .62 else "ru"
        chair_id = None
        if rng.random() < .97:
            chair_id = FIRST_CHAIR_ID + n
            names = NAMES_KK if locale == "kk" else NAMES_RU
            users.append((chair_id, locale, rng.choice(names), f"+7701{rng.randint(0, 9_999_999):07d}", n,
                          now, 1 if rng.random() < .98 else 0, now))
        for month in closed + [open_month]:
            is_open = month == open_month
            if rng.random() >= (open_share if is_open else .92):
                continue
            members = max(0, members + rng.randint(-3, 6))
            late = 0 if is_open else int(rng.random() < .12)
            year, mon = map(int, month.split("-"))
            day = datetime(year, mon, 25, tzinfo=UTC) + timedelta(days=rng.randint(0, 15 if late else 10),
                                                                         hours=rng.randint(3, 15))
            when = min(day, NOW).isoformat(timespec="seconds")
            answers = json.dumps(_answers(rng, form, members, locale), ensure_ascii=False)
            reports.append((n, month, answers, late, chair_id, when, when))
    reports.sort(key=lambda r: r[5])
    kinds = {"int": "number", "multi": "option"}
    keys = [(f.key, kinds[f.type]) for f in form.fields if tallied and f.type in kinds]
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO tallied_keys(key, kind) VALUES (?, ?)", keys)
        conn.executemany("INSERT INTO regions(id, name) VALUES (?, ?)", regions)
        conn.executemany("INSERT INTO districts(id, region_id, name) VALUES (?, ?, ?)", districts)
        conn.executemany("INSERT INTO organizations(id, district_id, name, sector, members, invite_code, org_code, "
                         "chair_deputy, chair_council, chair_elected, created_at, updated_at) "
                         "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", orgs)
        conn.executemany("INSERT INTO users(id, locale, full_name, phone, org_id, registered_at, active, "
                         "created_at) VALUES (?,?,?,?,?,?,?,?)", users)
        conn.executemany("INSERT INTO reports(org_id, month, answers, late, submitted_by, submitted_at, "
                         "updated_at) VALUES (?,?,?,?,?,?,?)", reports)
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return Seeded(Path(path), len(orgs), len(districts), len(users), len(reports), closed, open_month,
                  time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    from bot.config import load_config

    parser = argparse.ArgumentParser(prog="python -m bench.seed", description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--config", default=None)
    parser.add_argument("--tallied", action="store_true", help="register the month-totals keys before the reports")
    args = parser.parse_args(argv)
    result = seed(args.db, load_config(args.config).form, args.orgs, args.months, args.seed, tallied=args.tallied)
    print(f"{result.path}: {result.districts} districts, {result.organizations} organizations, "
          f"{result.chairs} chairs, {result.reports} reports in {result.seconds:.1f} s "
          f"({result.path.stat().st_size / 2**20:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
