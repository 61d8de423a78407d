"""Roster upload (a CSV/XLSX document from a branch admin), /codes and new invite codes."""
from __future__ import annotations

from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.config import Settings
from bot.domain.audit import audit
from bot.domain.clock import Clock
from bot.domain.roles import Role
from bot.domain.text import split_message
from bot.features.orgs.summary import change_lines, offer_archive
from bot.features.roster.service import MAX_FILE_BYTES, codes_files, upload_roster
from bot.telegram.admin import (
    BRANCH_ONLY,
    MENU_CODES,
    AdminCb,
    district_in_scope,
    org_in_scope,
    paged,
    refuse,
    refuse_outside,
    region_of,
    scope_of,
    scope_ref,
)
from bot.telegram.callbacks import callback_message
from bot.telegram.filters import HasDocument, IsAdmin, IsBranchAdmin, MenuButton
from db.queries.orgs import reissue_code
from db.queries.users import User
from db.repos import Repos

SHOWN_PROBLEMS = 30
SHOWN_NAMES = 20


async def on_roster_document(message: Message, bot: Bot, user: User, role: Role, repos: Repos,
                             clock: Clock, config: Settings, state: FSMContext) -> None:
    document = message.document
    name = (document.file_name if document else None) or ""
    if not name.lower().endswith((".csv", ".xlsx")):
        await message.answer(_("Please send the roster as a .csv or .xlsx file with the columns "
                               "district, organization, sector, members."))
        return
    if document is None or (document.file_size or 0) > MAX_FILE_BYTES:
        await message.answer(_("The file is too large (at most 5 MB)."))
        return
    downloaded = await bot.download(document)
    result = await upload_roster(repos, clock, user.id, role, name, downloaded.read() if downloaded else b"",
                                 config.bot.region)
    summary = result.summary
    if summary is None:
        lines = [ngettext("The roster was <b>not applied</b>: {n} problem. Fix the file and send it again.",
                          "The roster was <b>not applied</b>: {n} problems. Fix the file and send it again.",
                          len(result.problems)).format(n=len(result.problems))]
        lines += [escape(p) for p in result.problems[:SHOWN_PROBLEMS]]
        if len(result.problems) > SHOWN_PROBLEMS:
            lines.append(_("…and {n} more.").format(n=len(result.problems) - SHOWN_PROBLEMS))
        await send_parts(message, "\n".join(lines))
        return
    lines = [_("The roster is applied.\nDistricts added: {districts}\nOrganizations added: {added}\n"
               "Organizations changed: {changed}\nUnchanged: {unchanged}").format(
        districts=len(summary.districts_added), added=len(summary.added), changed=len(summary.changed),
        unchanged=summary.unchanged)]
    for title, names in ((_("Added:"), summary.added), (_("Changed:"), summary.changed)):
        if names:
            shown = ", ".join(escape(f"{org} ({district})") for district, org in names[:SHOWN_NAMES])
            more = _(" …and {n} more").format(n=len(names) - SHOWN_NAMES) if len(names) > SHOWN_NAMES else ""
            lines.append(f"{title} {shown}{more}")
    if summary.absent:
        lines.append(_("Organizations in the bot that the file does not list: {n}. They are kept; "
                       "nothing is ever deleted by an upload.").format(n=len(summary.absent)))
    lines += change_lines(summary)
    await send_parts(message, "\n".join(lines), await offer_archive(state, summary))


async def send_parts(message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """A report longer than one message is sent in several (cut between lines); `markup` on the last."""
    parts = split_message(text)
    for n, part in enumerate(parts, start=1):
        await message.answer(part, reply_markup=markup if n == len(parts) else None)


async def on_document_not_branch(message: Message) -> None:
    await message.answer(_(BRANCH_ONLY))


def new_code_button() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
        text=_("🔄 New code for an organization"), callback_data=AdminCb(action="code_new").pack())]])


async def cmd_codes(message: Message, user: User, role: Role, repos: Repos, clock: Clock) -> None:
    as_csv, as_xlsx = await codes_files(repos, scope_of(role), region_of(role))
    await audit(repos.db, clock, user.id, "codes.download", scope_ref(role), {}, role=role)
    await message.answer_document(BufferedInputFile(as_csv, "codes.csv"),
                                  caption=_("Invite codes of your organizations (CSV and XLSX). "
                                            "Give each chair only their own code."))
    await message.answer_document(BufferedInputFile(as_xlsx, "codes.xlsx"), reply_markup=new_code_button())


