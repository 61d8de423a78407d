"""The weekly digest's picture: the open month's progress by district against the due date, and the
six-month trend of the key figures (like-for-like chain index). PNG, drawn with matplotlib.

Every text on the picture is made here on the event loop, in the current gettext locale, into a
ChartSpec of plain strings and numbers; `draw` turns a spec into PNG bytes in a worker thread
(`asyncio.to_thread`): matplotlib is imported there, on an Agg canvas (no GUI backend) and its own DejaVu Sans,
which covers Cyrillic and the Kazakh letters, so nothing depends on the system's fonts or the network.
"""
from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from aiogram.utils.i18n import gettext as _
from babel.numbers import format_decimal

from bot.config import Form
from bot.domain import dates
from bot.domain.calendar import ReportingCalendar
from bot.features.digest.service import Digest, locale_now, number, percent, share
from bot.features.digest.trends import KEY_FIGURES, chain_index, trend_months
from bot.form.kinds import kind_of

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DISTRICT_BARS = 20   # beyond, the districts most behind
FONT = "DejaVu Sans"
SIZE_INCHES = (8.0, 8.0)
DPI = 100


@dataclass(frozen=True)
class ChartSpec:
    locale: str
    progress_title: str
    progress_axis: str
    districts: list[str]
    shares: list[float]          # 0..100, filed of the district's organizations
    bar_labels: list[str]        # «4/6» beside each bar
    elapsed: float | None        # 0..100: how much of the time from opening to the due date has passed
    elapsed_label: str
    trend_title: str
    trend_axis: str
    months: list[str]
    series: list[tuple[str, list[float | None]]]

    def texts(self) -> list[str]:
        """Every text the picture shows (tests check their language)."""
        return [self.progress_title, self.progress_axis, *self.districts, *self.bar_labels, self.elapsed_label,
                self.trend_title, self.trend_axis, *self.months, *(label for label, _values in self.series)]


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


def figure_of(spec: ChartSpec) -> Figure:
    """The picture of a spec on an Agg canvas. Runs in a worker thread: no gettext, no event loop."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    figure = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    figure.set_facecolor("white")
    bars, trend = figure.subplots(2, 1, height_ratios=[max(2, len(spec.districts)) / 2 + 1, 3])
    positions = list(range(len(spec.districts)))
    bars.barh(positions, spec.shares, color="#2e7d32")
    bars.set_yticks(positions, spec.districts, fontfamily=FONT, fontsize=9)
    bars.set_xlim(0, 100)
    bars.set_title(spec.progress_title, fontfamily=FONT, fontsize=10, loc="left")
    bars.set_xlabel(spec.progress_axis, fontfamily=FONT, fontsize=9)
    for y, (value, label) in enumerate(zip(spec.shares, spec.bar_labels, strict=True)):
        bars.text(min(value, 88) + 1, y, label, va="center", fontfamily=FONT, fontsize=8)
    if spec.elapsed is not None:
        bars.axvline(spec.elapsed, color="#c62828", linestyle="--", linewidth=1, label=spec.elapsed_label)
        bars.legend(loc="lower right", prop={"family": FONT, "size": 8})
    number_format = FuncFormatter(lambda value, _pos: format_decimal(round(value), locale=spec.locale))
    bars.xaxis.set_major_formatter(number_format)

    steps = list(range(len(spec.months)))
    for label, values in spec.series:
        trend.plot(steps, [float("nan") if v is None else v for v in values], marker="o", label=label)
    trend.set_xticks(steps, spec.months, fontfamily=FONT, fontsize=8)
    trend.set_title(spec.trend_title, fontfamily=FONT, fontsize=10, loc="left")
    trend.set_ylabel(spec.trend_axis, fontfamily=FONT, fontsize=9)
    trend.yaxis.set_major_formatter(number_format)
    trend.grid(True, alpha=0.3)
    if spec.series:
        trend.legend(loc="best", prop={"family": FONT, "size": 8})
    return figure


def draw(spec: ChartSpec) -> bytes:
    """The PNG of a spec."""
    buffer = io.BytesIO()
    figure_of(spec).savefig(buffer, format="png")
    return buffer.getvalue()


async def digest_chart(digest: Digest, form: Form, calendar: ReportingCalendar) -> bytes:
    """The digest's PNG in the current locale, drawn off the event loop."""
    return await asyncio.to_thread(draw, chart_spec(digest, form, calendar))
