"""Join requests. A user without an invite code picks district and organization and gives their name;
the district's admins (and branch admins) approve or reject with a button."""
from __future__ import annotations

import logging
from datetime import datetime
from html import escape
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import BaseFilter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n, get_i18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain import dates
from bot.domain.admins import AdminDirectory
from bot.domain.calendar import ReportingCalendar
from bot.domain.clock import Clock
from bot.domain.roles import Role
from bot.features.joins.keyboards import JoinCb
from bot.features.joins.service import Asked, Outcome, ask_to_join, decide, open_organizations
from bot.features.onboarding.handover import tell_previous_chair
from bot.features.onboarding.service import clean_full_name
from bot.telegram.admin import NOT_ALLOWED, AdminCb, paged, refuse, refuse_outside
from bot.telegram.callbacks import callback_message, message_of
from bot.telegram.filters import HasText, IsAdmin, NotCommand
from bot.telegram.keyboards import main_menu
from bot.telegram.resume import register_reprompt
from db.queries.joins import JoinRequest
from db.queries.users import User
from db.repos import Repos

log = logging.getLogger(__name__)


class JoinFlow(StatesGroup):
    name = State()


class IsGuest(BaseFilter):
    """Only people who are not registered may ask to join (admins and chairs are refused)."""

    async def __call__(self, event: Any, role: Role) -> bool:
        return role.kind == "guest"


# The user's side ------------------------------------------------------------------------------

async def districts_keyboard(repos: Repos, page: int) -> InlineKeyboardMarkup:
    items = [(name, JoinCb(action="d", district=district_id).pack())
             for district_id, name in await repos.orgs.districts()]
    return paged(items, page, lambda p: JoinCb(action="dp", page=p).pack())


async def orgs_keyboard(repos: Repos, district_id: int, page: int) -> InlineKeyboardMarkup | None:
    orgs = await open_organizations(repos, district_id)
    if not orgs:
        return None
    items = [(name, JoinCb(action="o", org=org_id).pack()) for org_id, name in orgs]
    return paged(items, page, lambda p: JoinCb(action="op", district=district_id, page=p).pack())


async def on_start(query: CallbackQuery, user: User, repos: Repos) -> None:
    if (message := await callback_message(query)) is None:
        return
    await query.answer()
    pending = await repos.joins.pending_of(user.id)
    if pending is not None:
        await message.answer(_("Your request to join <b>{org}</b> is waiting for the administrators' "
                               "decision.").format(org=escape(pending.org_name)))
        return
    await message.answer(_("Without a code you can ask the administrators to register you. "
                           "Choose your district:"), reply_markup=await districts_keyboard(repos, 0))


async def on_districts_page(query: CallbackQuery, callback_data: JoinCb, repos: Repos) -> None:
    if (message := await callback_message(query)) is None:
        return
    await query.answer()
    await message.edit_reply_markup(reply_markup=await districts_keyboard(repos, callback_data.page))


async def on_district(query: CallbackQuery, callback_data: JoinCb, repos: Repos) -> None:
    if (message := await callback_message(query)) is None:
        return
    await query.answer()
    keyboard = await orgs_keyboard(repos, callback_data.district, 0)
    if keyboard is None:
        await message.answer(_("Every organization of this district already has a chair, or the district "
                               "has none. Please contact your district branch."))
        return
    await message.answer(_("Choose your organization:"), reply_markup=keyboard)


async def on_orgs_page(query: CallbackQuery, callback_data: JoinCb, repos: Repos) -> None:
    if (message := await callback_message(query)) is None:
        return
    await query.answer()
    keyboard = await orgs_keyboard(repos, callback_data.district, callback_data.page)
    await message.edit_reply_markup(reply_markup=keyboard)


