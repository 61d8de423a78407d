"""The reporting calendar and the schedule windows derived from it (pure, no bot)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from bot.config import CalendarConfig
from bot.domain.calendar import Month, ReportingCalendar
from bot.features.reminders.texts import digest_window, escalation_window, latest_step, reminder_steps
from tests.support.harness import at


@pytest.fixture
def calendar() -> ReportingCalendar:
    return ReportingCalendar(CalendarConfig())


@pytest.mark.parametrize("moment, month", [
    ("2026-11-24 23:59", "2026-10"),   # November is not open yet: October is still being reported
    ("2026-11-25 00:00", "2026-11"),   # opens on the 25th, local time
    ("2026-12-05 12:00", "2026-11"),   # due day
    ("2026-12-06 08:00", "2026-11"),   # overdue, still the open month until December opens
    ("2026-12-25 00:01", "2026-12"),
    ("2027-01-04 10:00", "2026-12"),   # across the year end
])
def test_open_month_around_the_25th_and_the_5th(calendar, moment, month):
    assert str(calendar.open_month(at(moment))) == month


def test_open_month_uses_local_time_not_utc(calendar):
    # 2026-11-24 20:30 UTC is already 2026-11-25 01:30 in Almaty (UTC+5).
    assert str(calendar.open_month(at("2026-11-24 20:30", tz="UTC"))) == "2026-11"


def test_due_dates_across_the_year_end(calendar):
    assert calendar.due_on(Month(2026, 12)) == date(2027, 1, 5)
    assert calendar.due_on(Month(2026, 11)) == date(2026, 12, 5)
    assert Month(2026, 12).next() == Month(2027, 1) and Month(2027, 1).prev() == Month(2026, 12)


def test_late_is_after_the_whole_due_day(calendar):
    assert not calendar.is_late(Month(2026, 12), at("2027-01-05 23:59"))
    assert calendar.is_late(Month(2026, 12), at("2027-01-06 00:00"))


def test_last_closed_month(calendar):
    assert str(calendar.last_closed_month(at("2026-11-30 10:00"))) == "2026-10"
    assert str(calendar.last_closed_month(at("2026-12-05 23:00"))) == "2026-10"
    assert str(calendar.last_closed_month(at("2026-12-06 09:00"))) == "2026-11"


@pytest.mark.parametrize("moment, quiet", [
    ("2026-11-26 20:59", False), ("2026-11-26 21:00", True), ("2026-11-26 23:59", True),
    ("2026-11-27 00:00", True), ("2026-11-27 08:59", True), ("2026-11-27 09:00", False),
])
def test_quiet_hours_across_midnight(calendar, moment, quiet):
    assert calendar.is_quiet(at(moment)) is quiet


def test_end_of_quiet(calendar):
    assert calendar.end_of_quiet(at("2026-11-26 22:00")) == at("2026-11-27 09:00")
    assert calendar.end_of_quiet(at("2026-11-27 03:00")) == at("2026-11-27 09:00")
    assert calendar.end_of_quiet(at("2026-11-27 12:00")) == at("2026-11-27 12:00")


def test_quiet_hours_within_one_day():
    calendar = ReportingCalendar(CalendarConfig(quiet_start="13:00", quiet_end="14:00"))
    assert calendar.is_quiet(at("2026-11-26 13:30"))
    assert not calendar.is_quiet(at("2026-11-26 23:00"))
    assert calendar.end_of_quiet(at("2026-11-26 13:30")) == at("2026-11-26 14:00")


def test_reminder_steps_of_a_month(calendar):
    steps = reminder_steps(calendar, Month(2026, 11))
    assert [(s.name, s.at) for s in steps] == [
        ("open", at("2026-11-25 09:00")), ("before-3", at("2026-12-02 09:00")), ("due", at("2026-12-05 09:00")),
        ("overdue-1", at("2026-12-07 09:00")), ("overdue-2", at("2026-12-09 09:00")),
        ("overdue-3", at("2026-12-11 09:00")),
    ]
    # Each step is current until the next one; the last one for overdue_every_days.
    assert steps[0].until == steps[1].at and steps[-1].until == at("2026-12-13 09:00")


def test_only_the_latest_due_step_is_current(calendar):
    steps = reminder_steps(calendar, Month(2026, 11))
    assert latest_step(steps, at("2026-11-25 08:59")) is None
    assert latest_step(steps, at("2026-12-04 10:00")).name == "before-3"
    assert latest_step(steps, at("2026-12-08 10:00")).name == "overdue-1"   # due was passed by overdue-1
    assert latest_step(steps, at("2026-12-13 09:00")) is None


def test_reminder_days_that_would_fall_before_the_opening_are_refused():
    with pytest.raises(ValidationError, match="from 1 to 7"):       # 8 days from 25 February to 5 March
        CalendarConfig(remind_days_before_due=[15, 3, 1], overdue_max=0)
    calendar = ReportingCalendar(CalendarConfig(remind_days_before_due=[7, 3, 1], overdue_max=0))
    names = [s.name for s in reminder_steps(calendar, Month(2026, 12))]
    assert names == ["open", "before-7", "before-3", "before-1", "due"]
    assert [s.name for s in reminder_steps(calendar, Month(2027, 2))][:2] == ["open", "before-7"]
    assert reminder_steps(calendar, Month(2026, 12))[-1].at == at("2027-01-05 09:00")


def test_escalation_window(calendar):
    window = escalation_window(calendar, Month(2026, 11))
    assert window.at == at("2026-12-06 09:00") and window.until == at("2026-12-25 09:00")


def test_digest_window(calendar):
    assert digest_window(calendar, at("2026-11-30 08:59")) is None          # Monday, before 09:00 (quiet)
    window = digest_window(calendar, at("2026-11-30 09:00"))
    assert window.name == "2026-11-30" and window.at == at("2026-11-30 09:00")
    assert digest_window(calendar, at("2026-12-01 20:00")).name == "2026-11-30"  # a late catch-up
    assert digest_window(calendar, at("2026-12-02 09:00")) is None           # too old: skipped
    late = ReportingCalendar(CalendarConfig(digest_time="22:30"))           # inside quiet hours
    assert digest_window(late, at("2026-12-01 09:00")).at == at("2026-12-01 09:00")
    assert digest_window(late, at("2026-11-30 22:45")) is None              # waits for the quiet hours to end
    assert digest_window(calendar, at("2026-11-30 09:00") + timedelta(days=7)).name == "2026-12-07"
