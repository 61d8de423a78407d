"""Bad roster data: refused at the door with the line and reason, and what got in earlier never
breaks /codes (formulas stay text, characters XLSX cannot hold are replaced)."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.support.people import BRANCH, admin
from tests.support.roster import seed_roster
from tests.support.seen import csv_rows, documents

EVIL = '=HYPERLINK("http://evil.example","click")'


async def test_codes_files_neutralize_formulas_and_illegal_characters(harness, clock):
    # Rows stored before the door refused them: a control character and a formula in names.
    await seed_roster(harness.app.db, clock, rows=[("Сайрам ауданы", EVIL, "social", 5),
                                                   ("Талас\x0b ауданы", "Ақкөл\x1b", "social", 7)])
    boss = await admin(harness, BRANCH)
    csv_doc, xlsx_doc = documents(await boss.send("/codes"))
    rows = csv_rows(csv_doc.document.data)
    assert ["Сайрам ауданы", "'" + EVIL] in [r[:2] for r in rows]
    assert ["Талас\ufffd ауданы", "Ақкөл\ufffd"] in [r[:2] for r in rows]
    sheet = load_workbook(io.BytesIO(xlsx_doc.document.data)).active
    cells = {c.value: c for row in sheet.iter_rows() for c in row}
    assert cells[EVIL].data_type == "s"                  # text, not a live formula
    assert "Ақкөл\ufffd" in cells
