"""The weekly digest's picture: the open month's progress by district against the due date, and the
six-month trend of the key figures (like-for-like chain index). PNG, drawn with matplotlib.

Every text on the picture is made here on the event loop, in the current gettext locale, into a
ChartSpec of plain strings and numbers; a child process turns it into PNG bytes with matplotlib
(bot/features/digest/drawing.py), so the bot itself never imports matplotlib.
"""
from __future__ import annotations

import asyncio
import sys
from datetime import date

from aiogram.utils.i18n import gettext as _

from bot.config import Form
from bot.domain import dates
from bot.domain.calendar import ReportingCalendar
from bot.features.digest.drawing import ChartSpec
from bot.features.digest.service import Digest, locale_now, number, percent, share
from bot.features.digest.trends import KEY_FIGURES, chain_index, trend_months
from bot.form.kinds import kind_of

DISTRICT_BARS = 20   # beyond, the districts most behind


def _elapsed(calendar: ReportingCalendar, digest: Digest) -> float | None:
    opens: date = calendar.opens_on(digest.open_month)
    span = (digest.due - opens).days
    if span <= 0:
        return None
    return max(0.0, min(100.0, 100 * (digest.today - opens).days / span))


def chart_spec(digest: Digest, form: Form, calendar: ReportingCalendar) -> ChartSpec:
    """The picture's texts and numbers, in the current locale."""
    locale = locale_now()
    progress = sorted(digest.progress, key=lambda p: (share(p.submitted, p.total) or 0, p.district))
    progress = progress[:DISTRICT_BARS][::-1]  # barh draws the first at the bottom: the most behind on top
    total = sum(p.total for p in digest.progress)
    submitted = sum(p.submitted for p in digest.progress)
    months = trend_months(digest.closed.month)
    keys = [f for f in form.fields if kind_of(f).numeric][:KEY_FIGURES]
    series = [(f.label.get(locale), chain_index(digest.trends, months, f.key)) for f in keys]
    starts = [values.index(100.0) for _label, values in series if 100.0 in values]
    first = months[min(starts)] if starts else months[0]
    return ChartSpec(
        locale=locale,
        progress_title=_("Report for {month}: filed {submitted} of {total} ({percent}) · deadline {due}").format(
            month=dates.month_in_text(digest.open_month, locale), submitted=number(submitted), total=number(total),
            percent=percent(share(submitted, total)), due=dates.day(digest.due, locale)),
        progress_axis=_("Filed, % of the district's organizations"),
        districts=[p.district for p in progress],
        shares=[100 * (share(p.submitted, p.total) or 0) for p in progress],
        bar_labels=[f"{number(p.submitted)}/{number(p.total)}" for p in progress],
        elapsed=_elapsed(calendar, digest),
        elapsed_label=_("time passed until the deadline"),
        trend_title=_("Six months, the same organizations month to month ({first} = 100)").format(
            first=dates.month_axis(first, locale)),
        trend_axis=_("Index"),
        months=[dates.month_axis(m, locale) for m in months],
        series=series,
    )


async def draw_in_child(spec: ChartSpec) -> bytes:
    """The PNG of a spec, drawn by a child process (bot/features/digest/drawing.py)."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.features.digest.drawing", stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    png, errors = await child.communicate(spec.to_json().encode())
    if child.returncode != 0:
        raise RuntimeError(f"the chart could not be drawn: {errors.decode(errors='replace')[-300:]}")
    return png


async def digest_chart(digest: Digest, form: Form, calendar: ReportingCalendar) -> bytes:
    """The digest's PNG in the current locale."""
    return await draw_in_child(chart_spec(digest, form, calendar))
