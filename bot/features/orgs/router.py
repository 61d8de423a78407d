"""/org NAME-OR-CODE: find an organization within the admin's scope, show its card (profile facts,
chair) and «Replace the chair»: a handover invite code (the old code stops working at once)."""
from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain.audit import audit
from bot.domain.calendar import ReportingCalendar
from bot.domain.clock import Clock
from bot.domain.roles import Role
from bot.features.orgs.months import months_of_card, report_buttons
from bot.features.orgs.summary import ARCHIVE_KEY
from bot.telegram.admin import (
    BRANCH_ONLY,
    PAGE_SIZE,
    AdminCb,
    answer_message,
    message_of,
    org_in_scope,
    paged,
    refuse,
    refuse_outside,
    region_of,
    scope_of,
)
from bot.telegram.filters import IsAdmin
from db.queries.orgs import Organization, issue_deputy_code, reissue_code
from db.queries.roster import archive_orgs
from db.repos import Repos


def _yes_no(value: bool | None) -> str:
    return _("unknown") if value is None else _("yes") if value else _("no")


async def org_card(repos: Repos, org: Organization) -> str:
    chair = await repos.users.chair_of(org.id)
    lines = [f"<b>{escape(org.name)}</b>",
             _("Region: {region}").format(region=escape(org.region or "—")),
             _("District: {district}").format(district=escape(org.district)),
             _("Sector: {sector}").format(sector=escape(org.sector or "—")),
             _("Members: {members}").format(members=org.members),
             _("Chair: {chair}").format(chair=escape(chair.full_name or "—") if chair else _("not registered")),
             _("The chair is a maslikhat deputy: {answer}").format(answer=_yes_no(org.chair_deputy)),
             _("The chair is a Public Council member: {answer}").format(answer=_yes_no(org.chair_council)),
             _("The chair was elected: {date}").format(date=escape(org.chair_elected or "—"))]
    deputy = await repos.users.deputy_of(org.id)
    if deputy is not None:
        lines.append(_("Deputy chair: {name}").format(name=escape(deputy.full_name or "—")))
    if org.org_code:
        lines.append(_("Code in the branch's records: {code}").format(code=escape(org.org_code)))
    if org.archived:
        lines.append(_("Archived."))
    elif org.handover_by is not None:
        lines.append(_("The chair is being replaced: the new chair registers with the new code."))
    return "\n".join(lines)


async def show_card(repos: Repos, org: Organization, config: Settings, calendar: ReportingCalendar,
                    clock: Clock, locale: str) -> tuple[str, InlineKeyboardMarkup | None]:
    """The card with the last twelve months, and its buttons (replace the chair, open a month's report)."""
    months, filed = await months_of_card(repos, org.id, calendar.open_month(clock.now()), locale)
    text = f"{await org_card(repos, org)}\n\n{months}"
    rows = [*(card_keyboard(org, config) or InlineKeyboardMarkup(inline_keyboard=[])).inline_keyboard,
            *report_buttons(org.id, filed, locale)]
    return text, InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


async def cmd_org(message: Message, command: CommandObject, role: Role, repos: Repos, config: Settings,
                  calendar: ReportingCalendar, clock: Clock, i18n: I18n) -> None:
    text = (command.args or "").strip()
    if not text:
        await message.answer(_("Send /org and a part of the organization's name, or its code, e.g. "
                               "<code>/org Құтарыс</code>."))
        return
    found = await repos.orgs.search(text, scope_of(role), region_of(role), limit=PAGE_SIZE)
    if not found:
        await message.answer(_("No organization of yours matches «{text}».").format(text=escape(text[:50])))
        return
    if len(found) == 1:
        text, keyboard = await show_card(repos, found[0], config, calendar, clock, i18n.current_locale)
        await message.answer(text, reply_markup=keyboard)
        return
    items = [(f"{o.name} ({o.district})", AdminCb(action="org_o", org=o.id).pack()) for o in found]
    await message.answer(_("Choose the organization:"), reply_markup=paged(items, 0, lambda p: ""))


