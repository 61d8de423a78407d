"""Bad roster data: refused at the door with the line and reason (chat and CLI), uploads bounded
in rows, cells, size and time, long answers sent in parts, and what got in earlier never breaks
/codes (formulas stay text, characters XLSX cannot hold are replaced)."""
from __future__ import annotations

import csv
import io
import unicodedata

import pytest
from aiogram.methods import SendMessage
from openpyxl import load_workbook

from bot.features.roster import files
from bot.sandbox.apihtml import parse_html
from db import open_database
from tests.support.cli import bastau
from tests.support.people import BRANCH, admin
from tests.support.roster import as_xlsx, seed_roster
from tests.support.seen import csv_rows, documents, snapshot

HEADER = ["district", "organization", "sector", "members"]
EVIL = '=HYPERLINK("http://evil.example","click")'


def as_csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


MAKERS = {"csv": as_csv, "xlsx": as_xlsx}


async def upload(client, rows: list[list], kind: str):
    return await client.send_document(MAKERS[kind](rows), f"roster.{kind}")


def sent_texts(calls) -> list[str]:
    return [c.text for c in calls if isinstance(c, SendMessage)]


async def refused(harness, rows: list[list], kind: str, expected: str, locale: str = "ru") -> list[str]:
    """Upload as a branch admin; the answer names the line and reason; nothing was written."""
    before = await snapshot(harness, ("districts", "organizations"))
    boss = await admin(harness, BRANCH, locale=locale)
    texts = sent_texts(await upload(boss, rows, kind))
    assert any(expected in t for t in texts), texts
    assert all(len(t) <= 4096 for t in texts) and all(parse_html(t) for t in texts)
    assert await snapshot(harness, ("districts", "organizations")) == before
    return texts


@pytest.mark.parametrize("kind, bad", [("csv", "\x0b"), ("csv", "\x1b"), ("xlsx", "\x9b")])
async def test_a_control_character_in_a_cell_is_refused_with_its_line(harness, kind, bad):
    rows = [HEADER, ["Талас ауданы", "Ақкөл", "s", 1], ["Талас ауданы", f"Жаңа{bad}", "s", 2]]
    code = f"U+{ord(bad):04X}"
    await refused(harness, rows, kind, f"строка 3: в ячейке есть невидимый управляющий символ ({code})")


async def test_a_control_character_is_refused_in_kazakh_too(harness):
    rows = [HEADER, ["Талас\x0b ауданы", "Ақкөл", "s", 1]]
    await refused(harness, rows, "csv", "2-жол: ұяшықта көзге көрінбейтін басқарушы таңба бар (U+000B)", "kk")


async def test_a_decomposed_name_in_the_file_matches_the_composed_one(harness):
    boss = await admin(harness, BRANCH)
    await upload(boss, [HEADER, [unicodedata.normalize("NFD", "Сайрам ауданы"),
                                 unicodedata.normalize("NFD", "Қайнарбұлақ"), "agriculture", 500]], "csv")
    assert "Без изменений: 1" in boss.reply and "Добавлено районов: 0" in boss.reply


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("size", [5_000, 200_000])
async def test_a_huge_cell_gets_its_line_and_reason(harness, kind, size):
    rows = [HEADER, ["Талас ауданы", "Ақкөл", "s", 1], ["Талас ауданы", "Жаңа", "s", "9" * size]]
    await refused(harness, rows, kind, "строка 3: ячейка длиннее 1000 символов")


