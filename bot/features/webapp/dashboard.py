"""What the dashboard shows, as JSON-ready dicts: progress of a month, trends, an organization, a report.

Every function takes the viewer's scope (`district_id`: None for the whole branch) already checked by
the caller; texts are rendered in the current gettext locale (the API sets the viewer's).
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from bot.config import Form, FormField
from bot.domain import dates
from bot.domain.calendar import Month
from bot.features.webapp.order import kazakh_key
from bot.features.webapp.texts import deadline_text
from db.queries.dashboard import DashboardRepo, NumberPoint, ReportRow
from db.queries.orgs import Organization
from db.queries.stats import OrgStatus

if TYPE_CHECKING:
    from bot.context import AppContext

TREND_MONTHS = 12
MISSING_SHOWN = 300  # the page lists this many missing organizations; the districts' drill-down has them all
COUNTS = ("organizations", "submitted", "late", "missing", "returned", "accepted")  # per district and region
REMIND_NOW = "remind-now"  # sent_log kind of «Remind now»: one per organization (recipient) and day (period)


def locale_now() -> str:
    return get_i18n().current_locale


def month_json(month: Month) -> dict[str, str]:
    """«2026-11» with its label («2026 жылғы қараша», «ноябрь 2026») and as inside a sentence."""
    locale = locale_now()
    return {"month": str(month), "label": dates.month(month, locale), "in_text": dates.month_in_text(month, locale)}


def recent_months(app: AppContext, count: int = TREND_MONTHS) -> list[Month]:
    """The open month and the ones before it, oldest first."""
    months = [app.calendar.open_month(app.clock.now())]
    while len(months) < count:
        months.append(months[-1].prev())
    return months[::-1]


def _missing_json(status: OrgStatus, reminded: set[int]) -> dict[str, Any]:
    return {"org_id": status.org_id, "organization": status.org_name, "district": status.district,
            "chair": status.chair_name if status.chair_id is not None else None,
            "phone": status.chair_phone if status.chair_id is not None else None,
            "can_remind": status.chair_id is not None and status.chair_active,
            "reminded_today": status.org_id in reminded}


async def progress(app: AppContext, dashboard: DashboardRepo, month: Month, district_id: int | None,
                   region_id: int | None = None) -> dict[str, Any]:
    """The month's progress by district (with the review: reports returned for correction, accepted), the
    deadline and the organizations still missing (of one region when `region_id` is given)."""
    now = app.clock.now()
    today = app.calendar.today(now)
    due = app.calendar.due_on(month)
    rows = sorted(await app.repos.stats.progress(str(month), district_id, region_id),
                  key=lambda p: kazakh_key(p.district))
    missing = sorted(await dashboard.missing_first(str(month), district_id, MISSING_SHOWN, region_id),
                     key=lambda s: (kazakh_key(s.district), kazakh_key(s.org_name)))
    reminded = await app.repos.sent.taken(REMIND_NOW, today.isoformat(), str(month), now)
    reviews = await dashboard.reviews(str(month), district_id, region_id)
    districts = [{"region": p.region, "district": p.district, "district_id": p.district_id,
                  "organizations": p.total, "submitted": p.submitted, "late": p.late, "missing": p.missing,
                  "returned": reviews.get(p.district_id, (0, 0))[0], "accepted": reviews.get(p.district_id, (0, 0))[1]}
                 for p in rows]
    return {
        **month_json(month),
        "open": month == app.calendar.open_month(now),
        "due": due.isoformat(), "due_label": dates.day(due, locale_now()), "days_left": (due - today).days,
        "deadline": deadline_text(due, today),
        "districts": districts,
        "regions": _by_region(districts),
        "missing_total": sum(p.missing for p in rows),
        "missing_orgs": [_missing_json(s, reminded) for s in missing],
    }


def _by_region(districts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The districts' counts summed per region (None: districts of no region), by region name."""
    regions: dict[str | None, dict[str, Any]] = {}
    for d in districts:
        total = regions.setdefault(d["region"], {"region": d["region"], **dict.fromkeys(COUNTS, 0)})
        for key in COUNTS:
            total[key] += d[key]
    return sorted(regions.values(), key=lambda r: kazakh_key(r["region"] or ""))


async def organizations(app: AppContext, dashboard: DashboardRepo, month: Month, district_id: int | None,
                        districts: frozenset[int] | None = None) -> dict[str, Any]:
    """Every organization of the scope with its status for the month (the drill-down of a district);
    `districts`: only those of these districts (a region admin's)."""
    now = app.clock.now()
    statuses = sorted((s for s in await dashboard.statuses(str(month), district_id)
                       if districts is None or s.district_id in districts),
                      key=lambda s: (kazakh_key(s.district), kazakh_key(s.org_name)))
    reminded = await app.repos.sent.taken(REMIND_NOW, app.calendar.today(now).isoformat(), str(month), now)
    return {**month_json(month), "open": month == app.calendar.open_month(now), "organizations": [
        {**_missing_json(s, reminded), "status": ("late" if s.late else "on_time") if s.submitted else "missing"}
        for s in statuses]}


