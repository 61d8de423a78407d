"""Roster files (CSV, XLSX) read and validated into rows; no database here."""
from __future__ import annotations

import csv
import io

from db.queries.orgs import RosterRow

HEADER = ("district", "organization", "sector", "members")
MAX_NAME = 200


# Reasons a roster is refused: English templates, translated where they are shown (bot/features/roster/service.py).
EMPTY_FILE = "the file is empty"
BAD_HEADER = "the header must be {header}"
BAD_COLUMNS = "expected {expected} columns, found {found}"
EMPTY_DISTRICT = "district is empty"
EMPTY_ORGANIZATION = "organization is empty"
NAME_TOO_LONG = "a name is longer than {limit} characters"
BAD_MEMBERS = "members must be a whole number, not «{value}»"
DUPLICATE = "duplicate organization (first on line {first})"
NO_ORGANIZATIONS = "no organizations in the file"
NOT_UTF8 = "the file is not UTF-8 text"
NOT_XLSX = "the file is not a readable XLSX workbook"

Reason = tuple[int, str, dict]  # (line, template, its parameters)


class RosterError(Exception):
    def __init__(self, reasons: list[Reason]) -> None:
        self.reasons = reasons
        self.problems = [(line, template.format(**params)) for line, template, params in reasons]
        super().__init__("; ".join(f"line {n}: {why}" for n, why in self.problems))


def _reason(line: int, template: str, **params) -> Reason:
    return (line, template, params)


def parse_rows(rows: list[list[str]]) -> list[RosterRow]:
    """Validate a table (first row the header); RosterError lists every bad line."""
    if not rows:
        raise RosterError([_reason(1, EMPTY_FILE)])
    header = tuple(cell.strip().lower().lstrip("\ufeff") for cell in rows[0])
    if header != HEADER:
        raise RosterError([_reason(1, BAD_HEADER, header=",".join(HEADER))])
    problems: list[Reason] = []
    seen: dict[tuple[str, str], int] = {}
    parsed: list[RosterRow] = []
    for line, raw in enumerate(rows[1:], start=2):
        cells = [(c or "").strip() for c in raw]
        if not any(cells):
            continue
        if len(cells) != len(HEADER):
            problems.append(_reason(line, BAD_COLUMNS, expected=len(HEADER), found=len(cells)))
            continue
        district, organization, sector, members = cells
        if not district:
            problems.append(_reason(line, EMPTY_DISTRICT))
        if not organization:
            problems.append(_reason(line, EMPTY_ORGANIZATION))
        if len(district) > MAX_NAME or len(organization) > MAX_NAME:
            problems.append(_reason(line, NAME_TOO_LONG, limit=MAX_NAME))
        if not (members.isascii() and members.isdigit()) or int(members) > 10_000_000:
            problems.append(_reason(line, BAD_MEMBERS, value=members))
        key = (district.casefold(), organization.casefold())
        if district and organization and key in seen:
            problems.append(_reason(line, DUPLICATE, first=seen[key]))
        seen.setdefault(key, line)
        if not problems or problems[-1][0] != line:
            parsed.append(RosterRow(line, district, organization, sector, int(members)))
    if problems:
        raise RosterError(problems)
    if not parsed:
        raise RosterError([_reason(2, NO_ORGANIZATIONS)])
    return parsed


def read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RosterError([_reason(1, NOT_UTF8)]) from exc
    return list(csv.reader(io.StringIO(text)))


def read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raise RosterError([_reason(1, NOT_XLSX)]) from exc
    rows = []
    for values in sheet.iter_rows(values_only=True):
        rows.append(["" if v is None else str(int(v) if isinstance(v, float) and v.is_integer() else v)
                     for v in values])
    while rows and rows[0] and not rows[0][-1]:
        rows[0] = rows[0][:-1]
    return [r[:len(rows[0])] if len(r) > len(rows[0]) and not any(r[len(rows[0]):]) else r for r in rows]