def card_keyboard(org: Organization, config: Settings) -> InlineKeyboardMarkup | None:
    if org.archived:
        return None
    rows = [[InlineKeyboardButton(text=_("Replace the chair"),
                                  callback_data=AdminCb(action="org_rc", org=org.id).pack())]]
    if config.registration.deputies:
        rows.append([InlineKeyboardButton(text=_("Invite a deputy chair"),
                                          callback_data=AdminCb(action="org_dp", org=org.id).pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def on_org(query: CallbackQuery, callback_data: AdminCb, role: Role, repos: Repos, config: Settings,
                 calendar: ReportingCalendar, clock: Clock, i18n: I18n) -> None:
    org = await org_in_scope(repos, role, callback_data.org)
    if org is None:
        await refuse_outside(query, role)
        return
    await query.answer()
    text, keyboard = await show_card(repos, org, config, calendar, clock, i18n.current_locale)
    await answer_message(query, text, reply_markup=keyboard)


async def on_replace(query: CallbackQuery, callback_data: AdminCb, role: Role, repos: Repos) -> None:
    org = await org_in_scope(repos, role, callback_data.org)
    if org is None or org.archived:
        await refuse_outside(query, role)
        return
    await query.answer()
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
        text=_("✅ Yes, replace the chair"), callback_data=AdminCb(action="org_rc_ok", org=org.id).pack())]])
    await answer_message(query, _("Replace the chair of <b>{org}</b>? A new invite code is issued and the old "
                                  "one stops working at once. When the new chair registers with it, the "
                                  "current chair is told and can no longer file reports.").format(
        org=escape(org.name)), reply_markup=keyboard)


async def on_replace_confirm(query: CallbackQuery, callback_data: AdminCb, role: Role, repos: Repos,
                             clock: Clock) -> None:
    org = await org_in_scope(repos, role, callback_data.org)
    if org is None or org.archived:
        await refuse_outside(query, role)
        return
    chair = await repos.users.chair_of(org.id)
    code = await reissue_code(repos.db, org.id, clock.now(), handover_by=query.from_user.id)
    await audit(repos.db, clock, query.from_user.id, "org.replace_chair", f"org:{org.id}",
                {"organization": org.name, "district": org.district, "chair": chair.id if chair else None},
                role=role)
    await query.answer()
    await answer_message(query, _("New invite code for the new chair of <b>{org}</b>: <code>{code}</code>\n"
                                  "The old code no longer works.").format(org=escape(org.name), code=code))


async def on_deputy(query: CallbackQuery, callback_data: AdminCb, role: Role, repos: Repos, clock: Clock,
                    config: Settings) -> None:
    """A deputy code for the organization: whoever registers with it becomes its deputy chair."""
    org = await org_in_scope(repos, role, callback_data.org)
    if org is None or org.archived or not config.registration.deputies:
        await refuse_outside(query, role)
        return
    code = await issue_deputy_code(repos.db, org.id, clock.now())
    await audit(repos.db, clock, query.from_user.id, "org.deputy_code", f"org:{org.id}",
                {"organization": org.name, "district": org.district}, role=role)
    await query.answer()
    await answer_message(query, _("Code for the deputy chair of <b>{org}</b>: <code>{code}</code>\n"
                                  "The deputy registers with it like a chair, and may file the report.").format(
        org=escape(org.name), code=code))


async def on_archive(query: CallbackQuery, role: Role, repos: Repos, clock: Clock, state: FSMContext) -> None:
    """The confirm button under a roster upload: archive the organizations the file left out."""
    if not role.is_branch:
        await refuse(query, BRANCH_ONLY)
        return
    org_ids = (await state.get_data()).get(ARCHIVE_KEY) or []
    await state.update_data({ARCHIVE_KEY: []})
    summary = await archive_orgs(repos.db, [int(i) for i in org_ids], clock.now())
    await audit(repos.db, clock, query.from_user.id, "roster.archive", "roster",
                {"organizations": [org for _d, org in summary.archived], "districts": summary.districts_archived},
                role=role)
    await query.answer()
    if (message := message_of(query)) is not None:
        await message.edit_reply_markup(reply_markup=None)
    await answer_message(query, _("Archived: {n} organizations, {d} districts.").format(
        n=len(summary.archived), d=len(summary.districts_archived)))


def create_router() -> Router:
    router = Router(name=__name__)
    admin = IsAdmin()
    router.message.filter(admin)
    router.message.register(cmd_org, Command("org"), admin)
    router.callback_query.register(on_org, AdminCb.filter(F.action == "org_o"), admin)
    router.callback_query.register(on_replace, AdminCb.filter(F.action == "org_rc"), admin)
    router.callback_query.register(on_replace_confirm, AdminCb.filter(F.action == "org_rc_ok"), admin)
    router.callback_query.register(on_deputy, AdminCb.filter(F.action == "org_dp"), admin)
    router.callback_query.register(on_archive, AdminCb.filter(F.action == "arch_ok"), admin)
    return router
