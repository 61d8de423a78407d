"""A month's reports as a workbook (XLSX, openpyxl write-only) or CSV, in the admin's language.

Sheets: one row per organization of the scope (a column per form field, who filed it), a summary per
region and district with the organizations' profile facts, and the organizations that have not
reported with their chairs' contacts.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.config import Form, FormField
from bot.domain.text import safe_cell
from bot.form.kinds import kind_of
from bot.i18n import N_
from db.queries.reports import ExportRow

if TYPE_CHECKING:
    pass

Translate = Callable[[str], str]

STATUS_SUBMITTED = N_("submitted on time")
STATUS_LATE = N_("submitted late")
STATUS_MISSING = N_("not submitted")
TOTAL = N_("Total")
SUBMITTED_BY = N_("Submitted by")
REGION = N_("Region")
PROFILE = N_("Profile of the organizations")


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
    """One answer as a spreadsheet cell: numbers stay numbers, options become their labels."""
    if value is None:
        return None
    return kind_of(field).cell(field, value, locale)


def report_sheet(rows: list[ExportRow], form: Form, locale: str, _: Translate) -> Sheet:
    """The chair columns are today's chair; «Submitted by» who filed the report, as named then."""
    header = [_("District"), _("Organization"), _("Chair"), _("Phone"), _("Status")]
    header += [f.label.get(locale) for f in form.fields] + [_(SUBMITTED_BY), _(REGION)]
    out = []
    for row in rows:
        answers = row.answers or {}
        out.append([row.district, row.organization, row.chair_name, row.chair_phone, _(status_of(row))]
                   + [cell_value(f, answers.get(f.key), locale) for f in form.fields]
                   + [row.submitted_name if row.answers is not None else None, row.region])
    return Sheet(_("Reports"), header, out)


def summary_sheet(rows: list[ExportRow], form: Form, locale: str, _: Translate, month: str) -> Sheet:
    numeric = [f for f in form.fields if kind_of(f).numeric]
    header = [_("District"), _("Organizations in total"), _("Reports submitted"), _("Of them late"),
              _("Not submitted")]
    header += [f.label.get(locale) for f in numeric]
    by_district: dict[str, list[Any]] = {}
    for row in rows:
        line = by_district.setdefault(row.district, [row.district, 0, 0, 0, 0] + [0] * len(numeric))
        line[1] += 1
        if row.answers is None:
            line[4] += 1
            continue
        line[2] += 1
        line[3] += int(row.late)
        for i, f in enumerate(numeric, start=5):
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


def build_sheets(rows: list[ExportRow], form: Form, locale: str, translate: Translate, month: str) -> list[Sheet]:
    return [report_sheet(rows, form, locale, translate), summary_sheet(rows, form, locale, translate, month),
            missing_sheet(rows, translate)]


def to_xlsx(sheets: list[Sheet]) -> bytes:
    from openpyxl import Workbook  # imported by the first export, not at start-up

    workbook = Workbook(write_only=True)
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.title[:31])
        ws.append(sheet.header)
        for row in sheet.rows:
            ws.append([safe_cell(v, ws) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_csv(sheet: Sheet) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(sheet.header)
    writer.writerows([safe_cell(v) for v in row] for row in sheet.rows)
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def export_file(rows: list[ExportRow], form: Form, locale: str, translate: Translate, as_csv: bool,
                month: str) -> bytes:
    sheets = build_sheets(rows, form, locale, translate, month)
    return to_csv(sheets[0]) if as_csv else to_xlsx(sheets)


def file_name(month: str, district: str | None, as_csv: bool) -> str:
    scope = f"-{district}" if district else ""
    return f"bastau-{month}{scope}.{'csv' if as_csv else 'xlsx'}"
