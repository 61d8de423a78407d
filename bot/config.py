"""Typed configuration: config.toml, overridable from the environment."""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from bot.config_models import (
    LOCALES,
    WEEKDAYS,
    CalendarConfig,
    ConfigError,
    Form,
    FormField,
    Localized,
    Option,
    SoftRule,
    StrictModel,
)

__all__ = ["LOCALES", "WEEKDAYS", "CalendarConfig", "ConfigError", "Form", "FormField", "Localized", "Option",
           "Settings", "SoftRule", "load_config"]
DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config.toml"


class BotSection(StrictModel):
    default_locale: Literal["kk", "ru"] = "kk"
    db_path: str = "bastau.db"
    # sqlite:///path or postgresql://user:pass@host:port/db; empty: SQLite at db_path (BASTAU_DATABASE_URL wins)
    database_url: str = ""
    region: str = ""  # the region's name, for a roster without the `region` column


class TelegramSection(StrictModel):
    api_server: str = ""
    # The self-hosted server runs with --local on this machine: files are read from its folder
    # (aiogram's TelegramAPIServer.from_base(api_server, is_local=True)); deploy/telegram-bot-api.service.
    local: bool = False

    @field_validator("api_server")
    @classmethod
    def _url(cls, value: str) -> str:
        if value and not re.match(r"^https?://", value):
            raise ValueError("must be a base URL such as http://127.0.0.1:8081")
        return value.rstrip("/")


class RegistrationSection(StrictModel):
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


class BroadcastSection(StrictModel):
    rate_per_second: float = Field(default=25, gt=0)
    per_chat_interval_s: float = Field(default=1.0, ge=0)
    progress_every_s: float = Field(default=3.0, gt=0)


class SandboxSection(StrictModel):
    host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=0, le=65535)
    api_port: int = Field(default=8081, ge=0, le=65535)


class BackupSection(StrictModel):
    dir: str = ""                 # empty: no scheduled backups; relative to the config file's folder
    every_hours: float = Field(default=24, gt=0, le=24 * 31)
    keep: int = Field(default=7, ge=1, le=1000)


class WebSection(StrictModel):
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


class WebhookSection(StrictModel):
    """Webhook mode (`bastau run --webhook`): Telegram POSTs updates to `url`; the handler listens on
    host:port at `path` (one aiohttp server with [web] when host and port are the same)."""
    enabled: bool = False
    url: str = ""  # the public HTTPS address, path included
    host: str = "127.0.0.1"
    port: int = Field(default=8090, ge=0, le=65535)
    path: str = "/telegram/webhook"
    allowed_updates: tuple[str, ...] = ()  # empty: every kind the dispatcher handles
    max_connections: int = Field(default=40, ge=1, le=100)

    @field_validator("url")
    @classmethod
    def _webhook_url(cls, value: str) -> str:
        if value and not re.match(r"^https?://", value):
            raise ValueError("must be an address such as https://bastau.example.kz/telegram/webhook")
        return value

    @field_validator("path")
    @classmethod
    def _webhook_path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with /")
        return value


class RedisSection(StrictModel):
    url: str = ""  # redis://host:port/db; empty: FSM and event isolation in the process (BASTAU_REDIS_URL wins)


class ClusterSection(StrictModel):
    failover_s: float = Field(default=30, gt=0)  # a standby worker takes over within this after the leader dies


class AdminEntry(StrictModel):
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
    webhook: WebhookSection = WebhookSection()
    redis: RedisSection = RedisSection()
    cluster: ClusterSection = ClusterSection()
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
    def database_url(self) -> str:
        """Where the data lives: BASTAU_DATABASE_URL, [bot] database_url, else sqlite:/// at db_path."""
        return os.environ.get("BASTAU_DATABASE_URL") or self.bot.database_url or f"sqlite:///{self.db_path}"

    @property
    def redis_url(self) -> str:
        return os.environ.get("BASTAU_REDIS_URL") or self.redis.url

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
