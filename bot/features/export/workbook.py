"""A month's reports as a workbook (XLSX, openpyxl write-only) or CSV, in the admin's language.

Sheets: one row per organization of the scope (a column per form field, who filed it), a summary per
region and district with the organizations' profile facts, and the organizations that have not
reported with their chairs' contacts. Rows in Kazakh alphabetical order (bot/domain/collation.py);
each sheet's header row frozen with an autofilter, columns sized to their contents. Photos are
counted, not linked: the Bot API's only file address (api.telegram.org/file/bot<token>/...) carries
the bot's token and lasts about an hour, so a link in a file that is passed around would hand out the
token; the Mini App shows the photos instead. The CSV (the first sheet) is split by «;» and starts
with a UTF-8 BOM, as Excel in a Russian locale reads it.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from bot.config import Form, FormField
from bot.domain.collation import collation_key
from bot.domain.text import safe_cell
from bot.form.kinds import kind_of
from bot.i18n import N_
from db.queries.reports import ExportRow

Translate = Callable[[str], str]

STATUS_SUBMITTED = N_("submitted on time")
STATUS_LATE = N_("submitted late")
STATUS_MISSING = N_("not submitted")
TOTAL = N_("Total")
SUBMITTED_BY = N_("Submitted by")
REGION = N_("Region")
PROFILE = N_("Profile of the organizations")
REVIEWS = {"submitted": N_("waiting for review"), "accepted": N_("accepted"), "returned": N_("returned for correction")}
WIDTH_MIN, WIDTH_MAX = 8, 50


@dataclass(frozen=True)
class Sheet:
    title: str
    header: list[str]
    rows: list[list[Any]]


def status_of(row: ExportRow) -> str:
    if row.answers is None:
        return STATUS_MISSING
    return STATUS_LATE if row.late else STATUS_SUBMITTED


def cell_value(field: FormField, value: Any, locale: str) -> Any:
    """One answer as a spreadsheet cell: numbers stay numbers, options become their labels (in the form's
    order, whatever order they were chosen in)."""
    if value is None:
        return None
    if field.options and isinstance(value, list):
        order = {o.key: i for i, o in enumerate(field.options)}
        value = sorted(value, key=lambda k: order.get(k, len(order)))
    return kind_of(field).cell(field, value, locale)


def submitted_at(row: ExportRow, tz: tzinfo) -> datetime | None:
    """The first submission's local time, without a zone (spreadsheets keep none)."""
    if not row.submitted_at:
        return None
    return datetime.fromisoformat(row.submitted_at).astimezone(tz).replace(tzinfo=None, microsecond=0)


def sorted_rows(rows: list[ExportRow]) -> list[ExportRow]:
    return sorted(rows, key=lambda r: (collation_key(r.region or ""), collation_key(r.district),
                                       collation_key(r.organization)))


def report_sheet(rows: list[ExportRow], form: Form, locale: str, _: Translate, tz: tzinfo) -> Sheet:
    """The chair columns are today's chair; «Submitted by» who filed the report, as named then."""
    header = [_("District"), _("Organization"), _("Chair"), _("Phone"), _("Status"), _("Review"),
              _("Submitted at"), _(SUBMITTED_BY)]
    header += [f.label.get(locale) for f in form.fields] + [_(REGION)]
    out = []
    for row in rows:
        answers = row.answers or {}
        filed = row.answers is not None
        review = _(REVIEWS[row.review]) if filed and row.review in REVIEWS else None
        out.append([row.district, row.organization, row.chair_name, row.chair_phone, _(status_of(row)), review,
                    submitted_at(row, tz), row.submitted_name if filed else None]
                   + [cell_value(f, answers.get(f.key), locale) for f in form.fields] + [row.region])
    return Sheet(_("Reports"), header, out)


def summary_sheet(rows: list[ExportRow], form: Form, locale: str, _: Translate, month: str) -> Sheet:
    numeric = [f for f in form.fields if kind_of(f).numeric]
    header = [_("District"), _("Organizations in total"), _("Reports submitted"), _("Of them late"),
              _("Accepted reports"), _("Returned for correction"), _("Not submitted")]
    header += [f.label.get(locale) for f in numeric]
    by_district: dict[str, list[Any]] = {}
    for row in rows:
        line = by_district.setdefault(row.district, [row.district, 0, 0, 0, 0, 0, 0] + [0] * len(numeric))
        line[1] += 1
        if row.answers is None:
            line[6] += 1
            continue
        line[2] += 1
        line[3] += int(row.late)
        line[4] += int(row.review == "accepted")
        line[5] += int(row.review == "returned")
        for i, f in enumerate(numeric, start=7):
            value = row.answers.get(f.key)
            if isinstance(value, int):
                line[i] += value
    lines = list(by_district.values())
    total = [_(TOTAL)] + [sum(line[i] for line in lines) for i in range(1, len(header))]
    return Sheet(_("Summary"), header, [*region_lines(rows, lines, _), *lines, total, [],
                                        *profile_lines(rows, month, _)])