async def on_org(query: CallbackQuery, callback_data: JoinCb, state: FSMContext, repos: Repos) -> None:
    if (message := await callback_message(query)) is None:
        return
    await query.answer()
    org = await repos.orgs.get(callback_data.org)
    if org is None:
        await message.answer(_("This button is no longer active."))
        return
    await state.set_state(JoinFlow.name)
    await state.update_data(join_org=org.id)
    await message.edit_reply_markup(reply_markup=None)
    await message.answer(_("Organization: <b>{org}</b> ({district}).").format(
        org=escape(org.name), district=escape(org.district)))
    await ask_name(message, state)


async def ask_name(message: Message, state: FSMContext, **_data) -> None:
    await message.answer(_("Please send your full name (surname, name, patronymic)."))


register_reprompt(JoinFlow.__name__, ask_name)


async def on_name(message: Message, bot: Bot, state: FSMContext, user: User, repos: Repos,
                  clock: Clock, config: Settings, i18n: I18n) -> None:
    name = clean_full_name(message.text or "")
    if name is None:
        await message.answer(_("Please send your full name in letters, for example: Asanov Aibek Serikuly."))
        return
    org_id = (await state.get_data()).get("join_org")
    await state.clear()
    asked = await ask_to_join(repos, clock, user.id, org_id, name)
    if asked.outcome is Asked.ORG_HAS_CHAIR:
        await message.answer(_("This organization already has a registered chair. "
                               "Please ask the branch administrator for help."))
        return
    if asked.request is None:
        await message.answer(_("The request was not sent. Send /start to begin again."))
        return
    request = asked.request
    await notify_admins(bot, config, repos, i18n, request, message.from_user.username if message.from_user else None)
    await message.answer(_("Your request to become the chair of <b>{org}</b> ({district}) is sent to the "
                           "administrators. You will get the answer here.").format(
        org=escape(request.org_name), district=escape(request.district)))


async def notify_admins(bot: Bot, config: Settings, repos: Repos, i18n: I18n, request: JoinRequest,
                        username: str | None) -> None:
    for admin in await AdminDirectory.of(config, repos).covering(request.district_id):
        admin_id = admin.user_id
        with i18n.use_locale(admin.locale):
            text = _("🙋 Request #{id}: <b>{name}</b> (Telegram id <code>{user_id}</code>{username}) asks to be "
                     "registered as the chair of <b>{org}</b> ({district}).").format(
                id=request.id, name=escape(request.full_name), user_id=request.user_id,
                username=escape(f", @{username}") if username else "", org=escape(request.org_name),
                district=escape(request.district))
            approve = AdminCb(action="join_ok", ref=request.id).pack()
            reject = AdminCb(action="join_no", ref=request.id).pack()
            keyboard = InlineKeyboardMarkup(inline_keyboard=[[
                InlineKeyboardButton(text=_("✅ Approve"), callback_data=approve),
                InlineKeyboardButton(text=_("❌ Reject"), callback_data=reject),
            ]])
        try:
            await bot.send_message(admin_id, text, reply_markup=keyboard)
        except TelegramAPIError as exc:
            log.warning("could not tell admin %s about join request %s: %s", admin_id, request.id, exc)


# The admin's side -----------------------------------------------------------------------------

