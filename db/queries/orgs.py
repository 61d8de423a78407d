"""Districts and organizations (the roster): lookups, applying a parsed roster, invite codes."""
from __future__ import annotations

import csv
import io
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from db.database import Database, Tx
from db.queries.common import iso

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
    region: str = ""                  # empty: the deployment's region (`[bot] region`)
    org_code: str | None = None       # the branch's own identifier of the organization
    chair_deputy: bool | None = None  # None: not in the file, left as it is
    chair_council: bool | None = None
    chair_elected: str | None = None


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
    """A code that is neither an invite code nor a deputy code."""
    while True:
        code = new_code()
        if not await tx.fetchone("SELECT 1 FROM organizations WHERE invite_code = ? OR deputy_code = ?",
                                 (code, code)):
            return code


async def issue_deputy_code(db: Database, org_id: int, now: datetime) -> str | None:
    """A new deputy code for one organization (the deputy registers with it); an earlier one stops."""
    async with db.transaction() as tx:
        code = await _unique_code(tx)
        cur = await tx.execute("UPDATE organizations SET deputy_code = ?, updated_at = ? WHERE id = ? "
                               "AND archived_at IS NULL", (code, iso(now), org_id))
        return code if cur.rowcount else None


def fresh_code(taken: set[str]) -> str:
    """A new code not in `taken` (added to it)."""
    while True:
        code = new_code()
        if code not in taken:
            taken.add(code)
            return code


# Characters the door (bot/domain/text.py) now refuses, which names stored before it may hold.
_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")


def name_key(name: str) -> str:
    """How roster names are matched: case folded, composed (NFC), without refused characters."""
    return _REFUSED.sub("", unicodedata.normalize("NFC", name)).casefold()


def repairs(stored: str, given: str) -> bool:
    """The file spells a stored name cleanly (more than a change of case): the file's spelling wins."""
    return stored.casefold() != given.casefold()


async def reissue_code(db: Database, org_id: int, now: datetime, handover_by: int | None = None) -> str | None:
    """A new invite code for one organization; the old one stops working. With `handover_by` (the
    admin replacing the chair) whoever registers with the new code becomes the chair in place of the
    current one."""
    async with db.transaction() as tx:
        code = await _unique_code(tx)
        cur = await tx.execute("UPDATE organizations SET invite_code = ?, handover_by = ?, updated_at = ? "
                               "WHERE id = ?", (code, handover_by, iso(now), org_id))
        return code if cur.rowcount else None


async def codes_csv(db: Database, district_id: int | None = None, region_id: int | None = None) -> str:
    """region,district,organization,code of the scope's organizations (archived ones left out), and
    org_code when any organization has one."""
    rows = await db.fetchall(
        "SELECT COALESCE(g.name, ''), d.name, o.name, o.invite_code, COALESCE(o.org_code, '') "
        "FROM organizations o JOIN districts d ON d.id = o.district_id LEFT JOIN regions g ON g.id = d.region_id "
        "WHERE o.archived_at IS NULL AND (:district IS NULL OR d.id = :district) "
        "AND (:region IS NULL OR d.region_id = :region) ORDER BY g.name NULLS FIRST, d.name, o.name",
        {"district": district_id, "region": region_id})
    with_codes = any(r[4] for r in rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("region", "district", "organization", "code") + (("org_code",) if with_codes else ()))
    writer.writerows(tuple(r)[:5 if with_codes else 4] for r in rows)
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
    region_id: int | None = None
    region: str | None = None
    org_code: str | None = None
    archived: bool = False
    chair_deputy: bool | None = None
    chair_council: bool | None = None
    chair_elected: str | None = None
    handover_by: int | None = None   # an admin asked to replace the chair: the next registration does


_SELECT = (
    "SELECT o.id, o.name, o.district_id, d.name AS district, o.sector, o.members, o.invite_code, d.region_id, "
    "g.name, o.org_code, o.archived_at IS NOT NULL, o.chair_deputy, o.chair_council, o.chair_elected, "
    "o.handover_by FROM organizations o JOIN districts d ON d.id = o.district_id "
    "LEFT JOIN regions g ON g.id = d.region_id "
)


def _org(row) -> Organization | None:
    if not row:
        return None
    values = list(row)
    values[10] = bool(values[10])
    values[11:13] = [None if v is None else bool(v) for v in values[11:13]]
    return Organization(*values)


class OrgsRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, org_id: int) -> Organization | None:
        return _org(await self.db.fetchone(_SELECT + "WHERE o.id = ?", (org_id,)))

    async def by_code(self, code: str) -> Organization | None:
        """The organization of an invite code; archived ones have none."""
        return _org(await self.db.fetchone(_SELECT + "WHERE o.invite_code = ? AND o.archived_at IS NULL", (code,)))

    async def by_deputy_code(self, code: str) -> Organization | None:
        """The organization whose deputy registers with this code."""
        return _org(await self.db.fetchone(_SELECT + "WHERE o.deputy_code = ? AND o.archived_at IS NULL", (code,)))

    async def all(self, district_id: int | None = None, region_id: int | None = None) -> list[Organization]:
        """The organizations of a scope that are not archived."""
        rows = await self.db.fetchall(
            _SELECT + "WHERE o.archived_at IS NULL AND (:district IS NULL OR o.district_id = :district) "
            "AND (:region IS NULL OR d.region_id = :region) ORDER BY g.name NULLS FIRST, d.name, o.name",
            {"district": district_id, "region": region_id})
        return [o for o in map(_org, rows) if o is not None]

    async def search(self, text: str, district_id: int | None, region_id: int | None,
                     limit: int = 20) -> list[Organization]:
        """Organizations of the scope (archived ones last) whose invite code or org_code is `text`, or
        whose name holds it in any case (Kazakh and Russian letters too, so compared here, not in SQL)."""
        folded, code = text.casefold().strip(), normalize_code(text)
        everyone = await self._scope_all(district_id, region_id)
        exact = [o for o in everyone if o.invite_code == code or (o.org_code or "").casefold() == folded]
        return (exact or [o for o in everyone if folded and folded in o.name.casefold()])[:limit]

    async def _scope_all(self, district_id: int | None, region_id: int | None) -> list[Organization]:
        rows = await self.db.fetchall(
            _SELECT + "WHERE (:district IS NULL OR o.district_id = :district) "
            "AND (:region IS NULL OR d.region_id = :region) ORDER BY o.archived_at IS NOT NULL, d.name, o.name",
            {"district": district_id, "region": region_id})
        return [o for o in map(_org, rows) if o is not None]

    async def districts(self, region_id: int | None = None) -> list[tuple[int, str]]:
        """The districts (of a region) that are not archived."""
        rows = await self.db.fetchall(
            "SELECT id, name FROM districts WHERE archived_at IS NULL AND (:region IS NULL OR region_id = :region) "
            "ORDER BY name", {"region": region_id})
        return [(r["id"], r["name"]) for r in rows]

    async def districts_labelled(self) -> list[tuple[int, str]]:
        """The districts that are not archived, named with their region where there are several regions."""
        rows = await self.db.fetchall(
            "SELECT d.id, d.name, g.name, (SELECT COUNT(*) FROM regions) FROM districts d "
            "LEFT JOIN regions g ON g.id = d.region_id WHERE d.archived_at IS NULL ORDER BY g.name NULLS FIRST, d.name")
        return [(r[0], f"{r[1]} · {r[2]}" if r[3] > 1 and r[2] else r[1]) for r in rows]

    async def district_name(self, district_id: int) -> str | None:
        row = await self.db.fetchone("SELECT name FROM districts WHERE id = ?", (district_id,))
        return row["name"] if row else None

    async def district_region(self, district_id: int) -> int | None:
        row = await self.db.fetchone("SELECT region_id FROM districts WHERE id = ?", (district_id,))
        return row["region_id"] if row else None

    async def district_by_name(self, name: str, region: str | None = None) -> int | None:
        """A district by its name, within a region when given; None when absent or when the name is
        the same in several regions and no region tells them apart."""
        rows = await self.db.fetchall(
            "SELECT d.id FROM districts d LEFT JOIN regions g ON g.id = d.region_id "
            "WHERE d.name = :name AND (:region IS NULL OR g.name = :region) LIMIT 2", {"name": name, "region": region})
        return rows[0]["id"] if len(rows) == 1 else None

    async def regions(self) -> list[tuple[int, str]]:
        rows = await self.db.fetchall("SELECT id, name FROM regions WHERE archived_at IS NULL ORDER BY name")
        return [(r["id"], r["name"]) for r in rows]

    async def region_name(self, region_id: int) -> str | None:
        row = await self.db.fetchone("SELECT name FROM regions WHERE id = ?", (region_id,))
        return row["name"] if row else None

    async def region_by_name(self, name: str) -> int | None:
        row = await self.db.fetchone("SELECT id FROM regions WHERE name = ?", (name,))
        return row["id"] if row else None

    async def district_ids_of(self, region_id: int) -> frozenset[int]:
        rows = await self.db.fetchall("SELECT id FROM districts WHERE region_id = ?", (region_id,))
        return frozenset(r["id"] for r in rows)
