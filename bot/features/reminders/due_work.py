"""One tick of scheduled work: reminders, escalations and digests that are due at `now`.

`run_due_work(app, bot, now)` decides everything from the calendar and the sent-log, so it can
run any number of times (every few minutes, twice at once, after a restart or an outage) and
each message still goes out once (see db/queries/sent.py for the claim-then-send design).
Nothing is sent in quiet hours; what fell inside them goes out at the first tick after.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from aiogram import Bot
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.config import Form
from bot.domain.admins import Admin, AdminDirectory
from bot.domain.calendar import Month
from bot.domain.text import split_message
from bot.features.digest.chart import chart_spec, draw_in_child
from bot.features.digest.service import Digest, gather_digest, render_digest
from bot.features.reminders.texts import (
    branch_escalation,
    digest_window,
    district_escalation,
    escalation_window,
    latest_step,
    region_escalation,
    region_escalation_window,
    reminder_steps,
    reminder_text,
)
from bot.telegram.admin import AdminCb
from bot.telegram.delivery import deliver_parts
from bot.telegram.keyboards import dashboard_keyboard, mini_app_url, open_report_keyboard
from db.queries.sent import SentKey
from db.queries.stats import OrgStatus

if TYPE_CHECKING:
    from bot.context import AppContext

log = logging.getLogger(__name__)
ESCALATION_BUTTONS = 20  # organizations with a button under the escalation; the rest through /org

REMIND, ESCALATE, DIGEST = "remind", "escalate", "digest"


@dataclass(frozen=True)
class Outcome:
    key: SentKey
    status: str
    reason: str | None = None


Render = Callable[[], tuple[list[str], InlineKeyboardMarkup | None]]


async def run_due_work(app: AppContext, bot: Bot, now: datetime) -> list[Outcome]:
    """Send whatever is due now and not sent yet; returns what was attempted."""
    if app.calendar.is_quiet(now):
        return []
    outcomes = await send_reminders(app, bot, now)
    admins = await AdminDirectory.of(app.config, app.repos).reachable()
    outcomes += await send_escalations(app, bot, now, admins)
    outcomes += await send_region_escalations(app, bot, now, admins)
    outcomes += await send_digests(app, bot, now, admins)
    return outcomes


async def send_once(app: AppContext, bot: Bot, key: SentKey, locale: str, render: Render,
                    now: datetime, photo: bytes | None = None) -> Outcome | None:
    """Claim the key, send in the recipient's language (after `photo`, if any), record the outcome;
    None if taken."""
    if not await app.repos.sent.claim(key, now):
        return None
    with app.i18n.context(), app.i18n.use_locale(locale):
        parts, markup = render()
    result = await deliver_parts(bot, app.repos.users, key.recipient, parts, markup, photo=photo)
    if result.transient:
        await app.repos.sent.release(key)
    else:
        await app.repos.sent.finish(key, result.status, now, result.reason)
    return Outcome(key, result.status, result.reason)


def _reminder(step: str, month: Month, due: date, form_url: str | None) -> tuple[list[str], InlineKeyboardMarkup]:
    """Every reminder (opening, before the due date, due day, overdue): the chat dialog's button and, with
    a public address, «Fill in as a form» beside it."""
    return [reminder_text(step, month, due)], open_report_keyboard(form_url)


def _split(render_text: Callable[..., str], *args: Any) -> tuple[list[str], None]:
    return split_message(render_text(*args)), None


def _digest(digest: Digest, form: Form, dashboard_url: str | None) -> tuple[list[str], InlineKeyboardMarkup | None]:
    """The digest's text, with the button that opens the dashboard under its last part."""
    return split_message(render_digest(digest, form)), dashboard_keyboard(dashboard_url)


def _district_escalation(month: Month, due: date, district: str,
                         missing: list[OrgStatus]) -> tuple[list[str], InlineKeyboardMarkup]:
    """The district's missing list, with a button per organization that opens its card (/org)."""
    buttons = [InlineKeyboardButton(text=s.org_name[:60], callback_data=AdminCb(action="org_o", org=s.org_id).pack())
               for s in missing[:ESCALATION_BUTTONS]]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    return split_message(district_escalation(month, due, district, missing)), InlineKeyboardMarkup(inline_keyboard=rows)


def _months(app: AppContext, now: datetime) -> tuple[Month, Month]:
    """The open month and the one before it (whose overdue steps may still run)."""
    current = app.calendar.open_month(now)
    return current.prev(), current


