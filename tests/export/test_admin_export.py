"""/export and `bastau export`: the workbook checked cell by cell against the database, in kk and ru."""
from __future__ import annotations

import asyncio
import io
import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.telegram.admin import AdminCb
from tests.support.people import BRANCH, SAIRAM_ADMIN, admin, nowhere, org_id, register
from tests.support.roster import seed_roster
from tests.support.seen import audit_entries, csv_rows, documents

FULL = {"members_total": 400, "members_joined": 3, "members_left": 1, "events_held": 4,
        "events_summary": "=HYPERLINK(\"http://x\")", "deputy_meetings": 2, "appeals_received": 5,
        "appeals_resolved": 4, "projects": ["baqytty_otbasy", "auyl_amanaty"], "trainings": 1,
        "needs": "Кабинет керек", "photos": ["p1", "p2", "p3"]}
LATE = {**FULL, "members_total": 120, "events_summary": "", "projects": [], "photos": [], "needs": ""}
HEADERS = {"kk": ["Аудан", "Ұйым", "Төраға", "Телефон", "Күйі", "Тексеру", "Тапсырылған уақыты", "Кім тапсырды"],
           "ru": ["Район", "Организация", "Председатель", "Телефон", "Статус", "Проверка", "Дата сдачи", "Кто сдал"]}
WAITING = {"kk": "тексеруді күтуде", "ru": "ждёт проверки"}
SUBMITTED_AT = datetime(2026, 11, 26, 10, 0)  # the fixture clock, in Almaty time
SUBMITTERS = {1001: "Асанов Айбек", 1002: "Оспанова Гүл"}
STATUS = {"kk": {"on": "уақытында тапсырылды", "late": "кешігіп тапсырылды", "none": "тапсырылмады"},
          "ru": {"on": "сдан в срок", "late": "сдан с опозданием", "none": "не сдан"}}
OCTOBER = {"kk": "2026 жылғы қазан", "ru": "октябрь 2026"}
REGION = {"kk": ["Облыс"], "ru": ["Область"]}


@pytest.fixture
async def reports(harness, clock):
    """October: Құтарыс on time, Мектеп №5 late, Қайнарбұлақ without a chair or a report."""
    await register(harness, 1001, "ru", "Құтарыс", name="Асанов Айбек", phone="+77010000001")
    await register(harness, 1002, "kk", "Мектеп №5", name="Оспанова Гүл", phone=None)
    await harness.app.repos.reports.submit(await org_id(harness, "Құтарыс"), "2026-10", 1001, FULL, False, clock.now())
    await harness.app.repos.reports.submit(await org_id(harness, "Мектеп №5"), "2026-10", 1002, LATE, True, clock.now())
    return harness


def sheet_rows(workbook, index: int) -> list[list]:
    return [list(r) for r in workbook.worksheets[index].iter_rows(values_only=True)]


async def expected_report_rows(harness, locale: str, month: str, district: str | None = None) -> list[list]:
    """What the reports sheet must hold, computed from the database and the form, not by the export code."""
    form = harness.app.config.form
    rows = await harness.app.db.fetchall(
        "SELECT d.name, o.name, u.full_name, u.phone, r.answers, r.late, r.submitted_by FROM organizations o "
        "JOIN districts d ON d.id = o.district_id LEFT JOIN users u ON u.org_id = o.id "
        "LEFT JOIN reports r ON r.org_id = o.id AND r.month = ? ORDER BY d.name, o.name", (month,))
    out = []
    for d, o, chair, phone, answers, late, by in rows:
        if district and d != district:
            continue
        status = STATUS[locale]["none" if answers is None else "late" if late else "on"]
        answers = json.loads(answers) if answers else {}
        cells = []
        for field in form.fields:
            value = answers.get(field.key)
            if value is not None and field.type == "multi":  # in the form's order, not as chosen
                value = "; ".join(opt.label(locale) for opt in field.options if opt.key in value)
            elif value is not None and field.type == "photos":
                value = len(value)
            cells.append(None if value == "" else value)  # an empty text cell reads back as nothing
        reviewed = [None, None, None] if by is None else [WAITING[locale], SUBMITTED_AT, SUBMITTERS[by]]
        out.append([d, o, chair, phone, status, *reviewed, *cells, None])  # no region in this deployment
    return out


