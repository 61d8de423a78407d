"""Honest changes for the digest: a month is compared with the month before only over the organizations
that reported in both (like-for-like), so a report that is missing in one month does not read as members
leaving. The figures come from db/queries/dashboard.py (kept in memory between digests)."""
from __future__ import annotations

from bot.config import Form
from bot.domain.calendar import Month
from bot.form.kinds import kind_of
from db.queries.dashboard import MonthFigures, NumberPoint
from db.repos import Repos

TREND_MONTHS = 6
KEY_FIGURES = 3  # the chart draws the form's first whole-number questions


def number_keys(form: Form) -> list[str]:
    return [f.key for f in form.fields if kind_of(f).numeric]


def trend_months(closed: Month) -> list[Month]:
    """The TREND_MONTHS months up to `closed`, oldest first."""
    months = [closed]
    while len(months) < TREND_MONTHS:
        months.append(months[-1].prev())
    return months[::-1]


async def gather_trends(repos: Repos, form: Form, closed: Month, district_id: int | None,
                        region_id: int | None = None) -> dict[str, MonthFigures]:
    """month -> its figures, each compared like-for-like with the month before, for the six months up to
    `closed` in the scope (a district, a region, or neither: the whole branch)."""
    keys = number_keys(form)
    await repos.stats.ensure_tallied("number", keys)
    pairs = [(str(m), str(m.prev())) for m in trend_months(closed)]
    return await repos.figures.figures(pairs, keys, [], district_id, region_id)


def like_for_like(point: NumberPoint | None) -> int | None:
    """The change against the month before over the organizations that answered in both; None when none did."""
    if point is None or not point.same_orgs:
        return None
    return point.same_now - point.same_before


def same_orgs(figures: MonthFigures | None, form: Form) -> int:
    """How many organizations the month's changes compare (those that answered in both months)."""
    if figures is None:
        return 0
    return max((figures.numbers[k].same_orgs for k in number_keys(form) if k in figures.numbers), default=0)


def chain_index(figures: dict[str, MonthFigures], months: list[Month], key: str) -> list[float | None]:
    """A chain index of the same organizations month to month: 100 in the month before the first month that
    can be compared with its predecessor, then each month's like-for-like ratio applied in turn. None before
    the chain starts, and from a month with nothing to compare on (the chain breaks there)."""
    out: list[float | None] = [None] * len(months)
    for i, month in enumerate(months[1:], start=1):
        point = figures.get(str(month), MonthFigures(0, {}, {}, 0)).numbers.get(key)
        comparable = point is not None and point.same_orgs > 0 and point.same_before > 0
        started = any(v is not None for v in out[:i])
        if not comparable or point is None:
            if started:
                break
            continue
        previous = out[i - 1]
        if previous is None:
            if started:
                break
            previous = out[i - 1] = 100.0
        out[i] = previous * point.same_now / point.same_before
    return out