def region_lines(rows: list[ExportRow], lines: list[list[Any]], _: Translate) -> list[list[Any]]:
    """The branch's summary by region first, when the scope spans more than one."""
    region_of = {row.district: row.region or "—" for row in rows}
    by_region: dict[str, list[Any]] = {}
    for line in lines:
        name = region_of.get(line[0], "—")
        into = by_region.setdefault(name, [_("Region: {region}").format(region=name)] + [0] * (len(line) - 1))
        for i in range(1, len(line)):
            into[i] += line[i]
    return list(by_region.values()) if len(by_region) > 1 else []


def profile_lines(rows: list[ExportRow], month: str, _: Translate) -> list[list[Any]]:
    """The facts the branch reports upward: the chairs' offices, recent elections, the sectors."""
    total = len(rows)

    def line(label: str, count: int) -> list[Any]:
        return [label, count, round(100 * count / total, 1) if total else None]

    year_ago = f"{int(month[:4]) - 1}{month[4:7]}"
    out = [[_(PROFILE), _("Organizations"), _("Share, %")],
           line(_("Chairs who are maslikhat deputies"), sum(bool(r.chair_deputy) for r in rows)),
           line(_("Chairs who are Public Council members"), sum(bool(r.chair_council) for r in rows)),
           line(_("Chairs elected in the last 12 months"),
                sum(bool(r.chair_elected) and year_ago < (r.chair_elected or "")[:7] <= month for r in rows))]
    sectors: dict[str, int] = {}
    for row in rows:
        sectors[row.sector or "—"] = sectors.get(row.sector or "—", 0) + 1
    out += [line(_("Sector: {sector}").format(sector=name), n) for name, n in sorted(sectors.items())]
    return out


def missing_sheet(rows: list[ExportRow], _: Translate) -> Sheet:
    return Sheet(_("Not submitted"), [_("District"), _("Organization"), _("Chair"), _("Phone")],
                 [[r.district, r.organization, r.chair_name, r.chair_phone] for r in rows if r.answers is None])


def build_sheets(rows: list[ExportRow], form: Form, locale: str, translate: Translate, month: str,
                 tz: tzinfo = UTC) -> list[Sheet]:
    rows = sorted_rows(rows)
    return [report_sheet(rows, form, locale, translate, tz), summary_sheet(rows, form, locale, translate, month),
            missing_sheet(rows, translate)]


def _width(values: list[Any]) -> float:
    longest = max((len(v.strftime("%Y-%m-%d %H:%M")) if isinstance(v, datetime) else len(str(v))
                   for v in values if v is not None), default=0)
    return float(min(WIDTH_MAX, max(WIDTH_MIN, longest + 2)))


def to_xlsx(sheets: list[Sheet]) -> bytes:
    from openpyxl import Workbook  # imported by the first export, not at start-up
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.title[:31])
        ws.freeze_panes = "C2" if len(sheet.header) > 2 else "A2"  # the header, and the names beside the figures
        last = get_column_letter(len(sheet.header))
        ws.auto_filter.ref = f"A1:{last}{len(sheet.rows) + 1}"
        for index in range(len(sheet.header)):
            # The longest of the header and the first rows: enough to judge without reading every cell.
            sample = [sheet.header[index], *(row[index] for row in sheet.rows[:500] if index < len(row))]
            ws.column_dimensions[get_column_letter(index + 1)].width = _width(sample)
        ws.append(sheet.header)
        for row in sheet.rows:
            ws.append([safe_cell(v, ws) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_csv(sheet: Sheet) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(sheet.header)
    writer.writerows([safe_cell(v) for v in row] for row in sheet.rows)
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def export_file(rows: list[ExportRow], form: Form, locale: str, translate: Translate, as_csv: bool,
                month: str, tz: tzinfo = UTC) -> bytes:
    sheets = build_sheets(rows, form, locale, translate, month, tz)
    return to_csv(sheets[0]) if as_csv else to_xlsx(sheets)


def file_name(month: str, district: str | None, as_csv: bool) -> str:
    """bastau-2026-11-Сайрам_ауданы.xlsx: no spaces, nothing a file system refuses."""
    scope = "-" + re.sub(r"[\s/\\:*?\"<>|]+", "_", district).strip("_") if district else ""
    return f"bastau-{month}{scope}.{'csv' if as_csv else 'xlsx'}"
