"""The reporting calendar: which month is open, when it is due, quiet hours. Pure logic."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.config import CalendarConfig


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """'2026-10' -> Month(2026, 10); ValueError on anything else."""
        year, _, month = text.partition("-")
        if len(year) != 4 or len(month) != 2 or not (year + month).isdigit():
            raise ValueError(f"not a month: {text!r}")
        value = cls(int(year), int(month))
        if not 1 <= value.month <= 12:
            raise ValueError(f"not a month: {text!r}")
        return value

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def prev(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)


class ReportingCalendar:
    def __init__(self, cfg: CalendarConfig) -> None:
        self.cfg = cfg
        self.tz = cfg.tz

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def today(self, moment: datetime) -> date:
        return self.local(moment).date()

    def opens_on(self, month: Month) -> date:
        return date(month.year, month.month, self.cfg.open_day)

    def due_on(self, month: Month) -> date:
        nxt = month.next()
        return date(nxt.year, nxt.month, self.cfg.due_day)

    def open_month(self, moment: datetime) -> Month:
        """The month a chair reports on now: from its opening day until the next month opens."""
        today = self.today(moment)
        current = Month.of(today)
        return current if today.day >= self.cfg.open_day else current.prev()

    def last_closed_month(self, moment: datetime) -> Month:
        """The latest month whose due date has passed."""
        month = self.open_month(moment)
        while self.today(moment) <= self.due_on(month):
            month = month.prev()
        return month

    def is_late(self, month: Month, moment: datetime) -> bool:
        """Confirmed after the due date (the whole due day still counts as on time)."""
        return self.today(moment) > self.due_on(month)

    def is_editable(self, month: Month, moment: datetime) -> bool:
        return self.today(moment) <= self.due_on(month)

    def is_quiet(self, moment: datetime) -> bool:
        now = self.local(moment).time()
        start, end = self.cfg.quiet_start_time, self.cfg.quiet_end_time
        if start == end:
            return False
        if start < end:
            return start <= now < end
        return now >= start or now < end

    def end_of_quiet(self, moment: datetime) -> datetime:
        """The first moment at or after `moment` outside quiet hours (aware, local tz)."""
        local = self.local(moment)
        if not self.is_quiet(moment):
            return local
        end = self.cfg.quiet_end_time
        candidate = datetime.combine(local.date(), end, tzinfo=self.tz)
        if candidate <= local:
            candidate = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=self.tz)
        return candidate

    def at(self, day: date, clock_time: time) -> datetime:
        return datetime.combine(day, clock_time, tzinfo=self.tz)
