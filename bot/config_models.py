"""The config's models of the report form and the reporting calendar (bot/config.py assembles them)."""
from __future__ import annotations

import re
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from bot.form.kinds import KINDS, kind_of

LOCALES = ("kk", "ru")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ConfigError(Exception):
    """A bad config: the message names the key."""


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Localized(StrictModel):
    kk: str = Field(min_length=1)
    ru: str = Field(min_length=1)

    def get(self, locale: str) -> str:
        return getattr(self, locale, self.kk)


class Option(StrictModel):
    key: str = Field(pattern=r"^[a-z0-9_]+$")
    kk: str = Field(min_length=1)
    ru: str = Field(min_length=1)

    def label(self, locale: str) -> str:
        return getattr(self, locale, self.kk)


class FormField(StrictModel):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=32)
    type: str  # a kind of bot/form/kinds
    label: Localized
    required: bool = True
    min: int | None = None
    max: int | None = None
    lte: str | None = None
    max_length: int = Field(default=1000, ge=1, le=4000)
    options: tuple[Option, ...] = ()
    max_count: int = Field(default=5, ge=1, le=10)
    # A whole number that usually stays as it was: the question offers «Same as last month».
    carry_over: bool = False

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(f"unknown field type {value!r}: expected one of {', '.join(KINDS)}")
        return value

    @model_validator(mode="after")
    def _check_type_rules(self) -> FormField:
        kind_of(self).check(self)
        return self


class SoftRule(StrictModel):
    """`key` this month = `key` last month + the `plus` answers − the `minus` answers (bot/form/rules.py)."""
    key: str
    plus: tuple[str, ...] = ()
    minus: tuple[str, ...] = ()


class Form(StrictModel):
    fields: tuple[FormField, ...] = Field(min_length=1)
    rules: tuple[SoftRule, ...] = ()

    @model_validator(mode="after")
    def _check_fields(self) -> Form:
        keys = [f.key for f in self.fields]
        if len(keys) != len(set(keys)):
            raise ValueError("form field keys repeat")
        by_key = {f.key: f for f in self.fields}
        for f in self.fields:
            if f.lte and (f.lte not in by_key or not kind_of(by_key[f.lte]).numeric):
                raise ValueError(f"field '{f.key}': lte names '{f.lte}', which is not an int field")
        for rule in self.rules:
            for key in (rule.key, *rule.plus, *rule.minus):
                if key not in by_key or not kind_of(by_key[key]).numeric:
                    raise ValueError(f"form rule of '{rule.key}': '{key}' is not an int field")
        return self

    def field(self, key: str) -> FormField | None:
        return next((f for f in self.fields if f.key == key), None)

    def index(self, key: str) -> int:
        return [f.key for f in self.fields].index(key)


def _parse_hhmm(value: str) -> time:
    if not re.fullmatch(r"\d{2}:\d{2}", value):
        raise ValueError("expected HH:MM")
    return time(int(value[:2]), int(value[3:]))


class CalendarConfig(StrictModel):
    timezone: str = "Asia/Almaty"
    open_day: int = Field(default=25, ge=1, le=28)
    due_day: int = Field(default=5, ge=1, le=28)
    remind_days_before_due: tuple[int, ...] = (3,)
    overdue_every_days: int = Field(default=2, ge=1)
    overdue_max: int = Field(default=3, ge=0)
    quiet_start: str = "21:00"
    quiet_end: str = "09:00"
    escalation_days_after_due: int = Field(default=1, ge=1)
    # A district still behind this many days after its district escalation: its region's admins are told.
    region_escalation_days: int = Field(default=3, ge=1)
    digest_weekday: str = "mon"
    digest_time: str = "09:00"

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("quiet_start", "quiet_end", "digest_time")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        _parse_hhmm(value)
        return value

    @field_validator("digest_weekday")
    @classmethod
    def _weekday(cls, value: str) -> str:
        if value not in WEEKDAYS:
            raise ValueError(f"expected one of {', '.join(WEEKDAYS)}")
        return value

    # Days that only make sense between a month's opening day and its due day in the next month
    # (each field is checked against those declared before it). That gap is shortest after
    # February: 28 - open_day + due_day days (8 by default); the due date is followed by
    # open_day - due_day days (20) until the next month opens.
    @field_validator("due_day")
    @classmethod
    def _due_before_opening(cls, value: int, info: ValidationInfo) -> int:
        open_day = info.data.get("open_day")
        if open_day is not None and value >= open_day:
            raise ValueError(f"must be before open_day ({open_day}): a month is due in the next month, "
                             "before that one opens")
        return value

    @field_validator("remind_days_before_due")
    @classmethod
    def _reminders_in_the_gap(cls, value: tuple[int, ...], info: ValidationInfo) -> tuple[int, ...]:
        open_day, due_day = info.data.get("open_day"), info.data.get("due_day")
        if open_day is None or due_day is None:
            return value
        gap = 28 - open_day + due_day
        if len(set(value)) != len(value) or not all(1 <= d < gap for d in value):
            raise ValueError(f"each value once, from 1 to {gap - 1}: a reminder falls after the opening day "
                             f"({open_day}) and before the due day ({due_day}) in every month, February included")
        return value

    @field_validator("overdue_max", "escalation_days_after_due")
    @classmethod
    def _before_the_next_opening(cls, value: int, info: ValidationInfo) -> int:
        open_day, due_day = info.data.get("open_day"), info.data.get("due_day")
        if open_day is None or due_day is None:
            return value
        after = open_day - due_day
        if info.field_name == "overdue_max" and value * info.data.get("overdue_every_days", 1) >= after:
            raise ValueError(f"overdue_max × overdue_every_days must be below {after}: the last overdue "
                             "reminder comes before the next month opens")
        if info.field_name == "escalation_days_after_due" and value >= after:
            raise ValueError(f"must be below {after}: the escalation comes before the next month opens")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def quiet_start_time(self) -> time:
        return _parse_hhmm(self.quiet_start)

    @property
    def quiet_end_time(self) -> time:
        return _parse_hhmm(self.quiet_end)

    @property
    def digest_at(self) -> time:
        return _parse_hhmm(self.digest_time)
