"""The weekly digest for an admin's scope: gathered from the stats queries, rendered in the
current gettext locale (labels from the form definition), split for Telegram's 4096 limit."""
from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from aiogram.utils.i18n import get_i18n, ngettext
from aiogram.utils.i18n import gettext as _
from babel import Locale
from babel.numbers import format_decimal, format_percent, parse_pattern

from bot.config import Form
from bot.domain import dates
from bot.domain.calendar import Month, ReportingCalendar
from bot.domain.text import split_message
from bot.features.digest.trends import gather_trends, like_for_like, same_orgs, trend_months
from bot.form.kinds import kind_of
from db.queries.dashboard import MonthFigures
from db.queries.stats import DistrictProgress, OrgStatus
from db.repos import Repos

# Branch-wide, the organizations that have not filed are named only when there are this few; beyond,
# the districts most behind (the full list is in /export). A district's digest always names them all.
NAMES_LIMIT = 30
DISTRICTS_SHOWN = 10


@dataclass(frozen=True)
class MonthTotals:
    month: Month
    reports: int
    totals: dict[str, int]
    options: dict[tuple[str, str], int]


@dataclass(frozen=True)
class Digest:
    today: date
    district: str | None  # None: the whole branch
    open_month: Month
    due: date
    progress: list[DistrictProgress]
    missing: list[OrgStatus]  # the organizations named (see NAMES_LIMIT); the counts are in progress
    closed: MonthTotals
    before_closed: MonthTotals
    trends: dict[str, MonthFigures]  # the six months up to `closed`, like-for-like with the month before each
    reviews: dict[str, int]           # the closed month's reports by review status
    region: str | None = None  # a region admin's region


# Gathering ---------------------------------------------------------------------------------
async def month_totals(repos: Repos, form: Form, month: Month, district_id: int | None,
                       region_id: int | None = None) -> MonthTotals:
    numeric = [f.key for f in form.fields if kind_of(f).numeric]
    multi = [f.key for f in form.fields if kind_of(f).counted_options]
    return MonthTotals(month, await repos.stats.report_count(str(month), district_id, region_id),
                       await repos.stats.numeric_totals(str(month), numeric, district_id, region_id),
                       await repos.stats.option_counts(str(month), multi, district_id, region_id))


async def gather_digest(repos: Repos, calendar: ReportingCalendar, form: Form, district_id: int | None,
                        now: datetime, region_id: int | None = None) -> Digest:
    """The digest of a scope: a district id, a region id, or neither for the whole branch."""
    open_month = calendar.open_month(now)
    closed = calendar.last_closed_month(now)
    district = None
    if district_id is not None:
        district = dict(await repos.orgs.districts()).get(district_id, "")
    region = await repos.orgs.region_name(region_id) if region_id is not None and district_id is None else None
    progress = await repos.stats.progress(str(open_month), district_id, region_id)
    not_filed = sum(p.missing for p in progress)
    named = not_filed and (district_id is not None or not_filed <= NAMES_LIMIT)
    return Digest(
        today=calendar.today(now), district=district, open_month=open_month, due=calendar.due_on(open_month),
        progress=progress,
        missing=await repos.stats.missing(str(open_month), district_id, region_id) if named else [],
        closed=await month_totals(repos, form, closed, district_id, region_id),
        before_closed=await month_totals(repos, form, closed.prev(), district_id, region_id),
        trends=await gather_trends(repos, form, closed, district_id, region_id),
        reviews=await repos.stats.review_counts(str(closed), district_id, region_id), region=region)


async def digest_messages(repos: Repos, calendar: ReportingCalendar, form: Form, district_id: int | None,
                          now: datetime, region_id: int | None = None) -> list[str]:
    """The digest of a scope in the current locale, split for Telegram (/digest, and the weekly job)."""
    digest = await gather_digest(repos, calendar, form, district_id, now, region_id)
    return split_message(render_digest(digest, form))


# Maths -------------------------------------------------------------------------------------
def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@cache
def _babel_locale(code: str) -> Locale:
    """Parsed once per language: a digest formats hundreds of numbers."""
    return Locale.parse(code)


_PERCENT = parse_pattern("#,##0.#%")


def locale_now() -> str:
    return get_i18n().current_locale


def _month(month: Month) -> str:
    """The month inside a sentence, in the current locale."""
    return dates.month_in_text(month, locale_now())


def number(value: int) -> str:
    return format_decimal(value, locale=_babel_locale(locale_now()))


def percent(fraction: float | None) -> str:
    return "—" if fraction is None else format_percent(fraction, _PERCENT, locale=_babel_locale(locale_now()))


# Rendering ---------------------------------------------------------------------------------
def render_digest(digest: Digest, form: Form) -> str:
    """Sections separated by blank lines; every line is complete HTML on its own."""
    return "\n\n".join(section for section in (
        _header(digest), _progress(digest), _missing(digest), _results(digest, form), _trend(digest, form),
        *_options(digest, form),
    ) if section)


def _header(digest: Digest) -> str:
    scope = html.escape(digest.district) if digest.district is not None else \
        html.escape(digest.region) if digest.region is not None else _("all districts")
    today = dates.day(digest.today, locale_now())
    return _("📊 <b>Weekly digest</b> · {scope} · {date}").format(scope=scope, date=today)


