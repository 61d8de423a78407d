"""The alert to branch admins when the wrong invite codes of all accounts reach their limit."""
from __future__ import annotations

import logging
from datetime import datetime

from aiogram import Bot
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain.admins import AdminDirectory
from bot.domain.calendar import ReportingCalendar
from bot.telegram.delivery import deliver
from db.queries.sent import SentKey
from db.repos import Repos

log = logging.getLogger(__name__)

KIND = "codes_paused"


async def alert_codes_paused(bot: Bot, config: Settings, repos: Repos, i18n: I18n, calendar: ReportingCalendar,
                             period: str, now: datetime) -> None:
    """Tell every branch admin, once per clock hour (or day) in which the limit is reached: the
    sent-log key makes it once however many guests are refused, and across restarts."""
    local = calendar.local(now)
    stamp = f"{local:%Y-%m-%dT%H}" if period == "hour" else f"{local:%Y-%m-%d}"
    limit = (config.registration.global_wrong_codes_per_hour if period == "hour"
             else config.registration.global_wrong_codes_per_day)
    for admin in await AdminDirectory.of(config, repos).reachable():
        if not admin.is_branch:
            continue
        key = SentKey(KIND, stamp, admin.user_id, period)
        if not await repos.sent.claim(key, now):
            continue
        with i18n.use_locale(admin.locale):
            text = (_("⚠️ {n} wrong invite codes were sent in the last hour by all accounts together, the "
                      "limit. Until fewer are counted, no code is accepted from anyone (requests to join "
                      "still reach the district admins). Someone may be guessing codes; a chair who keeps "
                      "failing may have an old code (/codes).") if period == "hour" else
                    _("⚠️ {n} wrong invite codes were sent in the last 24 hours by all accounts together, the "
                      "limit. Until fewer are counted, no code is accepted from anyone (requests to join "
                      "still reach the district admins). Someone may be guessing codes; a chair who keeps "
                      "failing may have an old code (/codes).")).format(n=limit)
        delivery = await deliver(bot, repos.users, admin.user_id, text)
        if delivery.transient:
            await repos.sent.release(key)
        else:
            await repos.sent.finish(key, delivery.status, now, delivery.reason)
        log.info("codes-paused alert (%s) to admin %s: %s", period, admin.user_id, delivery.status)