def _change(now: int, before: int) -> float | None:
    return round(100 * (now - before) / before, 1) if before else None


async def trends(app: AppContext, dashboard: DashboardRepo, district_id: int | None,
                 region_id: int | None = None) -> dict[str, Any]:
    """12 months of every whole-number field (totals, and like-for-like against the month before)
    and of the multiple-choice fields (organizations per option: project participation)."""
    months = recent_months(app)
    names = [str(m) for m in months]
    form: Form = app.config.form
    locale = locale_now()
    numeric = [f for f in form.fields if f.type == "int"]
    multi = [f for f in form.fields if f.type == "multi"]
    await app.repos.stats.ensure_tallied("number", [f.key for f in numeric])
    await app.repos.stats.ensure_tallied("option", [f.key for f in multi])
    figures = await dashboard.figures([(str(m), str(m.prev())) for m in months], [f.key for f in numeric],
                                      [f.key for f in multi], district_id, region_id)
    fields = []
    for f in numeric:
        series = []
        for name in names:
            p = figures[name].numbers.get(f.key) or NumberPoint(0, 0)
            series.append({"month": name, "total": p.total, "reports": p.reports, "same_orgs": p.same_orgs,
                           "same_now": p.same_now, "same_before": p.same_before,
                           "change_pct": _change(p.same_now, p.same_before)})
        fields.append({"key": f.key, "label": f.label.get(locale), "points": series})
    participation = [{"key": f.key, "label": f.label.get(locale),
                      "any": [figures[name].any_option for name in names],
                      "options": [{"key": o.key, "label": o.label(locale),
                                   "counts": [figures[name].options.get((f.key, o.key), 0) for name in names]}
                                  for o in f.options]} for f in multi]
    return {"months": [month_json(m) for m in months], "reports": [figures[n].reports for n in names],
            "fields": fields, "participation": participation}


async def organization(app: AppContext, org: Organization) -> dict[str, Any]:
    """The organization's card and the status of its last 12 months."""
    chair = await app.repos.users.chair_of(org.id)
    filed = await app.repos.reports.months_of(org.id)
    open_month = app.calendar.open_month(app.clock.now())
    months = []
    for month in recent_months(app):
        if str(month) in filed:
            status = "late" if filed[str(month)] else "on_time"
        else:
            status = "open" if month == open_month and app.calendar.is_editable(month, app.clock.now()) \
                else "missing"
        months.append({**month_json(month), "status": status})
    return {"id": org.id, "name": org.name, "district": org.district, "district_id": org.district_id,
            "sector": org.sector, "members": org.members,
            "chair": {"name": chair.full_name, "phone": chair.phone} if chair else None,
            "months": months[::-1]}


def value_text(field: FormField, value: Any, locale: str) -> str | None:
    """The answer as text, or None when it was skipped."""
    if value is None or value == [] or value == "":
        return None
    if field.type == "choice":
        return next((o.label(locale) for o in field.options if o.key == value), str(value))
    if field.type == "multi":
        labels = {o.key: o.label(locale) for o in field.options}
        return ", ".join(labels.get(v, str(v)) for v in value)
    return str(value)


def photo_ids(form: Form, answers: dict[str, Any]) -> list[str]:
    """The report's photos (Telegram file ids) in form order: /app/api/photos/{report}/{n} counts these."""
    return [fid for f in form.fields if f.type == "photos" for fid in (answers.get(f.key) or [])]


def report(app: AppContext, row: ReportRow) -> dict[str, Any]:
    """The report's answers as text in the current locale, with its photos' addresses."""
    locale = locale_now()
    answers, photos, n = [], [], 0
    for f in app.config.form.fields:
        value = row.answers.get(f.key)
        if f.type == "photos":
            count = len(value or [])
            urls = [f"/app/api/photos/{row.id}/{i}" for i in range(n, n + count)]
            n += count
            photos += urls
            answers.append({"key": f.key, "label": f.label.get(locale), "type": f.type,
                            "value": None if not count else str(count), "photos": urls})
            continue
        answers.append({"key": f.key, "label": f.label.get(locale), "type": f.type,
                        "value": value_text(f, value, locale)})
    month = Month.parse(row.month)
    return {"id": row.id, "org_id": row.org_id, **month_json(month), "title": dates.month_report_title(month, locale),
            "late": row.late,
            "filed_on": dates.day(app.calendar.today(datetime.fromisoformat(row.submitted_at)), locale),
            "submitted_at": row.submitted_at, "answers": answers, "photos": photos,
            "skipped": _("no answer")}