async def on_new_code(query: CallbackQuery, role: Role, repos: Repos) -> None:
    if role.is_branch or role.is_region:
        if (message := await callback_message(query)) is None:
            return
        await query.answer()
        items = [(name, AdminCb(action="code_d", district=district_id).pack())
                 for district_id, name in await repos.orgs.districts(region_of(role))]
        await message.answer(_("Choose the district:"), reply_markup=paged(
            items, 0, lambda p: AdminCb(action="code_dp", page=p).pack()))
        return
    await show_orgs(query, role, repos, role.district_id, 0, edit=False)


async def on_districts_page(query: CallbackQuery, callback_data: AdminCb, role: Role, repos: Repos) -> None:
    if not (role.is_branch or role.is_region):
        await refuse(query, BRANCH_ONLY)
        return
    if (message := await callback_message(query)) is None:
        return
    await query.answer()
    items = [(name, AdminCb(action="code_d", district=district_id).pack())
             for district_id, name in await repos.orgs.districts(region_of(role))]
    await message.edit_reply_markup(reply_markup=paged(
        items, callback_data.page, lambda p: AdminCb(action="code_dp", page=p).pack()))


async def show_orgs(query: CallbackQuery, role: Role, repos: Repos, district_id: int | None, page: int,
                    edit: bool) -> None:
    if district_id is None or await district_in_scope(repos, role, district_id) is None:
        await refuse_outside(query, role)
        return
    if (message := await callback_message(query)) is None:
        return
    await query.answer()
    items = [(org.name, AdminCb(action="code_o", org=org.id).pack()) for org in await repos.orgs.all(district_id)]
    keyboard = paged(items, page, lambda p: AdminCb(action="code_op", district=district_id, page=p).pack())
    if edit:
        await message.edit_reply_markup(reply_markup=keyboard)
    else:
        await message.answer(_("Choose the organization that needs a new code:"), reply_markup=keyboard)


async def on_code_district(query: CallbackQuery, callback_data: AdminCb, role: Role, repos: Repos) -> None:
    await show_orgs(query, role, repos, callback_data.district, 0, edit=False)


async def on_orgs_page(query: CallbackQuery, callback_data: AdminCb, role: Role, repos: Repos) -> None:
    await show_orgs(query, role, repos, callback_data.district, callback_data.page, edit=True)


async def on_code_org(query: CallbackQuery, callback_data: AdminCb, role: Role, repos: Repos) -> None:
    org = await org_in_scope(repos, role, callback_data.org)
    if org is None:
        await refuse_outside(query, role)
        return
    if (message := await callback_message(query)) is None:
        return
    await query.answer()
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
        text=_("✅ Issue a new code"), callback_data=AdminCb(action="code_ok", org=org.id).pack())], [
        InlineKeyboardButton(text=_("Replace the chair"), callback_data=AdminCb(action="org_rc", org=org.id).pack())]])
    await message.answer(_("Issue a new invite code for <b>{org}</b> ({district})? "
                                 "The old code will stop working.").format(
        org=escape(org.name), district=escape(org.district)), reply_markup=keyboard)


async def on_code_confirm(query: CallbackQuery, callback_data: AdminCb, user: User, role: Role, repos: Repos,
                          clock: Clock) -> None:
    org = await org_in_scope(repos, role, callback_data.org)
    if org is None:
        await refuse_outside(query, role)
        return
    if (message := await callback_message(query)) is None:  # the new code would be shown nowhere
        return
    code = await reissue_code(repos.db, org.id, clock.now())
    await audit(repos.db, clock, user.id, "code.reissue", f"org:{org.id}",
                {"organization": org.name, "district": org.district}, role=role)
    await query.answer()
    await message.edit_reply_markup(reply_markup=None)
    await message.answer(_("New invite code for <b>{org}</b>: <code>{code}</code>\n"
                                 "The old code no longer works.").format(org=escape(org.name), code=code))


def create_router() -> Router:
    router = Router(name=__name__)
    admin = IsAdmin()
    # Every handler here is for admins: anyone else's update skips the router with one check.
    router.message.filter(admin)
    router.callback_query.filter(admin)
    router.message.register(on_roster_document, HasDocument(), IsBranchAdmin())
    router.message.register(on_document_not_branch, HasDocument(), admin)
    router.message.register(cmd_codes, Command("codes"), admin)
    router.message.register(cmd_codes, MenuButton(MENU_CODES), admin)
    router.callback_query.register(on_new_code, AdminCb.filter(F.action == "code_new"), admin)
    router.callback_query.register(on_districts_page, AdminCb.filter(F.action == "code_dp"), admin)
    router.callback_query.register(on_code_district, AdminCb.filter(F.action == "code_d"), admin)
    router.callback_query.register(on_orgs_page, AdminCb.filter(F.action == "code_op"), admin)
    router.callback_query.register(on_code_org, AdminCb.filter(F.action == "code_o"), admin)
    router.callback_query.register(on_code_confirm, AdminCb.filter(F.action == "code_ok"), admin)
    return router
