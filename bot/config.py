"""Typed configuration: config.toml, overridable from the environment."""
from __future__ import annotations

import os
import re
from datetime import time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from bot.form.kinds import KINDS, kind_of

LOCALES = ("kk", "ru")
DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config.toml"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ConfigError(Exception):
    """A bad config: the message names the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Localized(_Strict):
    kk: str = Field(min_length=1)
    ru: str = Field(min_length=1)

    def get(self, locale: str) -> str:
        return getattr(self, locale, self.kk)


class Option(_Strict):
    key: str = Field(pattern=r"^[a-z0-9_]+$")
    kk: str = Field(min_length=1)
    ru: str = Field(min_length=1)

    def label(self, locale: str) -> str:
        return getattr(self, locale, self.kk)


class FormField(_Strict):
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


class SoftRule(_Strict):
    """`key` this month = `key` last month + the `plus` answers − the `minus` answers (bot/form/rules.py)."""
    key: str
    plus: tuple[str, ...] = ()
    minus: tuple[str, ...] = ()


class Form(_Strict):
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


class CalendarConfig(_Strict):
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


class BotSection(_Strict):
    default_locale: Literal["kk", "ru"] = "kk"
    db_path: str = "bastau.db"
    region: str = ""  # the region's name, for a roster without the `region` column


class TelegramSection(_Strict):
    api_server: str = ""

    @field_validator("api_server")
    @classmethod
    def _url(cls, value: str) -> str:
        if value and not re.match(r"^https?://", value):
            raise ValueError("must be a base URL such as http://127.0.0.1:8081")
        return value.rstrip("/")


class RegistrationSection(_Strict):
    max_wrong_codes_per_hour: int = Field(default=5, ge=1)       # one account
    global_wrong_codes_per_hour: int = Field(default=50, ge=1)   # all accounts together
    global_wrong_codes_per_day: int = Field(default=200, ge=1)
    deputies: int = Field(default=0, ge=0, le=1)  # 1: one deputy per organization, who may file the report

    @model_validator(mode="after")
    def _limits(self) -> RegistrationSection:
        if self.global_wrong_codes_per_hour < self.max_wrong_codes_per_hour:
            raise ValueError("global_wrong_codes_per_hour must be at least max_wrong_codes_per_hour "
                             "(else one account pauses the codes for all)")
        if self.global_wrong_codes_per_day < self.global_wrong_codes_per_hour:
            raise ValueError("global_wrong_codes_per_day must be at least global_wrong_codes_per_hour")
        return self


class BroadcastSection(_Strict):
    rate_per_second: float = Field(default=25, gt=0)
    per_chat_interval_s: float = Field(default=1.0, ge=0)
    progress_every_s: float = Field(default=3.0, gt=0)


class SandboxSection(_Strict):
    host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=0, le=65535)
    api_port: int = Field(default=8081, ge=0, le=65535)


class BackupSection(_Strict):
    dir: str = ""                 # empty: no scheduled backups; relative to the config file's folder
    every_hours: float = Field(default=24, gt=0, le=24 * 31)
    keep: int = Field(default=7, ge=1, le=1000)


class WebSection(_Strict):
    """The Mini App's web server (bot/features/webapp): where it listens, the HTTPS address Telegram opens."""
    host: str = "127.0.0.1"
    port: int = Field(default=8090, ge=0, le=65535)
    public_url: str = ""
    init_data_max_age_s: int = Field(default=86400, ge=1)

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        if value and not re.match(r"^https?://", value):
            raise ValueError("must be an address such as https://bastau.example.kz")
        return value.rstrip("/")


class AdminEntry(_Strict):
    telegram_id: int
    scope: Literal["branch", "region", "district"]
    district: str | None = None
    region: str | None = None  # a region admin's region; a district admin's where the name repeats

    @model_validator(mode="after")
    def _district(self) -> AdminEntry:
        if self.scope == "district" and not self.district:
            raise ValueError("a district admin needs 'district'")
        if self.scope == "region" and not self.region:
            raise ValueError("a region admin needs 'region'")
        if self.scope != "district" and self.district:
            raise ValueError(f"a {self.scope} admin has no 'district'")
        if self.scope == "branch" and self.region:
            raise ValueError("a branch admin has no 'region'")
        return self


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BASTAU_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    bot: BotSection = BotSection()
    telegram: TelegramSection = TelegramSection()
    calendar: CalendarConfig = CalendarConfig()
    registration: RegistrationSection = RegistrationSection()
    broadcast: BroadcastSection = BroadcastSection()
    sandbox: SandboxSection = SandboxSection()
    backup: BackupSection = BackupSection()
    web: WebSection = WebSection()
    admins: tuple[AdminEntry, ...] = ()
    form: Form
    # Where the file was read from; relative paths in it are resolved against its folder.
    config_dir: Path = Path(".")

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = init_settings.init_kwargs.pop("_toml_file", None)  # type: ignore[attr-defined]
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)

    @property
    def db_path(self) -> Path:
        raw = os.environ.get("BASTAU_DB") or self.bot.db_path
        path = Path(raw)
        return path if path.is_absolute() or raw == ":memory:" else self.config_dir / path

    @property
    def backup_dir(self) -> Path | None:
        if not self.backup.dir:
            return None
        path = Path(self.backup.dir)
        return path if path.is_absolute() else self.config_dir / path

    @property
    def api_server(self) -> str:
        return (os.environ.get("TELEGRAM_API_SERVER") or self.telegram.api_server).rstrip("/")


def config_path(cli_value: str | None = None) -> Path:
    return Path(cli_value or os.environ.get("BASTAU_CONFIG") or DEFAULT_CONFIG)


def load_config(path: str | Path | None = None, **overrides) -> Settings:
    """Read and validate the config; a ConfigError names every bad key."""
    path = config_path(str(path) if path else None)
    if not path.exists():
        raise ConfigError(f"config file not found: {path}")
    try:
        settings = Settings(_toml_file=path, config_dir=path.resolve().parent, **overrides)  # type: ignore[call-arg]
    except ValidationError as exc:
        lines = [
            f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}"
            for err in exc.errors()
        ]
        raise ConfigError(f"bad config {path}:\n  " + "\n  ".join(lines)) from None
    except ValueError as exc:  # a TOML syntax error
        raise ConfigError(f"bad config {path}: {exc}") from None
    _check_db_path(settings)
    return settings


def _check_db_path(settings: Settings) -> None:
    """The database can be opened or created there (its missing folders too: `bastau run` creates
    them); else one line naming the setting, not SQLite's traceback later."""
    path = settings.db_path
    if str(path) == ":memory:":
        return
    name = "BASTAU_DB" if os.environ.get("BASTAU_DB") else "bot.db_path"
    if path.is_dir():
        raise ConfigError(f"{name}: {path} is a folder; give the path of the database file")
    if path.exists():
        return
    existing = path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(f"{name}: cannot create {path}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ConfigError(f"{name}: cannot create {path}: the folder {existing} is not writable")
