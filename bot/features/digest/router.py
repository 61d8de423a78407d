"""/digest: the weekly digest on demand, for administrators of their own scope: its chart, then its text."""
from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import gettext as _

from bot.config import Form, Settings
from bot.domain.calendar import ReportingCalendar
from bot.domain.clock import Clock
from bot.domain.roles import Role
from bot.domain.text import split_message
from bot.features.digest.chart import digest_chart
from bot.features.digest.service import gather_digest, render_digest
from bot.telegram.admin import region_of, scope_of
from bot.telegram.keyboards import dashboard_keyboard, mini_app_url
from db.repos import Repos


async def cmd_digest(message: Message, role: Role, repos: Repos, calendar: ReportingCalendar, form: Form,
                     clock: Clock, config: Settings) -> None:
    if not role.is_admin:
        await message.answer(_("The digest is for administrators only."))
        return
    if not role.is_branch and role.district_id is None and role.region_id is None:
        await message.answer(_("Your district is not in the roster, so there is no digest for it yet."))
        return
    digest = await gather_digest(repos, calendar, form, scope_of(role), clock.now(), region_id=region_of(role))
    await message.answer_photo(BufferedInputFile(await digest_chart(digest, form, calendar), "digest.png"))
    parts = split_message(render_digest(digest, form))
    for n, part in enumerate(parts, 1):  # the dashboard's button under the last part, as in the weekly digest
        await message.answer(part, reply_markup=dashboard_keyboard(mini_app_url(config.web.public_url))
                             if n == len(parts) else None)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_digest, Command("digest"))
    return router
