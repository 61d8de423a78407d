"""/admins (list, add, remove administrators) and /audit (the audit log), for branch admins."""
from __future__ import annotations

import json
from datetime import datetime
from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain import dates
from bot.domain.admins import AdminDirectory
from bot.domain.calendar import ReportingCalendar
from bot.domain.clock import Clock
from bot.domain.roles import Role
from bot.features.admin.service import add_admin, remove_admin
from bot.features.commands.menus import clear_admin_commands, set_admin_commands
from bot.i18n import N_
from bot.telegram.admin import (
    BRANCH_ONLY,
    MENU_ADMINS,
    MENU_AUDIT,
    NOT_ALLOWED,
    AdminCb,
    AdminMenuButton,
    district_in_scope,
    message_of,
    paged,
    refuse,
    refuse_outside,
)
from bot.telegram.filters import HasText, IsAdmin, IsBranchAdmin, MenuButton, NotCommand
from bot.telegram.resume import register_reprompt
from db.repos import Repos

AUDIT_PAGE = 10
ROLE_NAMES = {"branch": N_("branch admin"), "region": N_("region admin"), "district": N_("district admin")}


class AddAdmin(StatesGroup):
    user_id = State()


async def render_admins(config: Settings, repos: Repos) -> tuple[str, InlineKeyboardMarkup]:
    lines = [_("<b>Administrators</b>")]
    buttons = [[InlineKeyboardButton(text=_("➕ Add an administrator"),
                                     callback_data=AdminCb(action="adm_add").pack())]]
    for admin in await AdminDirectory.of(config, repos).all():
        scope = _("whole region") if admin.scope == "branch" else \
            _("region: {region}").format(region=escape(admin.region or "?")) if admin.is_region else \
            escape(admin.district or "?")
        origin = _(" (config.toml)") if admin.bootstrap else ""
        lines.append(f"• <code>{admin.user_id}</code>: {scope}{origin}")
        if not admin.bootstrap:
            buttons.append([InlineKeyboardButton(
                text=_("❌ Remove {user_id}").format(user_id=admin.user_id),
                callback_data=AdminCb(action="adm_rm", ref=admin.user_id).pack())])
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=buttons)


async def cmd_admins(message: Message, state: FSMContext, config: Settings, repos: Repos) -> None:
    await state.clear()
    text, keyboard = await render_admins(config, repos)
    await message.answer(text, reply_markup=keyboard)


async def cmd_branch_only(message: Message) -> None:
    await message.answer(_(BRANCH_ONLY))


async def on_add(query: CallbackQuery, state: FSMContext) -> None:
    await query.answer()
    await state.set_state(AddAdmin.user_id)
    if (message := message_of(query)) is not None:
        await ask_user_id(message, state)


async def ask_user_id(message: Message, state: FSMContext, **_data) -> None:
    await message.answer(_("Send the Telegram user id of the new administrator (digits only). "
                           "The person can learn it from a bot such as @userinfobot. /cancel to stop."))


register_reprompt(AddAdmin.__name__, ask_user_id)


async def on_user_id(message: Message, state: FSMContext, config: Settings, repos: Repos) -> None:
    text = (message.text or "").strip()
    if not text.isascii() or not text.isdigit() or not 0 < int(text) < 2 ** 53:
        await message.answer(_("A Telegram user id is a number, for example 123456789. Please send it again."))
        return
    user_id = int(text)
    if AdminDirectory.of(config, repos).is_bootstrap(user_id):
        await state.clear()
        await message.answer(_("This person is an administrator from config.toml; "
                               "their role can only be changed there."))
        return
    await state.clear()
    await message.answer(_("Choose the scope of administrator <code>{user_id}</code>:").format(user_id=user_id),
                         reply_markup=await scope_keyboard(repos, user_id, 0))


async def scope_keyboard(repos: Repos, user_id: int, page: int) -> InlineKeyboardMarkup:
    regions = await repos.orgs.regions()
    items = [(_("Region: {region}").format(region=name), AdminCb(action="adm_scope", region=region_id,
                                                                 ref=user_id).pack())
             for region_id, name in (regions if len(regions) > 1 else [])]
    items += [(name, AdminCb(action="adm_scope", district=district_id, ref=user_id).pack())
              for district_id, name in await repos.orgs.districts_labelled()]
    region = [[InlineKeyboardButton(text=_("🌐 Whole region (branch administrator)"),
                                    callback_data=AdminCb(action="adm_scope", district=0, ref=user_id).pack())]]
    return paged(items, page, lambda p: AdminCb(action="adm_scope_pg", page=p, ref=user_id).pack(), region)


async def on_scope_page(query: CallbackQuery, callback_data: AdminCb, repos: Repos) -> None:
    await query.answer()
    if (message := message_of(query)) is not None:
        await message.edit_reply_markup(reply_markup=await scope_keyboard(repos, callback_data.ref, callback_data.page))


