"""What the admin routers share: callback data, scope checks, refusals, paged button lists."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram.filters import BaseFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import LOCALES
from bot.domain.calendar import Month
from bot.domain.roles import Role
from bot.i18n import N_
from bot.telegram.callbacks import message_of
from db.queries.orgs import Organization
from db.repos import Repos

PAGE_SIZE = 8

# Admin entries of the main menu.
MENU_STATS = N_("📊 Statistics")
MENU_EXPORT = N_("📤 Export")
MENU_CODES = N_("🔑 Invite codes")
MENU_REOPEN = N_("🔓 Reopen a report")
MENU_ADMINS = N_("👥 Administrators")
MENU_AUDIT = N_("📜 Audit log")
ADMIN_MENU = (MENU_STATS, MENU_EXPORT, MENU_CODES, MENU_REOPEN, MENU_ADMINS, MENU_AUDIT)
MENU_BROADCAST = N_("📣 Broadcast")  # its own row, below the others

NOT_ALLOWED = N_("You are not allowed to do this.")
BRANCH_ONLY = N_("Only branch administrators can do this.")
OUT_OF_SCOPE = N_("This is outside your district. Nothing was done.")
OUT_OF_REGION = N_("This is outside your region. Nothing was done.")



class AdminCb(CallbackData, prefix="adm"):
    """Every admin button. Object ids here may be forged: handlers check them against the role."""
    action: str
    district: int = 0
    org: int = 0
    month: str = ""
    page: int = 0
    ref: int = 0  # a user id or a join request id
    region: int = 0


def scope_of(role: Role) -> int | None:
    """The district an admin is limited to; None for a branch or region admin (see region_of). A
    district admin whose district is not in the roster (a typo in config.toml) gets 0, which matches
    no district."""
    if role.is_branch or role.is_region:
        return None
    return role.district_id if role.district_id is not None else 0


def region_of(role: Role) -> int | None:
    """The region a region admin is limited to (0, matching none, when not in the roster); None for
    anyone else (district admins are limited by scope_of)."""
    if not role.is_region:
        return None
    return role.region_id if role.region_id is not None else 0


def scope_ref(role: Role) -> str:
    """The audit's object for a scope: 'branch', 'region:N' or 'district:N'."""
    if role.is_region:
        return f"region:{region_of(role)}"
    district = scope_of(role)
    return "branch" if district is None else f"district:{district}"


async def refuse(query: CallbackQuery, msgid: str) -> None:
    await query.answer(_(msgid), show_alert=True)


async def refuse_outside(query: CallbackQuery, role: Role) -> None:
    """An object outside the admin's scope: named as the admin's district or region."""
    await refuse(query, OUT_OF_REGION if role.is_region else OUT_OF_SCOPE)


async def answer_message(query: CallbackQuery, text: str, **kwargs: Any) -> None:
    """Reply in the chat of the pressed button."""
    message = message_of(query)
    if message is not None:
        await message.answer(text, **kwargs)


async def district_in_scope(repos: Repos, role: Role, district_id: int) -> str | None:
    """The district's name when it exists and the role covers it."""
    if not role.covers_district(district_id):
        return None
    return await repos.orgs.district_name(district_id)


async def org_in_scope(repos: Repos, role: Role, org_id: int) -> Organization | None:
    org = await repos.orgs.get(org_id)
    return org if org is not None and role.covers_district(org.district_id) else None


def parse_month(text: str) -> Month | None:
    try:
        return Month.parse(text)
    except ValueError:
        return None


def paged(items: list[tuple[str, str]], page: int, page_cb: Callable[[int], str],
          extra: list[list[InlineKeyboardButton]] | None = None) -> InlineKeyboardMarkup:
    """One button per item (label, callback data), PAGE_SIZE a page, with ◀ ▶ between pages."""
    pages = max(1, -(-len(items) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    rows = [[InlineKeyboardButton(text=label, callback_data=data)]
            for label, data in items[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]]
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton(text="◀", callback_data=page_cb(page - 1)))
    if page < pages - 1:
        nav.append(InlineKeyboardButton(text="▶", callback_data=page_cb(page + 1)))
    if nav:
        rows.append(nav)
    return InlineKeyboardMarkup(inline_keyboard=rows + (extra or []))


class AdminMenuButton(BaseFilter):
    """Any admin entry of the main menu: a dialog waiting for typed text lets these through."""

    async def __call__(self, message: Message, i18n: I18n) -> bool:
        if not message.text:
            return False
        return message.text in {i18n.gettext(msgid, locale=locale) for msgid in ADMIN_MENU for locale in LOCALES}


def admin_menu_buttons(role: Role) -> list[list[KeyboardButton]]:
    if not role.is_admin:
        return []
    rows = [[KeyboardButton(text=_(MENU_STATS)), KeyboardButton(text=_(MENU_EXPORT))],
            [KeyboardButton(text=_(MENU_CODES)), KeyboardButton(text=_(MENU_REOPEN))]]
    if role.is_branch:
        rows.append([KeyboardButton(text=_(MENU_ADMINS)), KeyboardButton(text=_(MENU_AUDIT))])
    rows.append([KeyboardButton(text=_(MENU_BROADCAST))])
    return rows


def admin_commands_help() -> str:
    return _("<b>Administrators</b>\n"
             "/stats: this month at a glance\n"
             "/export: a month's reports as XLSX or CSV\n"
             "/codes: invite codes, and a new code for an organization\n"
             "/org NAME or CODE: an organization's card; replace its chair\n"
             "/reopen: reopen a submitted report for editing\n"
             "/broadcast: send a message to chairs; /broadcasts: the latest ones with receipts\n"
             "/digest: the weekly digest now\n"
             "Branch administrators also:\n"
             "/admins: add and remove administrators\n"
             "/audit: the log of administrators' actions\n"
             "a CSV or XLSX file with the columns district, organization, sector, members updates the roster")
