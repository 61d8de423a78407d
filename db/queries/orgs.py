"""Districts and organizations (the roster): lookups, applying a parsed roster, invite codes."""
from __future__ import annotations

import csv
import io
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from db.database import Database, Tx
from db.queries.common import inserted_id, iso

# No 0/O, 1/I/L: codes are read aloud and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# 8 characters: see the README (Configuration) for the guessing odds. Codes issued with 6 still work.
CODE_LENGTH = 8
SHORTEST_CODE = 6
# What a chair may type for the code's Latin letters: Cyrillic look-alikes (the default keyboard of
# most chairs; Kazakh Ү and Һ too, and З for 3); fullwidth forms are folded by NFKC first.
_LOOKALIKES = str.maketrans("АВСЕНІЈКМОРЅТХУҮҺЗ", "ABCEHIJKMOPSTXYYH3")


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
    regardless of case, as in parse_rows, and of what `name_key` drops: a name stored before the
    door refused control characters (or stored decomposed) takes the file's clean spelling.
    Reads everything once and writes in batches (a region's whole roster of 10,000 rows is one upload)."""
    summary = ApplySummary()
    stamp = iso(now)
    async with db.transaction() as tx:
        districts = {name_key(r["name"]): (r["id"], r["name"])
                     for r in await tx.fetchall("SELECT id, name FROM districts")}
        existing = {(r["district_id"], name_key(r["name"])): r for r in await tx.fetchall(
            "SELECT id, district_id, name, sector, members FROM organizations")}
        codes = {r[0] for r in await tx.fetchall("SELECT invite_code FROM organizations")}
        inserts, updates, renamed_districts = [], [], []
        for row in rows:
            known = districts.get(name_key(row.district))
            if known is None:
                cur = await tx.execute("INSERT INTO districts(name) VALUES (?)", (row.district,))
                known = districts[name_key(row.district)] = (inserted_id(cur), row.district)
                summary.districts_added.append(row.district)
            elif _repairs(known[1], row.district):
                renamed_districts.append((row.district, known[0]))
                known = districts[name_key(row.district)] = (known[0], row.district)
            district_id = known[0]
            found = existing.get((district_id, name_key(row.organization)))
            if found is None:
                inserts.append((district_id, row.organization, row.sector, row.members, _fresh_code(codes),
                                stamp, stamp))
                summary.added.append((row.district, row.organization))
            elif (found["sector"], found["members"]) != (row.sector, row.members) \
                    or _repairs(found["name"], row.organization):
                name = row.organization if _repairs(found["name"], row.organization) else found["name"]
                updates.append((name, row.sector, row.members, stamp, found["id"]))
                summary.changed.append((row.district, row.organization))
            else:
                summary.unchanged += 1
        await tx.executemany("UPDATE districts SET name = ? WHERE id = ?", renamed_districts)
        await tx.executemany(
            "INSERT INTO organizations(district_id, name, sector, members, invite_code, created_at, updated_at) "
            "VALUES (?,?,?,?,?,?,?)", inserts)
        await tx.executemany("UPDATE organizations SET name = ?, sector = ?, members = ?, updated_at = ? "
                             "WHERE id = ?", updates)
    return summary


# Characters the door (bot/domain/text.py) now refuses, which names stored before it may hold.
_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")


def name_key(name: str) -> str:
    """How roster names are matched: case folded, composed (NFC), without refused characters."""
    return _REFUSED.sub("", unicodedata.normalize("NFC", name)).casefold()


def _repairs(stored: str, given: str) -> bool:
    """The file spells a stored name cleanly (more than a change of case): the file's spelling wins."""
    return stored.casefold() != given.casefold()


async def reissue_code(db: Database, org_id: int, now: datetime) -> str | None:
    """A new invite code for one organization; the old one stops working."""
    async with db.transaction() as tx:
        code = await _unique_code(tx)
        cur = await tx.execute("UPDATE organizations SET invite_code = ?, updated_at = ? WHERE id = ?",
                               (code, iso(now), org_id))
        return code if cur.rowcount else None


async def codes_csv(db: Database, district_id: int | None = None) -> str:
    rows = await db.fetchall(
        "SELECT d.name, o.name, o.invite_code FROM organizations o JOIN districts d ON d.id = o.district_id "
        "WHERE (:district IS NULL OR d.id = :district) ORDER BY d.name, o.name", {"district": district_id})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("district", "organization", "code"))
    writer.writerows(tuple(r) for r in rows)
    return out.getvalue()


@dataclass(frozen=True)
class Organization:
    id: int
    name: str
    district_id: int
    district: str
    sector: str
    members: int
    invite_code: str


_SELECT = (
    "SELECT o.id, o.name, o.district_id, d.name AS district, o.sector, o.members, o.invite_code "
    "FROM organizations o JOIN districts d ON d.id = o.district_id "
)


def _org(row) -> Organization | None:
    return Organization(*row) if row else None


class OrgsRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, org_id: int) -> Organization | None:
        return _org(await self.db.fetchone(_SELECT + "WHERE o.id = ?", (org_id,)))

    async def by_code(self, code: str) -> Organization | None:
        return _org(await self.db.fetchone(_SELECT + "WHERE o.invite_code = ?", (code,)))

    async def all(self, district_id: int | None = None) -> list[Organization]:
        if district_id is None:
            rows = await self.db.fetchall(_SELECT + "ORDER BY d.name, o.name")
        else:
            rows = await self.db.fetchall(_SELECT + "WHERE o.district_id = ? ORDER BY o.name", (district_id,))
        return [Organization(*r) for r in rows]

    async def districts(self) -> list[tuple[int, str]]:
        rows = await self.db.fetchall("SELECT id, name FROM districts ORDER BY name")
        return [(r["id"], r["name"]) for r in rows]

    async def district_name(self, district_id: int) -> str | None:
        row = await self.db.fetchone("SELECT name FROM districts WHERE id = ?", (district_id,))
        return row["name"] if row else None

    async def district_by_name(self, name: str) -> int | None:
        row = await self.db.fetchone("SELECT id FROM districts WHERE name = ?", (name,))
        return row["id"] if row else None
