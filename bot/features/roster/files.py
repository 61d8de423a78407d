"""Roster files (CSV, XLSX) read and validated into rows; no database here."""
from __future__ import annotations

import csv
import io
import re
import threading
import zipfile

from bot.domain.text import UnsafeText, normalize_text
from db.queries.orgs import RosterRow

HEADER = ("region", "district", "organization", "sector", "members")
# Without `region` (a single-region deployment: `[bot] region` names it) the old header still works.
REQUIRED = HEADER[1:]
# Optional columns, anywhere after the required ones: the branch's own code of the organization (a
# stable key through renames and moves) and the profile facts of its chair (see bot/features/orgs).
OPTIONAL = ("org_code", "chair_deputy", "chair_council", "chair_elected")
MAX_NAME = 200
# Bounds of one upload (a national roster is about 10,000 organizations): reading stops there.
MAX_ROWS = 20_000            # rows of the file, the header included
MAX_CELLS = 500_000          # cells read (up to the last filled one of each row)
MAX_COLUMNS = 30             # of an XLSX sheet: later columns are not read
MAX_CELL = 1_000             # characters in one cell
MAX_UNPACKED = 20_000_000    # bytes of an XLSX once unzipped (a zip of a million rows is a few hundred KB;
                             # openpyxl reads a sheet without a <dimension> through once just to size it)
SHOWN_VALUE = 20             # characters of a bad value quoted back
READ_SECONDS = 30            # the chat's upload is read off the event loop, for at most this long


# Reasons a roster is refused: English templates, translated where they are shown (bot/features/roster/service.py).
EMPTY_FILE = "the file is empty"
BAD_HEADER = "the header must be {header}"
BAD_FLAG = "{column} must be yes or no (or empty), not «{value}»"
BAD_ELECTED = "chair_elected must be a date as YYYY-MM-DD or YYYY-MM, not «{value}»"
BAD_COLUMNS = "expected {expected} columns, found {found}"
EMPTY_REGION = "region is empty"
EMPTY_DISTRICT = "district is empty"
EMPTY_ORGANIZATION = "organization is empty"
NAME_TOO_LONG = "a name is longer than {limit} characters"
BAD_MEMBERS = "members must be a whole number, not «{value}»"
DUPLICATE = "duplicate organization (first on line {first})"
DUPLICATE_CODE = "duplicate org_code (first on line {first})"
NO_ORGANIZATIONS = "no organizations in the file"
NOT_UTF8 = "the file is not UTF-8 text"
NOT_XLSX = "the file is not a readable XLSX workbook"
TOO_MANY_ROWS = "the file has more than {limit} rows; split it into several files"
TOO_MANY_CELLS = "the file has more than {limit} cells; delete the unused columns"
CELL_TOO_LONG = "a cell is longer than {limit} characters"
CONTROL_CHARACTER = "a cell holds an invisible control character ({code}); type the cell again"
BAD_CSV = "the line cannot be read as CSV (check the quotes)"
XLSX_TOO_BIG = "the workbook is too large once unpacked (at most {limit} MB)"
TOO_SLOW = "the file took too long to read (more than {seconds} seconds)"

Reason = tuple[int, str, dict]  # (line, template, its parameters)


class RosterError(Exception):
    def __init__(self, reasons: list[Reason]) -> None:
        self.reasons = reasons
        self.problems = [(line, template.format(**params)) for line, template, params in reasons]
        super().__init__("; ".join(f"line {n}: {why}" for n, why in self.problems))


def _reason(line: int, template: str, **params) -> Reason:
    return (line, template, params)


def parse_rows(rows: list[list[str]]) -> list[RosterRow]:
    """Validate a table (first row the header); RosterError lists every bad line. Every cell goes
    through normalize_text (NFC; a control character refuses its line)."""
    if not rows:
        raise RosterError([_reason(1, EMPTY_FILE)])
    header = tuple(cell.strip().lower().lstrip("\ufeff") for cell in rows[0])
    columns = header_columns(header)
    if columns is None:
        raise RosterError([_reason(1, BAD_HEADER, header=",".join(HEADER))])
    problems: list[Reason] = []
    seen: dict[tuple[str, str, str], int] = {}
    codes: dict[str, int] = {}
    parsed: list[RosterRow] = []
    for line, raw in enumerate(rows[1:], start=2):
        if any(len(c or "") > MAX_CELL for c in raw):
            problems.append(_reason(line, CELL_TOO_LONG, limit=MAX_CELL))
            continue
        try:
            cells = [normalize_text(c or "").strip() for c in raw]
        except UnsafeText as exc:
            problems.append(_reason(line, CONTROL_CHARACTER, code=exc.code))
            continue
        if not any(cells):
            continue
        if len(cells) != len(header):
            problems.append(_reason(line, BAD_COLUMNS, expected=len(header), found=len(cells)))
            continue
        row = dict(zip(header, cells, strict=True))
        region, district, organization = row.get("region", ""), row["district"], row["organization"]
        members, org_code = row["members"], row.get("org_code", "")
        before = len(problems)
        if "region" in row and not region:
            problems.append(_reason(line, EMPTY_REGION))
        if not district:
            problems.append(_reason(line, EMPTY_DISTRICT))
        if not organization:
            problems.append(_reason(line, EMPTY_ORGANIZATION))
        if max(len(region), len(district), len(organization), len(org_code)) > MAX_NAME:
            problems.append(_reason(line, NAME_TOO_LONG, limit=MAX_NAME))
        if not (members.isascii() and members.isdigit()) or int(members) > 10_000_000:
            problems.append(_reason(line, BAD_MEMBERS, value=_shown(members)))
        key = (region.casefold(), district.casefold(), organization.casefold())
        if district and organization and key in seen:
            problems.append(_reason(line, DUPLICATE, first=seen[key]))
        seen.setdefault(key, line)
        if org_code and org_code.casefold() in codes:
            problems.append(_reason(line, DUPLICATE_CODE, first=codes[org_code.casefold()]))
        codes.setdefault(org_code.casefold(), line)
        facts = _facts(row, line, problems)
        if len(problems) == before:
            parsed.append(RosterRow(line, district, organization, row["sector"], int(members), region=region,
                                    org_code=org_code or None, **facts))
    if problems:
        raise RosterError(problems)
    if not parsed:
        raise RosterError([_reason(2, NO_ORGANIZATIONS)])
    return parsed


