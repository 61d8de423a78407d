"""The test roster: three organizations in two districts, and their invite codes."""
from __future__ import annotations

import io

from openpyxl import Workbook

from bot.domain.clock import FakeClock
from db.database import Database
from db.queries.orgs import RosterRow
from db.queries.roster import apply_rows

ROSTER = [
    ("Сайрам ауданы", "Құтарыс", "social", 400),
    ("Сайрам ауданы", "Қайнарбұлақ", "agriculture", 500),
    ("Байзақ ауданы", "Мектеп №5", "social", 120),
]


async def seed_roster(db: Database, clock: FakeClock, rows=ROSTER) -> None:
    await apply_rows(db, [RosterRow(n, d, o, s, m) for n, (d, o, s, m) in enumerate(rows, start=2)], clock.now())


async def code_of(db: Database, organization: str) -> str:
    row = await db.fetchone("SELECT invite_code FROM organizations WHERE name = ?", (organization,))
    return row[0]


def as_xlsx(rows: list[list]) -> bytes:
    """A roster file as an XLSX workbook, one sheet, rows as given."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("roster")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