@pytest.mark.slow
def test_the_cli_names_the_line_of_a_huge_cell(config_file, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_bytes(as_csv([HEADER, ["A", "B", "s", 1], ["A", "C" * 200_000, "s", 2]]))
    result = bastau(config_file, "roster", "import", str(roster))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{roster}:3: a cell is longer than 1000 characters" in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
async def test_rows_past_the_bound_are_not_read(harness, kind):
    rows = [HEADER] + [["Аудан", f"Ұйым {n}", "s", 1] for n in range(files.MAX_ROWS + 5)]
    await refused(harness, rows, kind, "строка 20001: в файле больше 20000 строк; разделите его")


async def test_cells_past_the_bound_are_not_read(harness, monkeypatch):
    monkeypatch.setattr(files, "MAX_CELLS", 100)
    rows = [HEADER] + [["Аудан", f"Ұйым {n}", "s", 1] + [""] * 20 + ["x"] for n in range(10)]  # 25 cells a row
    await refused(harness, rows, "xlsx", "в файле больше 100 ячеек; удалите лишние столбцы")


async def test_a_workbook_that_unpacks_too_big_is_not_opened(harness, monkeypatch):
    monkeypatch.setattr(files, "MAX_UNPACKED", 2_000)
    rows = [HEADER] + [["Аудан", f"Ұйым {n}", "s", 1] for n in range(100)]
    await refused(harness, rows, "xlsx", "строка 1: книга слишком велика в распакованном виде")


async def test_reading_stops_at_the_time_limit(harness, monkeypatch):
    monkeypatch.setattr(files, "READ_SECONDS", 0)
    await refused(harness, [HEADER, ["Аудан", "Ұйым", "s", 1]], "xlsx", "файл читался слишком долго")


async def test_a_summary_over_one_message_is_sent_in_parts(harness):
    district = "Аудан " + "ұзын атау " * 9
    rows = [HEADER] + [[district, f"{n:02} " + "Бастауыш партия ұйымы " * 8, "s", n] for n in range(25)]
    boss = await admin(harness, BRANCH)
    texts = sent_texts(await upload(boss, rows, "csv"))
    assert len(texts) >= 2 and "Список применён" in texts[0]
    assert all(len(t) <= 4096 for t in texts) and all(parse_html(t) for t in texts)
    assert "Добавлено организаций: 25" in texts[0] and "…и ещё 5" in texts[-1]
    assert len(await harness.app.repos.orgs.all()) == 3 + 25


async def test_codes_files_neutralize_formulas_and_illegal_characters(harness, clock):
    # Rows stored before the door refused them: a control character and a formula in names.
    await seed_roster(harness.app.db, clock, rows=[("Сайрам ауданы", EVIL, "social", 5),
                                                   ("Талас\x0b ауданы", "Ақкөл\x1b", "social", 7)])
    boss = await admin(harness, BRANCH)
    csv_doc, xlsx_doc = documents(await boss.send("/codes"))
    rows = csv_rows(csv_doc.document.data)
    assert ["Сайрам ауданы", "'" + EVIL] in [r[1:3] for r in rows]
    assert ["Талас\ufffd ауданы", "Ақкөл\ufffd"] in [r[1:3] for r in rows]
    sheet = load_workbook(io.BytesIO(xlsx_doc.document.data)).active
    cells = {c.value: c for row in sheet.iter_rows() for c in row}
    assert cells[EVIL].data_type == "s"                  # text, not a live formula
    assert "Ақкөл\ufffd" in cells


@pytest.mark.slow
async def test_the_cli_codes_file_neutralizes_formulas_too(config_file, config, clock):
    db = await open_database(config.database_url)
    try:
        await seed_roster(db, clock, rows=[("Сайрам ауданы", EVIL, "social", 5)])
    finally:
        await db.close()
    result = bastau(config_file, "roster", "codes")
    assert result.returncode == 0 and "Сайрам ауданы,'=HYPERLINK" in result.stdout.replace('"', "")


async def test_an_upload_repairs_names_stored_with_control_characters(harness, clock):
    await seed_roster(harness.app.db, clock, rows=[("Талас\x0b ауданы", "Ақкөл\x1b", "social", 7),
                                                   ("Талас\x0b ауданы", unicodedata.normalize("NFD", "Йолқайнар"),
                                                    "social", 9)])
    before = {o.name: o for o in await harness.app.repos.orgs.all()}
    boss = await admin(harness, BRANCH)
    await upload(boss, [HEADER, ["Талас ауданы", "Ақкөл", "social", 7], ["Талас ауданы", "Йолқайнар", "social", 9]],
                 "csv")
    assert "Добавлено районов: 0" in boss.reply and "Добавлено организаций: 0" in boss.reply
    assert "Изменено организаций: 2" in boss.reply
    after = {o.name: o for o in await harness.app.repos.orgs.all()}
    assert after["Ақкөл"].id == before["Ақкөл\x1b"].id and after["Ақкөл"].district == "Талас ауданы"
    assert after["Ақкөл"].invite_code == before["Ақкөл\x1b"].invite_code     # the chair's code still works
    assert "Йолқайнар" in after
    assert "Организаций в боте, которых нет в файле: 3" in boss.reply
    # A change of case alone is not a repair: the stored spelling stays.
    await upload(boss, [HEADER, ["ТАЛАС АУДАНЫ", "АҚКӨЛ", "social", 7]], "csv")
    assert "Без изменений: 1" in boss.reply
    assert "Ақкөл" in {o.name for o in await harness.app.repos.orgs.all()}