def header_columns(header: tuple[str, ...]) -> tuple[str, ...] | None:
    """The header when it is the required columns (with or without `region` first), then optional
    ones each at most once; None otherwise."""
    start = len(HEADER) if header[:len(HEADER)] == HEADER else len(REQUIRED)
    if header[:start] not in (HEADER, REQUIRED):
        return None
    rest = header[start:]
    if len(set(rest)) != len(rest) or not set(rest) <= set(OPTIONAL):
        return None
    return header


_YES = {"1", "yes", "y", "true", "да", "иә", "ия", "+"}
_NO = {"0", "no", "n", "false", "нет", "жоқ", "-"}


def _shown(value: str) -> str:
    return value if len(value) <= SHOWN_VALUE else value[:SHOWN_VALUE] + "…"


def _facts(row: dict[str, str], line: int, problems: list[Reason]) -> dict:
    """The chair's profile facts of a row; a column the file does not have, or an empty cell, is None
    (left as it is in the database)."""
    facts: dict[str, bool | str | None] = {}
    for column in ("chair_deputy", "chair_council"):
        value = row.get(column, "").casefold()
        if value and value not in _YES | _NO:
            problems.append(_reason(line, BAD_FLAG, column=column, value=_shown(row[column])))
        facts[column] = (value in _YES) if value else None
    elected = row.get("chair_elected", "")
    if elected and not re.fullmatch(r"(19|20)\d\d-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?", elected):
        problems.append(_reason(line, BAD_ELECTED, value=_shown(elected)))
    facts["chair_elected"] = elected or None
    return facts


class _Bounds:
    """Counts rows and cells as a file is read; stops the reading at a bound or when told to."""

    def __init__(self, stop: threading.Event | None) -> None:
        self.stop = stop
        self.rows = 0
        self.cells = 0

    def take(self, width: int) -> None:
        self.rows += 1
        self.cells += width
        if self.rows > MAX_ROWS:
            raise RosterError([_reason(self.rows, TOO_MANY_ROWS, limit=MAX_ROWS)])
        if self.cells > MAX_CELLS:
            raise RosterError([_reason(self.rows, TOO_MANY_CELLS, limit=MAX_CELLS)])
        if self.stop is not None and self.rows % 500 == 0 and self.stop.is_set():
            raise RosterError([_reason(self.rows, TOO_SLOW, seconds=READ_SECONDS)])


def read_csv(data: bytes, stop: threading.Event | None = None) -> list[list[str]]:
    """The rows of a UTF-8 CSV, at most MAX_ROWS and MAX_CELLS; a cell over the csv module's own
    limit (128 KB) is reported on its line, as any other unreadable line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterError([_reason(1, NOT_UTF8)]) from exc
    bounds = _Bounds(stop)
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return rows
        except csv.Error as exc:
            too_long = "field larger than field limit" in str(exc)
            line = bounds.rows + 1
            raise RosterError([_reason(line, CELL_TOO_LONG, limit=MAX_CELL) if too_long
                               else _reason(line, BAD_CSV)]) from None
        bounds.take(len(row))
        rows.append(row)


def read_xlsx(data: bytes, stop: threading.Event | None = None) -> list[list[str]]:
    """The rows of the first sheet, streamed (openpyxl read-only) and stopped at MAX_ROWS and
    MAX_CELLS; a workbook that unpacks to more than MAX_UNPACKED bytes is not opened at all. The
    bounds are passed to iter_rows: without them openpyxl first reads the whole sheet to size it."""
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise RosterError([_reason(1, NOT_XLSX)]) from exc
    if unpacked > MAX_UNPACKED:
        raise RosterError([_reason(1, XLSX_TOO_BIG, limit=MAX_UNPACKED // 1_000_000)])
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raise RosterError([_reason(1, NOT_XLSX)]) from exc
    bounds = _Bounds(stop)
    rows: list[list[str]] = []
    try:
        for values in sheet.iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS, values_only=True):
            row = ["" if v is None else str(int(v) if isinstance(v, float) and v.is_integer() else v)
                   for v in values]
            while row and not row[-1]:
                row.pop()                    # unused columns at the end (formatting, a stray space)
            bounds.take(len(row))
            rows.append(row)
    finally:
        workbook.close()
    width = len(rows[0]) if rows else 0
    return [r + [""] * (width - len(r)) if r and len(r) < width else r for r in rows]
