"""The sandbox's clock buttons: where each one moves the bot's time."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.config import WEEKDAYS
from bot.domain.calendar import ReportingCalendar
from bot.features.reminders.texts import reminder_steps

JUMPS = ("reminder", "due", "digest", "day")


def jump_target(kind: str, calendar: ReportingCalendar, now: datetime) -> datetime:
    """Where a fast-forward button takes the bot's clock (aware UTC), always later than now.

    reminder: the next reminder day of the open or the next month (bot/features/reminders/texts.py);
    due: 10:00 on the next due date; digest: the next digest weekday and time; day: one day on.
    """
    month = calendar.open_month(now)
    if kind == "reminder":
        starts = [w.at for m in (month, month.next()) for w in reminder_steps(calendar, m)]
        return min(s for s in starts if s > now).astimezone(now.tzinfo)
    if kind == "due":
        for m in (month, month.next()):
            moment = calendar.at(calendar.due_on(m), time(10, 0))
            if moment > now:
                return moment.astimezone(now.tzinfo)
    if kind == "digest":
        cfg = calendar.cfg
        local = calendar.local(now)
        days_ahead = (WEEKDAYS.index(cfg.digest_weekday) - local.weekday()) % 7
        for extra in (0, 7):
            moment = calendar.at(local.date() + timedelta(days=days_ahead + extra), cfg.digest_at)
            if moment > now:
                return moment.astimezone(now.tzinfo)
    if kind == "day":
        return now + timedelta(days=1)
    raise ValueError(f"unknown fast-forward target {kind!r}")