async def send_reminders(app: AppContext, bot: Bot, now: datetime) -> list[Outcome]:
    outcomes = []
    for month in _months(app, now):
        step = latest_step(reminder_steps(app.calendar, month), now)
        if step is None:
            continue
        due = app.calendar.due_on(month)
        form_url = mini_app_url(app.config.web.public_url)
        taken = await app.repos.sent.taken(REMIND, str(month), step.name, now)
        for status in await app.repos.stats.missing(str(month)):
            if status.chair_id is None or not status.chair_active or status.chair_id in taken:
                continue
            render = partial(_reminder, step.name, month, due, form_url)
            outcome = await send_once(app, bot, SentKey(REMIND, str(month), status.chair_id, step.name),
                                      status.chair_locale or app.config.bot.default_locale, render, now)
            if outcome:
                outcomes.append(outcome)
    return outcomes


async def send_escalations(app: AppContext, bot: Bot, now: datetime,
                           admins: list[Admin]) -> list[Outcome]:
    outcomes = []
    for month in _months(app, now):
        if not escalation_window(app.calendar, month).covers(now):
            continue
        due = app.calendar.due_on(month)
        taken = await app.repos.sent.taken(ESCALATE, str(month), "1", now)
        pending = [admin for admin in admins if admin.user_id not in taken]
        if not pending:
            continue
        missing = await app.repos.stats.missing(str(month))
        by_district: defaultdict[int, list[OrgStatus]] = defaultdict(list)
        for status in missing:
            by_district[status.district_id].append(status)
        totals = {p.district_id: p for p in await app.repos.stats.progress(str(month))}
        for admin in pending:
            render: Render
            if admin.is_region:
                continue  # told later, of the districts still behind (send_region_escalations)
            if admin.is_branch:
                behind = [(p.district, p.missing, p.total) for p in totals.values() if p.missing]
                if not behind:
                    continue
                render = partial(_split, branch_escalation, month, due, behind)
            else:
                names = by_district.get(admin.district_id, []) if admin.district_id is not None else []
                if not names:
                    continue
                render = partial(_district_escalation, month, due, admin.district or "", names)
            outcome = await send_once(app, bot, SentKey(ESCALATE, str(month), admin.user_id, "1"),
                                      admin.locale, render, now)
            if outcome:
                outcomes.append(outcome)
    return outcomes


async def send_region_escalations(app: AppContext, bot: Bot, now: datetime,
                                  admins: list[Admin]) -> list[Outcome]:
    """A region's admins get the list of its districts still behind, `region_escalation_days` after
    the districts' own escalation."""
    outcomes = []
    for month in _months(app, now):
        if not region_escalation_window(app.calendar, month).covers(now):
            continue
        due = app.calendar.due_on(month)
        taken = await app.repos.sent.taken(ESCALATE, str(month), "region", now)
        pending = [a for a in admins if a.is_region and a.region_id is not None and a.user_id not in taken]
        if not pending:
            continue
        progress = await app.repos.stats.progress(str(month))
        for admin in pending:
            behind = [(p.district, p.missing, p.total) for p in progress
                      if p.region_id == admin.region_id and p.missing]
            if not behind:
                continue
            render = partial(_split, region_escalation, month, due, admin.region or "", behind)
            outcome = await send_once(app, bot, SentKey(ESCALATE, str(month), admin.user_id, "region"),
                                      admin.locale, render, now)
            if outcome:
                outcomes.append(outcome)
    return outcomes


async def send_digests(app: AppContext, bot: Bot, now: datetime,
                       admins: list[Admin]) -> list[Outcome]:
    window = digest_window(app.calendar, now)
    if window is None:
        return []
    taken = await app.repos.sent.taken(DIGEST, window.name, "weekly", now)
    dashboard_url = mini_app_url(app.config.web.public_url)
    digests = {}
    charts: dict[tuple[tuple[int | None, int | None], str], bytes | None] = {}  # (scope, language) -> the chart
    outcomes = []
    for admin in admins:
        if admin.user_id in taken:
            continue
        scope = (admin.district_id, admin.region_id if admin.is_region else None)
        if scope not in digests:
            digests[scope] = await gather_digest(app.repos, app.calendar, app.config.form, scope[0], now,
                                                 region_id=scope[1])
        chart_key = (scope, admin.locale)
        if chart_key not in charts:
            charts[chart_key] = await _chart(app, digests[scope], admin.locale)
        render = partial(_digest, digests[scope], app.config.form, dashboard_url)
        outcome = await send_once(app, bot, SentKey(DIGEST, window.name, admin.user_id, "weekly"),
                                  admin.locale, render, now, photo=charts[chart_key])
        if outcome:
            outcomes.append(outcome)
    return outcomes


async def _chart(app: AppContext, digest: Digest, locale: str) -> bytes | None:
    """The digest's picture in `locale`; None (the text goes alone) if it cannot be drawn."""
    try:
        with app.i18n.context(), app.i18n.use_locale(locale):
            spec = chart_spec(digest, app.config.form, app.calendar)
        return await draw_in_child(spec)
    except Exception:  # a broken picture must not hold back the digest's text
        log.exception("the digest chart could not be drawn")
        return None
