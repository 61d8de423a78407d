"""Dates and month names in Kazakh and Russian, the one place every message, digest and export takes them from.

Month and day names come from Babel (CLDR); the patterns around them are the forms a reader of each
language expects, as CLDR patterns are:

| function           | kk                             | ru                        | where                         |
|--------------------|--------------------------------|---------------------------|-------------------------------|
| day                | 2026 жылғы 5 желтоқсан         | 5 декабря 2026 г.         | a date anywhere               |
| month              | 2026 жылғы қараша              | ноябрь 2026               | lists, buttons, captions      |
| month_in_text      | 2026 жылғы қараша              | ноябрь 2026 года          | in a sentence: «за …», «… айы» |
| month_report_title | 2026 жылғы қараша айының есебі | Отчёт за ноябрь 2026 года | the title of a month's report |
| moment             | 2026 жылғы 5 желтоқсан, 09:30  | 5 декабря 2026 г., 09:30  | a time of day on a date       |
| month_axis         | қар. 2026                      | нояб. 2026                | a chart's axis (short)        |

Kazakh puts the year first ("2026 жылғы") and keeps the month in the nominative; a sentence adds
the case ending to the word "ай" ("қараша айының есебі"), never to a date. Russian writes the
month in the genitive after a day ("5 декабря") and the year in the genitive inside a sentence
("за ноябрь 2026 года"). Month names are lowercase in both languages, as inside a sentence.
Pure functions of their arguments: the locale is passed, never read from a context.
"""
from __future__ import annotations

from datetime import date, datetime, tzinfo
from functools import cache

from babel import Locale
from babel.dates import format_date, format_time

from bot.domain.calendar import Month

_DAY = {"kk": "y 'жылғы' d MMMM", "ru": "d MMMM y 'г.'"}
_MONTH = {"kk": "{year} жылғы {name}", "ru": "{name} {year}"}
_MONTH_IN_TEXT = {"kk": "{year} жылғы {name}", "ru": "{name} {year} года"}
_REPORT_TITLE = {"kk": "{month} айының есебі", "ru": "Отчёт за {month}"}
_MOMENT = "{day}, {time}"


@cache
def _locale(code: str) -> Locale:
    return Locale.parse(code)


def _lang(locale: str) -> str:
    """kk or ru; anything else is shown as Russian is (the bot speaks only these two)."""
    return "kk" if locale.split("_")[0].split("-")[0] == "kk" else "ru"


def _month_name(month: Month, locale: str) -> str:
    """The nominative (stand-alone) name, lowercase: «қараша», «ноябрь»."""
    names = _locale(_lang(locale)).months["stand-alone"]["wide"]
    return str(names[month.month]).lower()


def day(value: date, locale: str) -> str:
    """«2026 жылғы 5 желтоқсан», «5 декабря 2026 г.»."""
    return format_date(value, _DAY[_lang(locale)], locale=_locale(_lang(locale)))


def month(value: Month, locale: str) -> str:
    """«2026 жылғы қараша», «ноябрь 2026»: a month on its own (a list item, a button, a caption)."""
    return _MONTH[_lang(locale)].format(year=value.year, name=_month_name(value, locale))


def month_axis(value: Month, locale: str) -> str:
    """«қар. 2026», «нояб. 2026»: a month under a chart's axis, where a full name does not fit."""
    names = _locale(_lang(locale)).months["stand-alone"]["abbreviated"]
    return f"{str(names[value.month]).lower()} {value.year}"


def month_in_text(value: Month, locale: str) -> str:
    """«2026 жылғы қараша», «ноябрь 2026 года»: a month inside a sentence («отчёт за …», «… айының есебі»)."""
    return _MONTH_IN_TEXT[_lang(locale)].format(year=value.year, name=_month_name(value, locale))


def month_report_title(value: Month, locale: str) -> str:
    """«2026 жылғы қараша айының есебі», «Отчёт за ноябрь 2026 года»."""
    return _REPORT_TITLE[_lang(locale)].format(month=month_in_text(value, locale))


def moment(value: datetime, locale: str, tz: tzinfo | None = None) -> str:
    """«2026 жылғы 5 желтоқсан, 09:30», «5 декабря 2026 г., 09:30»: in `tz` when given, else as `value` reads."""
    if tz is not None:
        value = value.astimezone(tz)
    clock_time = format_time(value, "HH:mm", locale=_locale(_lang(locale)))
    return _MOMENT.format(day=day(value.date(), locale), time=clock_time)
