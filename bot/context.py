"""The long-lived resources of one process, put into the dispatcher's workflow data once."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiogram.utils.i18n import I18n

from bot.config import Settings
from bot.domain.calendar import ReportingCalendar
from bot.domain.clock import Clock, SystemClock
from bot.domain.roles import RoleResolver
from bot.i18n import make_i18n
from db import open_database
from db.database import Database
from db.repos import Repos


@dataclass
class AppContext:
    config: Settings
    db: Database
    clock: Clock
    calendar: ReportingCalendar
    repos: Repos
    roles: RoleResolver
    i18n: I18n
    # Extra workflow data and start/stop hooks added by features (the scheduler, broadcasts).
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    async def create(cls, config: Settings, clock: Clock | None = None, db: Database | None = None) -> AppContext:
        db = db or await open_database(config.database_url)
        i18n = make_i18n(default_locale=config.bot.default_locale)
        return cls(config=config, db=db, clock=clock or SystemClock(),
                   calendar=ReportingCalendar(config.calendar), repos=Repos(db),
                   roles=RoleResolver(config, db), i18n=i18n)

    def workflow_data(self) -> dict[str, Any]:
        return {
            "config": self.config, "db": self.db, "clock": self.clock, "calendar": self.calendar,
            "repos": self.repos, "roles": self.roles, "i18n": self.i18n, "form": self.config.form,
            "app": self, **self.extra,
        }
