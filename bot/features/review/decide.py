"""An admin opens the reports of a district's organizations (from /stats) and reviews one: «Accept» or
«Return for correction» with a comment typed in the chat. Handlers read, call the service, render."""
from __future__ import annotations

from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Form, Settings
from bot.domain import dates
from bot.domain.calendar import Month
from bot.domain.clock import Clock
from bot.domain.roles import Role
from bot.features.review.service import ACCEPTED, COMMENT_LIMIT, RETURNED, review_report, tell_chair_review
from bot.form import render, rules
from bot.telegram.admin import (
    NOT_ALLOWED,
    AdminCb,
    AdminMenuButton,
    answer_message,
    district_in_scope,
    message_of,
    org_in_scope,
    paged,
    parse_month,
    refuse,
    refuse_outside,
)
from bot.telegram.filters import HasText, IsAdmin, NotCommand
from bot.telegram.resume import register_reprompt
from db.queries.orgs import Organization
from db.repos import Repos

REVIEW_ICONS = {"submitted": "🆕", ACCEPTED: "☑️", RETURNED: "↩️"}


class ReviewComment(StatesGroup):
    text = State()


def review_label(review: str) -> str:
    if review == ACCEPTED:
        return _("accepted")
    if review == RETURNED:
        return _("returned for correction")
    return _("waiting for review")


async def on_district(query: CallbackQuery, callback_data: AdminCb, role: Role, repos: Repos, i18n: I18n) -> None:
    """The organizations of a district that reported for the month, each with its review status."""
    month = parse_month(callback_data.month)
    if month is None:
        await refuse(query, NOT_ALLOWED)
        return
    district = await district_in_scope(repos, role, callback_data.district)
    if district is None:
        await refuse_outside(query, role)
        return
    await query.answer()
    locale = i18n.current_locale
    orgs = await repos.reports.reviewed_orgs(str(month), callback_data.district)
    items = [(f"{REVIEW_ICONS.get(review, '')} {name}", AdminCb(action="rv_o", month=str(month), org=org_id).pack())
             for org_id, name, review in orgs]
    previous = [[InlineKeyboardButton(text="◀ " + dates.month(month.prev(), locale), callback_data=AdminCb(
        action="rv_d", month=str(month.prev()), district=callback_data.district).pack())]]
    keyboard = paged(items, callback_data.page, lambda p: AdminCb(
        action="rv_dp", month=str(month), district=callback_data.district, page=p).pack(), previous)
    if callback_data.action == "rv_dp" and (message := message_of(query)) is not None:
        await message.edit_reply_markup(reply_markup=keyboard)
        return
    head = _("<b>{district}</b>, reports for {month}: {count}").format(
        district=escape(district), month=dates.month_in_text(month, locale), count=len(orgs))
    legend = _("🆕 waiting for review · ☑️ accepted · ↩️ returned. Press an organization to open its report.")
    await answer_message(query, f"{head}\n{legend}" if orgs else head, reply_markup=keyboard)


def decision_keyboard(org: Organization, month: Month) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=_("✅ Accept"), callback_data=AdminCb(action="rv_ok", org=org.id,
                                                                        month=str(month)).pack()),
         InlineKeyboardButton(text=_("↩️ Return for correction"), callback_data=AdminCb(
             action="rv_ret", org=org.id, month=str(month)).pack())]])


async def on_open(query: CallbackQuery, callback_data: AdminCb, bot: Bot, role: Role, repos: Repos, form: Form,
                  i18n: I18n) -> None:
    """One organization's report: its photos as an album, then its answers with the review buttons."""
    month = parse_month(callback_data.month)
    org = await org_in_scope(repos, role, callback_data.org)
    if month is None or org is None:
        await refuse_outside(query, role)
        return
    report = await repos.reports.get(org.id, str(month))
    if report is None:
        await query.answer(_("This organization has no submitted report for that month."), show_alert=True)
        return
    await query.answer()
    locale = i18n.current_locale
    photos = [p for f in form.fields if f.type == "photos" for p in report.answers.get(f.key) or []]
    if len(photos) == 1:
        await bot.send_photo(query.from_user.id, photos[0])
    elif photos:
        await bot.send_media_group(query.from_user.id, [InputMediaPhoto(media=p) for p in photos[:10]])
    head = _("<b>{org}</b>, report for {month}: {status}").format(
        org=escape(org.name), month=dates.month_in_text(month, locale), status=review_label(report.review))
    if report.late:
        head += "\n" + _("It was submitted after the due date.")
    if report.review == RETURNED and report.review_comment:
        head += "\n" + _("Comment: {comment}").format(comment=escape(report.review_comment))
    last = await repos.reports.get(org.id, str(month.prev()))
    for warning in rules.check(form, report.answers, last.answers if last else None):
        head += "\n" + rules.warning_text(form, warning, locale)
    body = render.answers_text(form, report.answers, locale)
    await answer_message(query, f"{head}\n\n{body}", reply_markup=decision_keyboard(org, month))


