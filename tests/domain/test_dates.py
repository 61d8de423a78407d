"""Dates and month names in the forms a Kazakh and a Russian reader expect."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain import dates
from bot.domain.calendar import Month

NOVEMBER = Month(2026, 11)


def test_a_day_in_kazakh_puts_the_year_first():
    assert dates.day(date(2026, 12, 5), "kk") == "2026 жылғы 5 желтоқсан"
    assert dates.day(date(2027, 3, 1), "kk") == "2027 жылғы 1 наурыз"


def test_a_day_in_russian_has_the_month_in_the_genitive():
    assert dates.day(date(2026, 12, 5), "ru") == "5 декабря 2026 г."
    assert dates.day(date(2027, 3, 1), "ru") == "1 марта 2027 г."


def test_a_month_on_its_own_is_nominative_and_lowercase():
    assert dates.month(NOVEMBER, "kk") == "2026 жылғы қараша"
    assert dates.month(NOVEMBER, "ru") == "ноябрь 2026"
    assert dates.month(Month(2027, 1), "ru") == "январь 2027"


def test_a_month_inside_a_sentence():
    assert dates.month_in_text(NOVEMBER, "kk") == "2026 жылғы қараша"
    assert dates.month_in_text(NOVEMBER, "ru") == "ноябрь 2026 года"


def test_the_title_of_a_months_report():
    assert dates.month_report_title(NOVEMBER, "kk") == "2026 жылғы қараша айының есебі"
    assert dates.month_report_title(NOVEMBER, "ru") == "Отчёт за ноябрь 2026 года"


def test_a_moment_is_the_day_and_the_clock_time():
    assert dates.moment(datetime(2026, 12, 5, 9, 30), "kk") == "2026 жылғы 5 желтоқсан, 09:30"
    assert dates.moment(datetime(2026, 12, 5, 21, 5), "ru") == "5 декабря 2026 г., 21:05"


def test_a_stored_utc_moment_is_shown_in_the_local_time_zone():
    stored = datetime.fromisoformat("2026-12-05T19:30:00+00:00")
    assert dates.moment(stored, "ru", ZoneInfo("Asia/Almaty")) == "6 декабря 2026 г., 00:30"
    assert dates.moment(stored, "kk", ZoneInfo("Asia/Almaty")) == "2026 жылғы 6 желтоқсан, 00:30"


@pytest.mark.parametrize("number", range(1, 13))
def test_every_month_has_its_own_lowercase_name_in_both_languages(number):
    for locale in ("kk", "ru"):
        name = dates.month(Month(2026, number), locale)
        assert name == name.lower() and "2026" in name
    assert dates.month(Month(2026, number), "kk") != dates.month(Month(2026, number % 12 + 1), "kk")


def test_a_regional_locale_code_is_its_language():
    assert dates.day(date(2026, 12, 5), "ru_KZ") == "5 декабря 2026 г."
    assert dates.month(NOVEMBER, "kk-KZ") == "2026 жылғы қараша"
