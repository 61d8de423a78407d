"""The digest's picture drawn from a ChartSpec (plain strings and numbers made by chart.py) with
matplotlib, on an Agg canvas and matplotlib's own DejaVu Sans (Cyrillic and the Kazakh letters), so
nothing depends on the system's fonts or the network.

The bot draws in a child process (`python -m bot.features.digest.drawing`, the spec as JSON on
stdin, the PNG on stdout): matplotlib and its fonts would otherwise stay in the bot's memory for good
after the first digest. This module imports nothing of the bot, so the child starts light.
"""
from __future__ import annotations

import io
import json
import sys
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from babel.numbers import format_decimal

if TYPE_CHECKING:
    from matplotlib.figure import Figure

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


    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ChartSpec:
        data = json.loads(text)
        data["series"] = [(label, values) for label, values in data["series"]]
        return cls(**data)


def figure_of(spec: ChartSpec) -> Figure:
    """The picture of a spec on an Agg canvas: no gettext, no event loop."""
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



if __name__ == "__main__":
    sys.stdout.buffer.write(draw(ChartSpec.from_json(sys.stdin.read())))