async def on_decide(query: CallbackQuery, callback_data: AdminCb, bot: Bot, role: Role, repos: Repos,
                    clock: Clock, config: Settings, i18n: I18n, calendar: ReportingCalendar,
                    fsm_storage: BaseStorage) -> None:
    replace = callback_data.action == "join_rp"
    approve = callback_data.action == "join_ok" or replace
    decision = await decide(repos, clock, query.from_user.id, role, callback_data.ref, approve, replace)
    request = decision.request
    if decision.outcome is Outcome.OUT_OF_SCOPE:
        await refuse_outside(query, role)
    elif request is None:  # no such request
        await refuse(query, NOT_ALLOWED)
    elif decision.outcome is Outcome.ALREADY_DECIDED:
        await query.answer(decided_note(request, calendar), show_alert=True)
        if (message := message_of(query)) is not None:  # the decision stands even when the message is gone
            await message.edit_reply_markup(reply_markup=None)
    elif decision.outcome is Outcome.ORG_TAKEN:
        await query.answer(_("{org} already has a chair, so this request cannot be approved. "
                             "You can reject it.").format(org=request.org_name), show_alert=True)
        if (message := message_of(query)) is not None:
            await message.edit_reply_markup(reply_markup=InlineKeyboardMarkup(inline_keyboard=[[
                InlineKeyboardButton(text=_("Replace the current chair"),
                                     callback_data=AdminCb(action="join_rp", ref=request.id).pack()),
                InlineKeyboardButton(text=_("❌ Reject"),
                                     callback_data=AdminCb(action="join_no", ref=request.id).pack())]]))
    elif decision.outcome is Outcome.USER_IS_CHAIR:
        await query.answer(_("This person is already registered as a chair."), show_alert=True)
    else:
        await query.answer()
        if (message := message_of(query)) is not None:
            await message.edit_text(f"{message.html_text}\n\n{decided_note(request, calendar)}", reply_markup=None)
        await tell_user(bot, config, repos, i18n, fsm_storage, request)
        if decision.previous_chair is not None:
            await tell_previous_chair(bot, repos, i18n, config, decision.previous_chair, request.org_id)


def decided_note(request: JoinRequest, calendar: ReportingCalendar) -> str:
    when = (dates.moment(datetime.fromisoformat(request.decided_at), get_i18n().current_locale, calendar.tz)
            if request.decided_at else "")
    if request.status == "approved":
        return _("✅ Approved by {admin} at {when}.").format(admin=request.decided_by, when=when)
    return _("❌ Rejected by {admin} at {when}.").format(admin=request.decided_by, when=when)


async def tell_user(bot: Bot, config: Settings, repos: Repos, i18n: I18n, fsm_storage: BaseStorage,
                    request: JoinRequest) -> None:
    user = await repos.users.get(request.user_id)
    # Whatever dialog the user had open (say, the invite-code question) is over now.
    await fsm_storage.set_state(StorageKey(bot_id=bot.id, chat_id=request.user_id, user_id=request.user_id), None)
    with i18n.use_locale((user.locale if user else None) or config.bot.default_locale):
        if request.status == "approved":
            text = _("Your request is approved: you are registered as the chair of <b>{org}</b>. Welcome!").format(
                org=escape(request.org_name))
            markup = main_menu(Role("chair"))
        else:
            text = _("Your request to become the chair of <b>{org}</b> was declined. Please ask your district "
                     "branch for the invite code.").format(org=escape(request.org_name))
            markup = None
    try:
        await bot.send_message(request.user_id, text, reply_markup=markup)
    except TelegramAPIError as exc:
        log.warning("could not tell user %s about join request %s: %s", request.user_id, request.id, exc)


async def on_registered(query: CallbackQuery) -> None:
    await query.answer(_("You are already registered."), show_alert=True)


def create_router() -> Router:
    router = Router(name=__name__)
    guest = IsGuest()
    router.callback_query.register(on_start, JoinCb.filter(F.action == "start"), guest)
    router.callback_query.register(on_districts_page, JoinCb.filter(F.action == "dp"), guest)
    router.callback_query.register(on_district, JoinCb.filter(F.action == "d"), guest)
    router.callback_query.register(on_orgs_page, JoinCb.filter(F.action == "op"), guest)
    router.callback_query.register(on_org, JoinCb.filter(F.action == "o"), guest)
    router.callback_query.register(on_registered, JoinCb.filter())
    router.message.filter(guest)  # the only message handler is a guest's: others skip the router at once
    router.message.register(on_name, StateFilter(JoinFlow.name), HasText(), NotCommand(), guest)
    router.callback_query.register(on_decide, AdminCb.filter(F.action.in_({"join_ok", "join_no", "join_rp"})),
                                   IsAdmin())
    return router
