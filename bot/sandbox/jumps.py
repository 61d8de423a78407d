"""The sandbox's clock buttons: where each one moves the bot's time, and the scheduled moments on the way."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.config import WEEKDAYS
from bot.domain.calendar import ReportingCalendar
from bot.features.reminders.texts import escalation_window, region_escalation_window, reminder_steps

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


def passed_moments(calendar: ReportingCalendar, start: datetime, end: datetime) -> list[datetime]:
    """Every moment in (start, end] at which scheduled work becomes due, in order, `end` last: each
    reminder step, the district and the region escalation, each weekly digest (quiet hours already moved
    out of). Running the due work at each of them, as the running bot's ticks would, sends what a jump of
    several days passes over (the overdue reminders of the 9th and the 11th on the way to the 14th)."""
    moments = {end}
    month = calendar.open_month(start).prev()
    last = str(calendar.open_month(end))
    while str(month) <= last:
        windows = [*reminder_steps(calendar, month), escalation_window(calendar, month),
                   region_escalation_window(calendar, month)]
        moments.update(w.at for w in windows)
        month = month.next()
    cfg = calendar.cfg
    day = calendar.local(start).date()
    day += timedelta(days=(WEEKDAYS.index(cfg.digest_weekday) - day.weekday()) % 7)
    while (slot := calendar.end_of_quiet(calendar.at(day, cfg.digest_at))) <= end:
        moments.add(slot)
        day += timedelta(days=7)
    return sorted(m.astimezone(end.tzinfo) for m in moments if start < m <= end)