async def on_accept(query: CallbackQuery, callback_data: AdminCb, bot: Bot, role: Role, repos: Repos,
                    clock: Clock, config: Settings, i18n: I18n) -> None:
    month = parse_month(callback_data.month)
    org = await org_in_scope(repos, role, callback_data.org)
    if month is None or org is None:
        await refuse_outside(query, role)
        return
    if not await review_report(repos, clock, query.from_user.id, role, org, month, ACCEPTED):
        await query.answer(_("This organization has no submitted report for that month."), show_alert=True)
        return
    await query.answer(_("Accepted"))
    if (message := message_of(query)) is not None:
        await message.edit_reply_markup(reply_markup=None)
    await answer_message(query, _("The report of <b>{org}</b> for {month} is accepted.").format(
        org=escape(org.name), month=dates.month_in_text(month, i18n.current_locale)))
    await tell_chair_review(bot, repos, i18n, config, org, month, ACCEPTED, None)


async def on_return(query: CallbackQuery, callback_data: AdminCb, state: FSMContext, role: Role,
                    repos: Repos) -> None:
    month = parse_month(callback_data.month)
    org = await org_in_scope(repos, role, callback_data.org)
    if month is None or org is None:
        await refuse_outside(query, role)
        return
    if await repos.reports.get(org.id, str(month)) is None:
        await query.answer(_("This organization has no submitted report for that month."), show_alert=True)
        return
    await query.answer()
    await state.set_state(ReviewComment.text)
    await state.set_data({"org": org.id, "month": str(month), "name": org.name})
    if (message := message_of(query)) is not None:
        await ask_comment(message, state)


async def ask_comment(message: Message, state: FSMContext, **_data: object) -> None:
    data = await state.get_data()
    await message.answer(_("What must <b>{org}</b> correct? Type the comment for the chair (they will see it "
                           "in the bot). /cancel to stop.").format(org=escape(str(data.get("name", "")))))


register_reprompt(ReviewComment.__name__, ask_comment)


async def on_comment(message: Message, state: FSMContext, bot: Bot, role: Role, repos: Repos, clock: Clock,
                     config: Settings, i18n: I18n) -> None:
    comment = (message.text or "").strip()
    if len(comment) > COMMENT_LIMIT:
        await message.answer(_("The comment is too long: at most {limit} characters. Please shorten it.").format(
            limit=COMMENT_LIMIT))
        return
    data = await state.get_data()
    await state.clear()
    month = parse_month(str(data.get("month", "")))
    org = await org_in_scope(repos, role, int(data.get("org", 0)))
    if month is None or org is None:
        await message.answer(_("This is outside your district. Nothing was done."))
        return
    if not await review_report(repos, clock, message.chat.id, role, org, month, RETURNED, comment):
        await message.answer(_("This organization has no submitted report for that month."))
        return
    await message.answer(_("The report of <b>{org}</b> for {month} is returned for correction; the chair "
                           "has your comment.").format(org=escape(org.name),
                                                      month=dates.month_in_text(month, i18n.current_locale)))
    await tell_chair_review(bot, repos, i18n, config, org, month, RETURNED, comment)


def create_router() -> Router:
    router = Router(name=__name__)
    admin = IsAdmin()
    router.message.filter(admin)
    router.message.register(on_comment, StateFilter(ReviewComment.text), HasText(), NotCommand(),
                            ~AdminMenuButton())
    router.callback_query.register(on_district, AdminCb.filter(F.action.in_({"rv_d", "rv_dp"})), admin)
    router.callback_query.register(on_open, AdminCb.filter(F.action == "rv_o"), admin)
    router.callback_query.register(on_accept, AdminCb.filter(F.action == "rv_ok"), admin)
    router.callback_query.register(on_return, AdminCb.filter(F.action == "rv_ret"), admin)
    return router
