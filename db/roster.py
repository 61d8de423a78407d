"""The roster of districts and organizations: parse, validate, apply, invite codes."""
from __future__ import annotations

import csv
import io
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from db.database import Database, Tx
from db.queries.common import iso

HEADER = ("district", "organization", "sector", "members")
# No 0/O, 1/I/L: codes are read aloud and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# 8 characters: see the README (Configuration) for the guessing odds. Codes issued with 6 still work.
CODE_LENGTH = 8
SHORTEST_CODE = 6
# What a chair may type for the code's Latin letters: Cyrillic look-alikes (the default keyboard of
# most chairs; Kazakh Ү and Һ too, and З for 3); fullwidth forms are folded by NFKC first.
_LOOKALIKES = str.maketrans("АВСЕНІЈКМОРЅТХУҮҺЗ", "ABCEHIJKMOPSTXYYH3")
MAX_NAME = 200


# Reasons a roster is refused: English templates, translated where they are shown (bot/services/admin_roster.py).
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


@dataclass(frozen=True)
class RosterRow:
    line: int
    district: str
    organization: str
    sector: str
    members: int


@dataclass
class ApplySummary:
    districts_added: list[str] = field(default_factory=list)
    added: list[tuple[str, str]] = field(default_factory=list)
    changed: list[tuple[str, str]] = field(default_factory=list)
    unchanged: int = 0


def normalize_code(text: str) -> str:
    """The code as stored: look-alike and fullwidth letters as Latin ones, upper case, letters and
    digits only (spaces and dashes dropped)."""
    text = unicodedata.normalize("NFKC", text).upper().translate(_LOOKALIKES)
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


def could_be_code(code: str) -> bool:
    """A normalized text that has the form of an invite code (only those count as wrong tries)."""
    return SHORTEST_CODE <= len(code) <= CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


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


async def _unique_code(tx: Tx) -> str:
    while True:
        code = new_code()
        if not await tx.fetchone("SELECT 1 FROM organizations WHERE invite_code = ?", (code,)):
            return code


def _fresh_code(taken: set[str]) -> str:
    while True:
        code = new_code()
        if code not in taken:
            taken.add(code)
            return code


async def apply_rows(db: Database, rows: list[RosterRow], now: datetime) -> ApplySummary:
    """Add new districts and organizations, update changed ones; never delete. Names match
    regardless of case, as in parse_rows. Reads everything once and writes in batches (a region's
    whole roster of 10,000 rows is one upload)."""
    summary = ApplySummary()
    stamp = iso(now)
    async with db.transaction() as tx:
        districts = {r["name"].casefold(): r["id"] for r in await tx.fetchall("SELECT id, name FROM districts")}
        existing = {(r["district_id"], r["name"].casefold()): r for r in await tx.fetchall(
            "SELECT id, district_id, name, sector, members FROM organizations")}
        codes = {r[0] for r in await tx.fetchall("SELECT invite_code FROM organizations")}
        inserts, updates = [], []
        for row in rows:
            district_id = districts.get(row.district.casefold())
            if district_id is None:
                cur = await tx.execute("INSERT INTO districts(name) VALUES (?)", (row.district,))
                district_id = districts[row.district.casefold()] = cur.lastrowid
                summary.districts_added.append(row.district)
            found = existing.get((district_id, row.organization.casefold()))
            if found is None:
                inserts.append((district_id, row.organization, row.sector, row.members, _fresh_code(codes),
                                stamp, stamp))
                summary.added.append((row.district, row.organization))
            elif (found["sector"], found["members"]) != (row.sector, row.members):
                updates.append((row.sector, row.members, stamp, found["id"]))
                summary.changed.append((row.district, row.organization))
            else:
                summary.unchanged += 1
        await tx.executemany(
            "INSERT INTO organizations(district_id, name, sector, members, invite_code, created_at, updated_at) "
            "VALUES (?,?,?,?,?,?,?)", inserts)
        await tx.executemany("UPDATE organizations SET sector = ?, members = ?, updated_at = ? WHERE id = ?", updates)
    return summary


async def reissue_code(db: Database, org_id: int, now: datetime) -> str | None:
    """A new invite code for one organization; the old one stops working."""
    async with db.transaction() as tx:
        code = await _unique_code(tx)
        cur = await tx.execute("UPDATE organizations SET invite_code = ?, updated_at = ? WHERE id = ?",
                               (code, iso(now), org_id))
        return code if cur.rowcount else None


async def codes_csv(db: Database, district_id: int | None = None) -> str:
    sql = ("SELECT d.name, o.name, o.invite_code FROM organizations o JOIN districts d ON d.id = o.district_id "
           + ("WHERE d.id = ? " if district_id is not None else "") + "ORDER BY d.name, o.name")
    rows = await db.fetchall(sql, (district_id,) if district_id is not None else ())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("district", "organization", "code"))
    writer.writerows(tuple(r) for r in rows)
    return out.getvalue()
