"""Applying a parsed roster: regions, districts and organizations added, updated, renamed, moved,
archived when a full roster leaves them out. Nothing is ever deleted."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from db.database import Database, Tx
from db.dialect import json_ints
from db.queries.common import inserted_id, iso
from db.queries.orgs import RosterRow, fresh_code, name_key, repairs

Named = tuple[str, str]  # (district, organization)


@dataclass
class ApplySummary:
    districts_added: list[str] = field(default_factory=list)
    added: list[Named] = field(default_factory=list)
    changed: list[Named] = field(default_factory=list)
    unchanged: int = 0
    regions_added: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str, str]] = field(default_factory=list)     # (district, old name, new name)
    moved: list[tuple[str, str, str]] = field(default_factory=list)       # (organization, old district, new)
    restored: list[Named] = field(default_factory=list)                   # archived, listed again
    absent: list[tuple[int, str, str]] = field(default_factory=list)      # (id, district, organization)
    archived: list[Named] = field(default_factory=list)
    districts_archived: list[str] = field(default_factory=list)


_ORGS = ("SELECT o.id, o.district_id, d.name AS district, o.name, o.sector, o.members, o.org_code, "
         "o.archived_at, o.chair_deputy, o.chair_council, o.chair_elected "
         "FROM organizations o JOIN districts d ON d.id = o.district_id")


async def _regions(tx: Tx, rows: list[RosterRow], default_region: str, summary: ApplySummary) -> dict[str, int]:
    """casefolded name -> id of every region the rows name, added when new. Districts from before
    regions are adopted by the default region."""
    regions = {name_key(r["name"]): r["id"] for r in await tx.fetchall("SELECT id, name FROM regions")}
    for name in dict.fromkeys(row.region or default_region for row in rows):
        if name and name_key(name) not in regions:
            cur = await tx.execute("INSERT INTO regions(name) VALUES (?) RETURNING id", (name,))
            regions[name_key(name)] = inserted_id(cur)
            summary.regions_added.append(name)
    if default_region:
        await tx.execute("UPDATE districts SET region_id = ? WHERE region_id IS NULL",
                         (regions[name_key(default_region)],))
    return regions


def _facts_changed(found, row: RosterRow) -> bool:
    facts = ((row.chair_deputy, found["chair_deputy"]), (row.chair_council, found["chair_council"]),
             (row.chair_elected, found["chair_elected"]))
    return (found["sector"], found["members"]) != (row.sector, row.members) or any(
        new is not None and (int(new) if isinstance(new, bool) else new) != old for new, old in facts)


async def apply_rows(db: Database, rows: list[RosterRow], now: datetime, *, default_region: str = "",
                     archive_missing: bool = False) -> ApplySummary:
    """Add new regions, districts and organizations, update changed ones. An organization is the one
    with the row's org_code when there is one, else the one of the same (region, district, name): a
    new name or district of a known org_code is a rename or a move. Organizations of the database the
    rows leave out are listed in `absent`, and archived with `archive_missing` (their districts too,
    once none of their organizations is left). Names match regardless of case and of what `name_key`
    drops: a name stored before the door refused control characters takes the file's clean spelling.
    Reads everything once and writes in batches (a national roster of 10,000 rows is one upload)."""
    summary = ApplySummary()
    stamp = iso(now)
    async with db.transaction() as tx:
        await tx.lock("roster")  # PostgreSQL: the rows read here stay as read until the writes commit
        regions = await _regions(tx, rows, default_region, summary)
        districts = {(r["region_id"], name_key(r["name"])): (r["id"], r["name"])
                     for r in await tx.fetchall("SELECT id, region_id, name FROM districts")}
        everyone = await tx.fetchall(_ORGS)
        existing = {(r["district_id"], name_key(r["name"])): r for r in everyone}
        repaired_districts = []
        by_code = {r["org_code"].casefold(): r for r in everyone if r["org_code"]}
        codes = {code for r in await tx.fetchall("SELECT invite_code, deputy_code FROM organizations")
                 for code in r if code}
        seen: set[int] = set()
        inserts, updates = [], []
        for row in rows:
            region_id = regions.get(name_key(row.region or default_region))
            known = districts.get((region_id, name_key(row.district)))
            if known is None:
                cur = await tx.execute("INSERT INTO districts(region_id, name) VALUES (?, ?) RETURNING id",
                                       (region_id, row.district))
                known = districts[(region_id, name_key(row.district))] = (inserted_id(cur), row.district)
                summary.districts_added.append(row.district)
            elif repairs(known[1], row.district):
                repaired_districts.append((row.district, known[0]))
                known = districts[(region_id, name_key(row.district))] = (known[0], row.district)
            district_id = known[0]
            found = by_code.get(row.org_code.casefold()) if row.org_code else None
            found = found or existing.get((district_id, name_key(row.organization)))
            if found is None:
                inserts.append((district_id, row.organization, row.sector, row.members, fresh_code(codes),
                                row.org_code, row.chair_deputy, row.chair_council, row.chair_elected, stamp, stamp))
                summary.added.append((row.district, row.organization))
                continue
            seen.add(found["id"])
            moved = found["district_id"] != district_id
            renamed = name_key(found["name"]) != name_key(row.organization)
            repaired = not renamed and repairs(found["name"], row.organization)
            if moved:
                summary.moved.append((row.organization, found["district"], row.district))
            elif renamed:
                summary.renamed.append((row.district, found["name"], row.organization))
            if found["archived_at"] is not None:
                summary.restored.append((row.district, row.organization))
            if moved or renamed or repaired or found["archived_at"] is not None or _facts_changed(found, row) or (
                    row.org_code and found["org_code"] != row.org_code):
                name = row.organization if renamed or repaired else found["name"]
                updates.append((district_id, name, row.sector, row.members, row.org_code,
                                row.chair_deputy, row.chair_council, row.chair_elected, stamp, found["id"]))
                if not (moved or renamed):
                    summary.changed.append((row.district, row.organization))
            else:
                summary.unchanged += 1
        await tx.executemany("UPDATE districts SET name = ? WHERE id = ?", repaired_districts)
        await tx.executemany(
            "INSERT INTO organizations(district_id, name, sector, members, invite_code, org_code, chair_deputy, "
            "chair_council, chair_elected, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)", inserts)
        await tx.executemany(
            "UPDATE organizations SET district_id = ?, name = ?, sector = ?, members = ?, "
            "org_code = COALESCE(?, org_code), chair_deputy = COALESCE(?, chair_deputy), "
            "chair_council = COALESCE(?, chair_council), chair_elected = COALESCE(?, chair_elected), "
            "archived_at = NULL, updated_at = ? WHERE id = ?", updates)
        await tx.execute("UPDATE districts SET archived_at = NULL WHERE archived_at IS NOT NULL AND id IN "
                         "(SELECT district_id FROM organizations WHERE archived_at IS NULL)")
        summary.absent = [(r["id"], r["district"], r["name"]) for r in everyone
                          if r["id"] not in seen and r["archived_at"] is None]
        if archive_missing and summary.absent:
            await archive(tx, [org_id for org_id, _d, _o in summary.absent], now, summary)
    return summary


async def archive(tx: Tx, org_ids: list[int], now: datetime, summary: ApplySummary) -> None:
    """Archive organizations, and their districts once no organization of theirs is left."""
    stamp = iso(now)
    await tx.executemany("UPDATE organizations SET archived_at = ?, updated_at = ? WHERE id = ? "
                         "AND archived_at IS NULL", [(stamp, stamp, org_id) for org_id in org_ids])
    summary.archived = [(d, o) for _i, d, o in summary.absent if _i in set(org_ids)]
    emptied = await tx.fetchall(
        "SELECT id, name FROM districts d WHERE archived_at IS NULL AND NOT EXISTS "
        "(SELECT 1 FROM organizations o WHERE o.district_id = d.id AND o.archived_at IS NULL) ORDER BY name")
    await tx.executemany("UPDATE districts SET archived_at = ? WHERE id = ?", [(stamp, r["id"]) for r in emptied])
    summary.districts_archived = [r["name"] for r in emptied]


async def archive_orgs(db: Database, org_ids: list[int], now: datetime) -> ApplySummary:
    """Archive the given organizations (the chat's confirm button after an upload)."""
    summary = ApplySummary()
    async with db.transaction() as tx:
        await tx.lock("roster")
        rows = await tx.fetchall(
            "SELECT o.id, d.name, o.name FROM organizations o JOIN districts d ON d.id = o.district_id "
            f"WHERE o.archived_at IS NULL AND o.id IN ({json_ints(db.dialect, '?')})", (json.dumps(org_ids),))
        summary.absent = [(r[0], r[1], r[2]) for r in rows]
        await archive(tx, [r[0] for r in rows], now, summary)
    return summary