async def download(client, month_label: str):
    await client.send("/export")
    calls = await client.press(month_label)
    (doc,) = documents(calls)
    return doc


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_export_matches_the_database_cell_by_cell(reports, locale):
    harness = reports
    boss = await admin(harness, BRANCH, locale=locale)
    await boss.send("/export")
    assert boss.buttons()[:2] == (["2026 жылғы қараша", "2026 жылғы қазан"] if locale == "kk" else ["ноябрь 2026", "октябрь 2026"])
    (doc,) = documents(await boss.press(OCTOBER[locale]))
    assert doc.document.filename == "bastau-2026-10.xlsx"
    workbook = load_workbook(io.BytesIO(doc.document.data))
    assert workbook.sheetnames == (["Есептер", "Жиынтық", "Тапсырмағандар"] if locale == "kk"
                                   else ["Отчёты", "Сводка", "Не сдали"])
    form = harness.app.config.form
    rows = sheet_rows(workbook, 0)
    assert rows[0] == HEADERS[locale] + [f.label.get(locale) for f in form.fields] + REGION[locale]
    assert rows[1:] == await expected_report_rows(harness, locale, "2026-10")
    # A chair's text that looks like a formula stays text.
    cell = next(c for row in workbook.worksheets[0].iter_rows() for c in row if c.value == FULL["events_summary"])
    assert cell.data_type == "s"

    summary = sheet_rows(workbook, 1)
    numeric = [f for f in form.fields if f.type == "int"]
    assert summary[0][7:] == [f.label.get(locale) for f in numeric]
    by_district = {r[0]: r for r in summary[1:]}
    # organizations, reports, late, accepted, returned, not submitted
    assert by_district["Сайрам ауданы"][1:7] == [2, 1, 0, 0, 0, 1]
    assert by_district["Байзақ ауданы"][1:7] == [1, 1, 1, 0, 0, 0]
    total = next(r for r in summary if r[0] == harness.app.i18n.gettext("Total", locale=locale))
    assert total[1:7] == [3, 2, 1, 0, 0, 1]
    for i, field in enumerate(numeric, start=7):
        assert total[i] == FULL[field.key] + LATE[field.key]
        assert by_district["Сайрам ауданы"][i] == FULL[field.key]

    missing = sheet_rows(workbook, 2)
    assert missing[1:] == [["Сайрам ауданы", "Қайнарбұлақ", None, None]]

    entry = (await audit_entries(harness))[-1]
    assert entry["action"] == "export" and entry["object"] == "month:2026-10" and entry["details"]["format"] == "xlsx"

    # The same as CSV, from the button under the file.
    (csv_doc,) = documents(await boss.press("CSV"))
    assert csv_doc.document.filename == "bastau-2026-10.csv"
    as_text = [[str(v) if v is not None else "" for v in row] for row in rows]
    as_text = [[("'" + v) if v.startswith("=") else v for v in row] for row in as_text]
    assert csv_rows(csv_doc.document.data, delimiter=";") == as_text
    assert b";" in csv_doc.document.data.splitlines()[0]


async def test_a_district_admin_exports_their_district_only(reports):
    harness = reports
    district = await admin(harness, SAIRAM_ADMIN)
    doc = await download(district, "октябрь 2026")
    assert doc.document.filename == "bastau-2026-10-Сайрам_ауданы.xlsx"
    workbook = load_workbook(io.BytesIO(doc.document.data))
    assert sheet_rows(workbook, 0)[1:] == await expected_report_rows(harness, "ru", "2026-10", "Сайрам ауданы")
    assert "Байзақ" not in str(sheet_rows(workbook, 1)) + str(sheet_rows(workbook, 2))


async def bastau(config_file: Path, *args: str) -> int:
    """The `bastau` command line, run in a thread (it starts its own event loop and database connection)."""
    from bot.cli import main

    return await asyncio.to_thread(main, ["--config", str(config_file), *args])


async def test_the_cli_writes_the_same_file(reports, config_file, tmp_path):
    harness = reports
    boss = await admin(harness, BRANCH, locale="ru")
    from_bot = load_workbook(io.BytesIO((await download(boss, "октябрь 2026")).document.data))
    out = tmp_path / "october.xlsx"
    assert await bastau(config_file, "export", "--month", "2026-10", "-o", str(out), "--locale", "ru") == 0
    from_cli = load_workbook(out)
    assert from_cli.sheetnames == from_bot.sheetnames
    for index in range(3):
        assert sheet_rows(from_cli, index) == sheet_rows(from_bot, index)

    out_csv = tmp_path / "sairam.csv"
    assert await bastau(config_file, "export", "--month", "2026-10", "-o", str(out_csv), "--csv",
                        "--district", "Сайрам ауданы", "--locale", "kk") == 0
    rows = csv_rows(out_csv.read_bytes(), delimiter=";")
    assert rows[0][:8] == HEADERS["kk"] and sorted(r[1] for r in rows[1:]) == ["Қайнарбұлақ", "Құтарыс"]


