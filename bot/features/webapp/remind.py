"""«Remind now» from the dashboard: one reminder per organization per day at most, audited, never in
quiet hours.

The day's claim is a sent_log key (kind 'remind-now', period the local day, recipient the organization,
step the report month: db/queries/sent.py), so two presses, two admins or two pages send one reminder.
Pressed in quiet hours, the request is written to the audit log with the moment quiet hours end
(`deferred_to`); `send_deferred` (run by the web server every minute, and at its start after a restart)
sends what has come due, through the same claim.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from aiogram import Bot

from bot.domain.audit import audit
from bot.domain.calendar import Month
from bot.features.reminders.texts import reminder_text
from bot.features.webapp.auth import Viewer
from bot.features.webapp.dashboard import REMIND_NOW
from bot.telegram.delivery import deliver
from bot.telegram.keyboards import mini_app_url, open_report_keyboard
from db.queries.common import iso
from db.queries.dashboard import DashboardRepo
from db.queries.orgs import Organization
from db.queries.sent import SentKey

if TYPE_CHECKING:
    from bot.context import AppContext

log = logging.getLogger(__name__)

ACTION = "webapp.remind"
DEFERRED_LOOKBACK = timedelta(days=2)  # deferred requests older than this are not sent any more
Status = Literal["sent", "scheduled", "already", "no_chair", "submitted", "blocked", "failed"]


@dataclass(frozen=True)
class Reminded:
    status: Status
    at: datetime | None = None  # when it goes out (local time), for 'scheduled'


def reminder_step(app: AppContext, month: Month, now: datetime) -> str:
    """The reminder text that fits the day: days before the deadline, the due day, or overdue."""
    days = (app.calendar.due_on(month) - app.calendar.today(now)).days
    if days > 0:
        return f"before-{days}"
    return "due" if days == 0 else "overdue"


async def _deliver(app: AppContext, bot: Bot, org_id: int, month: Month, day: str, now: datetime) -> Status:
    chair = await app.repos.users.chair_of(org_id)
    if chair is None or not chair.active:
        return "no_chair"
    key = SentKey(REMIND_NOW, day, org_id, str(month))
    if not await app.repos.sent.claim(key, now):
        return "already"
    with app.i18n.context(), app.i18n.use_locale(chair.locale or app.config.bot.default_locale):
        text = reminder_text(reminder_step(app, month, now), month, app.calendar.due_on(month))
        markup = open_report_keyboard(mini_app_url(app.config.web.public_url))
    result = await deliver(bot, app.repos.users, chair.id, text, markup)
    if result.transient:
        await app.repos.sent.release(key)
    else:
        await app.repos.sent.finish(key, result.status, now, result.reason)
    return result.status


async def remind_now(app: AppContext, bot: Bot, dashboard: DashboardRepo, viewer: Viewer,
                     org: Organization, month: Month) -> Reminded:
    now = app.clock.now()
    if await app.repos.reports.get(org.id, str(month)) is not None:
        return Reminded("submitted")
    chair = await app.repos.users.chair_of(org.id)
    if chair is None or not chair.active:
        return Reminded("no_chair")
    details = {"month": str(month), "organization": org.name}
    if app.calendar.is_quiet(now):
        at = app.calendar.end_of_quiet(now)
        day = at.date().isoformat()
        if org.id in await app.repos.sent.taken(REMIND_NOW, day, str(month), now) or \
                await dashboard.deferred_reminder_exists(ACTION, org.id, day):
            return Reminded("already")
        await audit(app.db, app.clock, viewer.user_id, ACTION, f"org:{org.id}",
                    {**details, "day": day, "deferred_to": iso(at.astimezone(UTC))}, role=viewer.role)
        return Reminded("scheduled", at)
    day = app.calendar.today(now).isoformat()
    status = await _deliver(app, bot, org.id, month, day, now)
    if status != "already":
        await audit(app.db, app.clock, viewer.user_id, ACTION, f"org:{org.id}",
                    {**details, "day": day, "status": status}, role=viewer.role)
    return Reminded(status)


async def send_deferred(app: AppContext, bot: Bot, dashboard: DashboardRepo) -> int:
    """Send the quiet-hours requests whose time has come (each once); returns how many went out."""
    now = app.clock.now()
    if app.calendar.is_quiet(now):
        return 0
    sent = 0
    for org_id, month, day, _at in await dashboard.deferred_reminders(ACTION, iso(now - DEFERRED_LOOKBACK), iso(now)):
        if await app.repos.reports.get(org_id, month) is not None:
            continue
        status = await _deliver(app, bot, org_id, Month.parse(month), day, now)
        sent += status == "sent"
        if status not in ("sent", "already"):
            log.info("deferred reminder to org:%s not sent: %s", org_id, status)
    return sent