def _progress(digest: Digest) -> str:
    total = sum(p.total for p in digest.progress)
    submitted = sum(p.submitted for p in digest.progress)
    late = sum(p.late for p in digest.progress)
    lines = [
        _("<b>Report for {month}</b> (deadline: {due})").format(month=_month(digest.open_month),
                                                               due=dates.day(digest.due, locale_now())),
        _("Filed: {submitted} of {total} ({percent})").format(
            submitted=number(submitted), total=number(total), percent=percent(share(submitted, total))),
        _("On time: {on_time} · late: {late}").format(on_time=number(submitted - late), late=number(late)),
    ]
    if digest.district is None:
        lines.extend(_by_region(digest.progress))
        lines.append(_("<b>By district</b>"))
        lines.extend(_("{district}: filed {submitted} of {total} ({percent})").format(
            district=html.escape(p.district), submitted=number(p.submitted), total=number(p.total),
            percent=percent(share(p.submitted, p.total))) for p in digest.progress)
    return "\n".join(lines)


def _by_region(progress: list[DistrictProgress]) -> list[str]:
    """The branch's progress by region, when its districts are in more than one."""
    regions: dict[str, list[int]] = {}
    for p in progress:
        line = regions.setdefault(p.region or "—", [0, 0])
        line[0] += p.submitted
        line[1] += p.total
    if len(regions) < 2:
        return []
    return [_("<b>By region</b>")] + [f"{html.escape(name)}: {number(done)}/{number(total)} "
                                      f"({percent(share(done, total))})" for name, (done, total) in regions.items()]


def _missing(digest: Digest) -> str:
    count = sum(p.missing for p in digest.progress)
    if not count:
        return _("All organizations have filed the report.")
    lines = [_("<b>Not filed yet: {count}</b>").format(count=number(count))]
    if not digest.missing:
        return "\n".join(lines + _most_behind(digest.progress))
    for status in digest.missing:
        chair = html.escape(status.chair_name or "") if status.chair_id else _("no chair registered")
        where = f" ({html.escape(status.district)})" if digest.district is None else ""
        lines.append(f"• {html.escape(status.org_name)}{where} — {chair}")
    return "\n".join(lines)


def _most_behind(progress: list[DistrictProgress]) -> list[str]:
    """Too many organizations to name: the districts with the most of them, and where the list is."""
    behind = sorted((p for p in progress if p.missing), key=lambda p: (-p.missing, p.district))
    lines = [_("Districts where the most have not filed:")]
    lines.extend(_("• {district}: not filed {missing} of {total}").format(
        district=html.escape(p.district), missing=number(p.missing), total=number(p.total))
        for p in behind[:DISTRICTS_SHOWN])
    rest = len(behind) - DISTRICTS_SHOWN
    if rest > 0:
        lines.append(ngettext("… and {count} more district", "… and {count} more districts", rest).format(
            count=number(rest)))
    lines.append(_("The full list of organizations: /export"))
    return lines


def change(delta: int | None) -> str:
    """+12, −3, ±0, or — when there was nothing to compare."""
    if delta is None:
        return "—"
    sign = "+" if delta > 0 else "−" if delta < 0 else "±"
    return sign + number(abs(delta))


def _results(digest: Digest, form: Form) -> str:
    closed = digest.closed
    if not closed.reports:
        return _("No reports for {month}.").format(month=_month(closed.month))
    locale = locale_now()
    figures = digest.trends.get(str(closed.month))
    compared = same_orgs(figures, form)
    lines = [
        _("<b>Results for {month}</b>: reports filed: {count}").format(
            month=_month(closed.month), count=number(closed.reports)),
        _review_line(digest.reviews),
    ]
    if compared:
        lines.append(ngettext(
            "(in brackets: the change against {month} in the {count} organization that reported in both months)",
            "(in brackets: the change against {month} in the {count} organizations that reported in both months)",
            compared).format(month=_month(closed.month.prev()), count=number(compared)))
    for field in form.fields:
        if not kind_of(field).numeric:
            continue
        value = closed.totals.get(field.key, 0)
        line = f"{html.escape(field.label.get(locale))}: {number(value)}"
        if compared and figures is not None:
            line += f" ({change(like_for_like(figures.numbers.get(field.key)))})"
        if field.lte:
            whole_field = form.field(field.lte)
            other = whole_field.label.get(locale) if whole_field else field.lte
            line += " — " + _("{percent} of “{other}”").format(
                percent=percent(share(value, closed.totals.get(field.lte, 0))), other=html.escape(other))
        lines.append(line)
    return "\n".join(lines)


def _review_line(reviews: dict[str, int]) -> str:
    return _("Reviewed: accepted {accepted}, returned for correction {returned}, waiting {waiting}").format(
        accepted=number(reviews.get("accepted", 0)), returned=number(reviews.get("returned", 0)),
        waiting=number(reviews.get("submitted", 0)))


def _trend(digest: Digest, form: Form) -> str:
    """Per whole-number question, the like-for-like change of each of the six months against the one before."""
    months = trend_months(digest.closed.month)
    if not any(same_orgs(digest.trends.get(str(m)), form) for m in months):
        return ""
    locale = locale_now()
    lines = [_("<b>Six months</b>, {first} to {last}: each month's change against the month before, in the "
               "organizations that reported in both").format(first=_month(months[0]), last=_month(months[-1]))]
    for field in form.fields:
        if not kind_of(field).numeric:
            continue
        steps = []
        for month in months:
            figures = digest.trends.get(str(month))
            steps.append(change(like_for_like(figures.numbers.get(field.key)) if figures else None))
        lines.append(f"{html.escape(field.label.get(locale))}: " + " · ".join(steps))
    return "\n".join(lines)


def _options(digest: Digest, form: Form) -> Iterator[str]:
    closed = digest.closed
    if not closed.reports:
        return
    locale = locale_now()
    for field in form.fields:
        if not kind_of(field).counted_options:
            continue
        lines = [_("<b>{label}</b> (organizations)").format(label=html.escape(field.label.get(locale)))]
        lines.extend(f"{html.escape(option.label(locale))}: {number(closed.options.get((field.key, option.key), 0))}"
                     for option in field.options)
        yield "\n".join(lines)


