"""The previous chair, when a new one registers with a handover code: told in their own language."""
from __future__ import annotations

import logging
from html import escape

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.telegram.keyboards import remove_keyboard
from db.repos import Repos

log = logging.getLogger(__name__)


async def tell_previous_chair(bot: Bot, repos: Repos, i18n: I18n, config: Settings, user_id: int,
                              org_id: int) -> None:
    """Thanks, and whom to contact; their chair actions are gone (they are no longer bound)."""
    user = await repos.users.get(user_id)
    org = await repos.orgs.get(org_id)
    if user is None or org is None or not user.active:
        return
    with i18n.use_locale(user.locale or config.bot.default_locale):
        text = _("A new chair of <b>{org}</b> has registered in the bot, so your chair account is closed: "
                 "you can no longer file reports for it. The organization's reports stay with it. Thank you "
                 "for your work! For any question, please contact the {district} branch.").format(
            org=escape(org.name), district=escape(org.district))
    try:
        await bot.send_message(user_id, text, reply_markup=remove_keyboard())
    except TelegramAPIError as exc:  # blocked the bot, or gone: nothing more to do
        log.info("could not tell the previous chair %s of org %s: %s", user_id, org_id, exc)
