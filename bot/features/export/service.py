"""Export a month's reports: for /export in the chat and for `bastau export`."""
from __future__ import annotations

import asyncio
import sys
from datetime import UTC, tzinfo
from pathlib import Path

from aiogram.utils.i18n import I18n

from bot.config import Form, Settings
from bot.domain.calendar import Month, ReportingCalendar
from bot.domain.clock import Clock
from bot.features.export.workbook import export_file, file_name
from db.repos import Repos


async def export_month(repos: Repos, form: Form, i18n: I18n, locale: str, month: Month,
                       district_id: int | None, as_csv: bool, region_id: int | None = None,
                       tz: tzinfo = UTC) -> tuple[bytes, str]:
    """The file and its name, for the whole deployment (both None), one region or one district; times in `tz`."""
    rows = await repos.reports.export_rows(str(month), district_id, region_id)
    district = await repos.orgs.district_name(district_id) if district_id else None
    if district is None and region_id:
        district = await repos.orgs.region_name(region_id)
    # Building a workbook of thousands of rows is slow: not on the event loop.
    data = await asyncio.to_thread(export_file, rows, form, locale,
                                   lambda msgid: i18n.gettext(msgid, locale=locale), as_csv, str(month), tz)
    return data, file_name(str(month), district, as_csv)


def export_months(calendar: ReportingCalendar, clock: Clock, count: int = 4) -> list[Month]:
    """The open month and the few before it, newest first."""
    months = [calendar.open_month(clock.now())]
    while len(months) < count:
        months.append(months[-1].prev())
    return months


async def export_command(config: Settings, month_text: str, output: Path, as_csv: bool, district: str | None,
                         locale: str | None, region: str | None = None) -> int:
    """`bastau export`: the same file an admin gets from /export, written to `output`."""
    from bot.i18n import make_i18n
    from db import open_database

    try:
        month = Month.parse(month_text)
    except ValueError:
        print(f"--month must look like 2026-10, not {month_text!r}", file=sys.stderr)
        return 2
    db = await open_database(config.database_url)
    try:
        repos = Repos(db)
        region_id = await repos.orgs.region_by_name(region) if region else None
        if region and region_id is None:
            print(f"no region named {region!r}", file=sys.stderr)
            return 2
        district_id = await repos.orgs.district_by_name(district, region) if district else None
        if district and district_id is None:
            print(f"no district named {district!r}" + (f" in {region!r}" if region else
                                                       " (or it is in several regions: add --region)"),
                  file=sys.stderr)
            return 2
        data, _name = await export_month(repos, config.form, make_i18n(default_locale=config.bot.default_locale),
                                         locale or config.bot.default_locale, month, district_id, as_csv,
                                         None if district_id else region_id, config.calendar.tz)
    finally:
        await db.close()
    await asyncio.to_thread(output.write_bytes, data)
    print(f"{output}: {month}, {district or region or 'whole branch'}, {len(data)} bytes")
    return 0
