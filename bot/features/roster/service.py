"""Roster upload from the chat and invite codes, with localized validation reports."""
from __future__ import annotations

import asyncio
import csv
import io
import threading
from dataclasses import dataclass

from aiogram.utils.i18n import gettext as _

from bot.domain.audit import audit
from bot.domain.clock import Clock
from bot.domain.roles import Role
from bot.domain.text import safe_cell
from bot.features.roster import files as roster
from bot.features.roster.files import RosterError, parse_rows, read_csv, read_xlsx
from bot.i18n import N_
from db.database import Database
from db.queries.orgs import RosterRow, codes_csv
from db.queries.roster import ApplySummary, apply_rows
from db.repos import Repos

MAX_FILE_BYTES = 5 * 1024 * 1024

# The roster's reasons (English templates in bot/features/roster/files.py), marked here for translation.
REASONS = {
    roster.EMPTY_FILE: N_("the file is empty"),
    roster.BAD_HEADER: N_("the header must be {header}"),
    roster.BAD_COLUMNS: N_("expected {expected} columns, found {found}"),
    roster.EMPTY_REGION: N_("region is empty"),
    roster.EMPTY_DISTRICT: N_("district is empty"),
    roster.EMPTY_ORGANIZATION: N_("organization is empty"),
    roster.NAME_TOO_LONG: N_("a name is longer than {limit} characters"),
    roster.BAD_MEMBERS: N_("members must be a whole number, not «{value}»"),
    roster.DUPLICATE: N_("duplicate organization (first on line {first})"),
    roster.DUPLICATE_CODE: N_("duplicate org_code (first on line {first})"),
    roster.BAD_FLAG: N_("{column} must be yes or no (or empty), not «{value}»"),
    roster.BAD_ELECTED: N_("chair_elected must be a date as YYYY-MM-DD or YYYY-MM, not «{value}»"),
    roster.NO_ORGANIZATIONS: N_("no organizations in the file"),
    roster.NOT_UTF8: N_("the file is not UTF-8 text"),
    roster.NOT_XLSX: N_("the file is not a readable XLSX workbook"),
    roster.TOO_MANY_ROWS: N_("the file has more than {limit} rows; split it into several files"),
    roster.TOO_MANY_CELLS: N_("the file has more than {limit} cells; delete the unused columns"),
    roster.CELL_TOO_LONG: N_("a cell is longer than {limit} characters"),
    roster.CONTROL_CHARACTER: N_("a cell holds an invisible control character ({code}); type the cell again"),
    roster.BAD_CSV: N_("the line cannot be read as CSV (check the quotes)"),
    roster.XLSX_TOO_BIG: N_("the workbook is too large once unpacked (at most {limit} MB)"),
    roster.TOO_SLOW: N_("the file took too long to read (more than {seconds} seconds)"),
}


@dataclass(frozen=True)
class UploadResult:
    problems: list[str]              # localized "line N: reason"; nothing was applied when any
    summary: ApplySummary | None


def read_roster(file_name: str, data: bytes, stop: threading.Event | None = None) -> list[RosterRow]:
    return parse_rows(read_xlsx(data, stop) if file_name.lower().endswith(".xlsx") else read_csv(data, stop))


async def read_roster_bounded(file_name: str, data: bytes) -> list[RosterRow]:
    """`read_roster` in a worker thread, so that other users are answered meanwhile, for at most
    READ_SECONDS: then the thread is told to stop (it checks between rows) and the file is refused."""
    stop = threading.Event()
    try:
        return await asyncio.wait_for(asyncio.to_thread(read_roster, file_name, data, stop), roster.READ_SECONDS)
    except TimeoutError:
        stop.set()
        raise RosterError([(1, roster.TOO_SLOW, {"seconds": roster.READ_SECONDS})]) from None


def localized_problems(error: RosterError) -> list[str]:
    return [_("line {line}: {reason}").format(line=line, reason=_(REASONS.get(template, template)).format(**params))
            for line, template, params in error.reasons]


async def upload_roster(repos: Repos, clock: Clock, actor_id: int, role: Role, file_name: str,
                        data: bytes, default_region: str = "") -> UploadResult:
    try:
        rows = await read_roster_bounded(file_name, data)
    except RosterError as error:
        return UploadResult(localized_problems(error), None)
    summary = await apply_rows(repos.db, rows, clock.now(), default_region=default_region)
    await audit(repos.db, clock, actor_id, "roster.upload", f"file:{file_name}",
                {"rows": len(rows), "districts_added": len(summary.districts_added), "added": len(summary.added),
                 "changed": len(summary.changed), "unchanged": summary.unchanged, "renamed": len(summary.renamed),
                 "moved": len(summary.moved), "absent": len(summary.absent)}, role=role)
    return UploadResult([], summary)


async def safe_codes_csv(db: Database, district_id: int | None = None, region_id: int | None = None) -> str:
    """region,district,organization,code (and org_code) as CSV text, every cell made safe (a name that
    looks like a formula keeps a leading apostrophe, a character XLSX cannot hold is replaced): /codes
    and `bastau roster codes`."""
    rows = await _codes_rows(db, district_id, region_id)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([safe_cell(v) for v in row] for row in rows)
    return out.getvalue()


async def codes_files(repos: Repos, district_id: int | None, region_id: int | None = None) -> tuple[bytes, bytes]:
    """The invite codes of a scope as CSV and as XLSX, every cell made safe (in XLSX a name that looks
    like a formula is a text cell)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("codes")
    for row in await _codes_rows(repos.db, district_id, region_id):
        sheet.append([safe_cell(v, sheet) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return (await safe_codes_csv(repos.db, district_id, region_id)).encode("utf-8-sig"), buffer.getvalue()


async def _codes_rows(db: Database, district_id: int | None, region_id: int | None = None) -> list[list[str]]:
    return list(csv.reader(io.StringIO(await codes_csv(db, district_id, region_id))))