def test_the_cli_refuses_a_bad_month_or_district(config_file, tmp_path, capsys):
    from bot.cli import main

    out = tmp_path / "x.xlsx"
    assert main(["--config", str(config_file), "export", "--month", "October", "-o", str(out)]) == 2
    assert "2026-10" in capsys.readouterr().err
    assert main(["--config", str(config_file), "export", "--month", "2026-10", "-o", str(out),
                 "--district", "Жоқ ауданы"]) == 2
    assert "Жоқ ауданы" in capsys.readouterr().err and not out.exists()


@pytest.mark.slow
async def test_ten_thousand_organizations_export(harness, clock):
    await seed_roster(harness.app.db, clock, [(f"Аудан {n % 20}", f"Ұйым {n}", "social", 10) for n in range(10_000)])
    ids = [r[0] for r in await harness.app.db.fetchall("SELECT id FROM organizations ORDER BY id LIMIT 5000")]
    await harness.app.db.executemany(
        "INSERT INTO reports(org_id, month, answers, late, submitted_at, updated_at) VALUES (?, '2026-10', ?, 0, ?, ?)",
        [(i, json.dumps(FULL), clock.now().isoformat(), clock.now().isoformat()) for i in ids])
    boss = await admin(harness, BRANCH)
    workbook = load_workbook(io.BytesIO((await download(boss, "октябрь 2026")).document.data), read_only=True)
    rows = sheet_rows(workbook, 0)
    assert len(rows) == 1 + 10_003
    assert sum(r[4] == "сдан в срок" for r in rows) == 5000
    total = next(r for r in sheet_rows(workbook, 1) if r[0] == harness.app.i18n.gettext("Total", locale="ru"))
    assert total[1:7] == [10_003, 5000, 0, 0, 0, 5003]


async def test_a_forged_month_is_refused(harness):
    boss = await admin(harness, BRANCH)
    calls = await boss.press_data(AdminCb(action="exp", month="2026-13").pack(), nowhere(BRANCH))
    assert not documents(calls) and "нет прав" in boss.reply


async def test_rows_in_kazakh_order_with_frozen_header_filters_widths_and_review(harness, clock):
    """Issue 12's names: by code point «Қайнарбұлақ» and «Құтарыс» came after «Манкент», «Ақбұлақ» after
    «Аудандық». A returned and an accepted report are counted and named."""
    await seed_roster(harness.app.db, clock, [("Сайрам ауданы", name, "social", 10)
                                               for name in ("Манкент", "Аудандық", "Ақбұлақ", "Кемел")])
    reports = harness.app.repos.reports
    for name in ("Құтарыс", "Манкент"):
        await reports.submit(await org_id(harness, name), "2026-10", None, {"members_total": 1}, False, clock.now())
    await reports.set_review(await org_id(harness, "Құтарыс"), "2026-10", "returned", "Түзетіңіз", SAIRAM_ADMIN,
                             clock.now())
    await reports.set_review(await org_id(harness, "Манкент"), "2026-10", "accepted", None, SAIRAM_ADMIN,
                             clock.now())
    district = await admin(harness, SAIRAM_ADMIN, locale="kk")
    workbook = load_workbook(io.BytesIO((await download(district, "2026 жылғы қазан")).document.data))
    sheet = workbook.worksheets[0]
    rows = sheet_rows(workbook, 0)
    assert [r[1] for r in rows[1:]] == ["Ақбұлақ", "Аудандық", "Кемел", "Қайнарбұлақ", "Құтарыс", "Манкент"]
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name["Құтарыс"][5] == "түзетуге қайтарылды" and by_name["Манкент"][5] == "қабылданды"
    assert by_name["Ақбұлақ"][4:8] == ["тапсырылмады", None, None, None]
    assert sheet.freeze_panes == "C2" and sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(rows[0])).column_letter}7"
    widths = {letter: sheet.column_dimensions[letter].width for letter in ("A", "B", "E", "F", "G")}
    assert widths["A"] == len("Сайрам ауданы") + 2 and widths["G"] == len("Тапсырылған уақыты") + 2
    assert all(8 <= w <= 50 for w in widths.values())
    for other in workbook.worksheets[1:]:
        assert other.freeze_panes in ("C2", "A2") and other.auto_filter.ref.startswith("A1:")
    summary = {r[0]: r for r in sheet_rows(workbook, 1)[1:]}
    assert summary["Сайрам ауданы"][1:7] == [6, 2, 0, 1, 1, 4]
    assert sheet_rows(workbook, 1)[0][4:6] == ["Қабылданғаны", "Түзетуге қайтарылғаны"]