async def on_scope(query: CallbackQuery, callback_data: AdminCb, bot: Bot, role: Role, config: Settings,
                   repos: Repos, clock: Clock, i18n: I18n) -> None:
    user_id = callback_data.ref
    if user_id <= 0 or AdminDirectory.of(config, repos).is_bootstrap(user_id):
        await refuse(query, NOT_ALLOWED)
        return
    district = None
    if callback_data.district:
        district = await district_in_scope(repos, role, callback_data.district)
        if district is None:
            await refuse_outside(query, role)
            return
    elif callback_data.region:
        district = await repos.orgs.region_name(callback_data.region)
        if district is None:
            await refuse_outside(query, role)
            return
    await add_admin(repos, clock, query.from_user.id, role, user_id, callback_data.district or None, district,
                    callback_data.region or None)
    added = await AdminDirectory.of(config, repos).get(user_id)
    if added is not None:
        await set_admin_commands(bot, i18n, added.locale, user_id, added.is_branch)
    await query.answer()
    scope = escape(district) if district else _("whole region")
    if (message := message_of(query)) is not None:
        await message.edit_reply_markup(reply_markup=None)
        await message.answer(_("Administrator <code>{user_id}</code> added: {scope}. They will see the "
                               "administrator menu after sending /start.").format(user_id=user_id, scope=scope))


async def on_remove(query: CallbackQuery, callback_data: AdminCb, bot: Bot, role: Role, config: Settings,
                    repos: Repos, clock: Clock) -> None:
    user_id = callback_data.ref
    if AdminDirectory.of(config, repos).is_bootstrap(user_id):
        await refuse(query, N_("Administrators from config.toml cannot be removed in the bot."))
        return
    if not await remove_admin(repos, clock, query.from_user.id, role, user_id):
        await query.answer(_("This person is no longer an administrator."), show_alert=True)
        return
    await clear_admin_commands(bot, user_id)
    await query.answer(_("Removed"))
    text, keyboard = await render_admins(config, repos)
    if (message := message_of(query)) is not None:
        await message.edit_text(text, reply_markup=keyboard)


async def render_audit(repos: Repos, calendar: ReportingCalendar, locale: str,
                       page: int) -> tuple[str, InlineKeyboardMarkup]:
    total = await repos.audit.count()
    pages = max(1, -(-total // AUDIT_PAGE))
    page = min(max(page, 0), pages - 1)
    entries = await repos.audit.latest(AUDIT_PAGE, page * AUDIT_PAGE)
    lines = [_("<b>Audit log</b>, page {page} of {pages}").format(page=page + 1, pages=pages)]
    if not entries:
        lines.append(_("No entries yet."))
    for e in entries:
        details = json.dumps(e.details, ensure_ascii=False)
        details = details if len(details) <= 200 else details[:199] + "…"
        role = _(ROLE_NAMES[e.actor_role]) if e.actor_role in ROLE_NAMES else escape(e.actor_role)
        when = dates.moment(datetime.fromisoformat(e.at), locale, calendar.tz)
        lines.append(f"#{e.id} {when} · <code>{e.actor_id}</code> ({role})"
                     f" · <b>{escape(e.action)}</b> {escape(e.object_ref)}"
                     + (f"\n    {escape(details)}" if e.details else ""))
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton(text=_("◀ Newer"), callback_data=AdminCb(action="audit", page=page - 1).pack()))
    if page < pages - 1:
        nav.append(InlineKeyboardButton(text=_("Older ▶"), callback_data=AdminCb(action="audit", page=page + 1).pack()))
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=[nav] if nav else [])


async def cmd_audit(message: Message, repos: Repos, calendar: ReportingCalendar, i18n: I18n) -> None:
    text, keyboard = await render_audit(repos, calendar, i18n.current_locale, 0)
    await message.answer(text, reply_markup=keyboard)


async def on_audit_page(query: CallbackQuery, callback_data: AdminCb, repos: Repos,
                        calendar: ReportingCalendar, i18n: I18n) -> None:
    await query.answer()
    text, keyboard = await render_audit(repos, calendar, i18n.current_locale, callback_data.page)
    if (message := message_of(query)) is not None:
        await message.edit_text(text, reply_markup=keyboard)


def create_router() -> Router:
    router = Router(name=__name__)
    # Every handler here is for admins: anyone else's update skips the router with one check.
    router.message.filter(IsAdmin())
    router.callback_query.filter(IsAdmin())
    branch = IsBranchAdmin()
    router.message.register(cmd_admins, Command("admins"), branch)
    router.message.register(cmd_admins, MenuButton(MENU_ADMINS), branch)
    router.message.register(cmd_audit, Command("audit"), branch)
    router.message.register(cmd_audit, MenuButton(MENU_AUDIT), branch)
    router.message.register(cmd_branch_only, Command("admins", "audit"), IsAdmin())
    router.message.register(on_user_id, StateFilter(AddAdmin.user_id), HasText(), NotCommand(), ~AdminMenuButton(),
                            branch)
    router.callback_query.register(on_add, AdminCb.filter(F.action == "adm_add"), branch)
    router.callback_query.register(on_scope_page, AdminCb.filter(F.action == "adm_scope_pg"), branch)
    router.callback_query.register(on_scope, AdminCb.filter(F.action == "adm_scope"), branch)
    router.callback_query.register(on_remove, AdminCb.filter(F.action == "adm_rm"), branch)
    router.callback_query.register(on_audit_page, AdminCb.filter(F.action == "audit"), branch)
    return router
