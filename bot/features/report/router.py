"""The monthly report dialog: one question a message, a summary, confirmation.

Entry points: the main-menu button, /report, and the OPEN_REPORT inline button (reminders,
My reports). The FSM state only routes messages here and keeps the month; the draft row holds
the answers and the cursor, so a restart or a second device resumes at the same question.
"""
from __future__ import annotations

import logging
from datetime import datetime
from html import escape
from typing import Any

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Form
from bot.domain import dates
from bot.domain.calendar import Month, ReportingCalendar
from bot.domain.clock import Clock
from bot.domain.roles import Role
from bot.domain.text import split_message
from bot.features.report import service
from bot.form import engine, render
from bot.form.render import ReportCb
from bot.i18n import N_
from bot.telegram.filters import ButtonData, MenuButton, NotCommand
from bot.telegram.keyboards import MENU_REPORT, OPEN_REPORT, main_menu
from bot.telegram.resume import register_reprompt
from db.queries.reports import Draft, Report
from db.queries.users import User
from db.repos import Repos

log = logging.getLogger(__name__)

class ReportDialog(StatesGroup):
    resume_choice = State()
    filling = State()


def not_a_chair_text() -> str:
    return _("Reports are filed by registered chairs of primary organizations. "
             "To register, send /start and enter your organization's invite code.")


async def send_long(message: Message, text: str, **kwargs: Any) -> None:
    """Send text over Telegram's length limit as several messages; the keyboard goes on the last."""
    parts = split_message(text)
    for part in parts[:-1]:
        await message.answer(part)
    await message.answer(parts[-1], **kwargs)


async def ask_current(message: Message, form: Form, draft: Draft, locale: str, error: str | None = None) -> None:
    """The question at the draft's cursor, or the summary when the cursor is at the end."""
    field = form.field(draft.cursor) if draft.cursor else None
    if field is None:
        text = render.summary_text(form, draft.answers, Month.parse(draft.month), locale)
        await send_long(message, f"{error}\n\n{text}" if error else text,
                        reply_markup=render.summary_keyboard(form, locale))
        return
    await message.answer(render.question_text(form, field, draft.answers, locale, error),
                         reply_markup=render.question_keyboard(form, field, draft.answers, locale))


async def show_report(message: Message, report: Report, form: Form, calendar: ReportingCalendar,
                      now: datetime, locale: str) -> None:
    """A submitted report, read-only; with an Edit button while it may still be changed."""
    month = Month.parse(report.month)
    submitted_on = calendar.today(datetime.fromisoformat(report.submitted_at))
    head = _("<b>The report for {month}</b> was submitted on {day}.").format(
        month=dates.month_in_text(month, locale), day=dates.day(submitted_on, locale))
    if report.late:
        head += " " + _("It was submitted after the due date.")
    if report.review == service.Status.ACCEPTED:
        head += " " + _("An administrator has accepted it.")
    body = render.answers_text(form, report.answers, locale)
    if report.review == service.Status.RETURNED:
        comment = _("↩️ Returned for correction: {comment}").format(comment=escape(report.review_comment or ""))
        note = _("Correct it and submit it again; until then it can be changed after the due date too.")
        await send_long(message, f"{head}\n{comment}\n\n{body}\n\n{note}",
                        reply_markup=render.edit_submitted_keyboard(str(month)))
    elif service.is_editable(calendar, report, now):
        until = max(calendar.due_on(month), service.reopened_until(report) or calendar.due_on(month))
        note = _("You can change it until {day} inclusive.").format(day=dates.day(until, locale))
        await send_long(message, f"{head}\n\n{body}\n\n{note}",
                        reply_markup=render.edit_submitted_keyboard(str(month)))
    else:
        note = _("This report can no longer be changed. If something must be corrected, "
                 "ask your district branch to reopen it.")
        await send_long(message, f"{head}\n\n{body}\n\n<i>{note}</i>")


async def open_month(message: Message, state: FSMContext, user: User, month: Month, repos: Repos, form: Form,
                     calendar: ReportingCalendar, clock: Clock, locale: str, ask_resume: bool = True) -> None:
    """Open a month's report for the chair's organization: resume, show, or start it."""
    now = clock.now()
    report = await repos.reports.get(user.org_id, str(month))
    draft = await repos.reports.get_draft(user.org_id, str(month))
    if report and not service.is_editable(calendar, report, now):
        await state.clear()
        await show_report(message, report, form, calendar, now, locale)
        return
    await state.set_data({"month": str(month)})
    if draft and draft.answers and ask_resume:
        await state.set_state(ReportDialog.resume_choice)
        await ask_resume_choice(message, month, locale)
        return
    if report and not draft:
        await state.set_state(None)
        await show_report(message, report, form, calendar, now, locale)
        return
    draft = draft or await service.start_draft(repos, form, user.org_id, month, user.id, now)
    await state.set_state(ReportDialog.filling)
    if not draft.answers:
        await message.answer(_("The report for <b>{month}</b>. Questions: {count}. Your answers are saved "
                               "after each step, so you can stop and continue later.").format(
            month=dates.month_in_text(month, locale), count=len(form.fields)))
    await ask_current(message, form, draft, locale)


async def ask_resume_choice(message: Message, month: Month, locale: str) -> None:
    await message.answer(_("You have an unfinished report for <b>{month}</b>. "
                           "Continue where you left off, or start over?").format(
        month=dates.month_in_text(month, locale)), reply_markup=render.resume_keyboard())


async def cmd_report(message: Message, state: FSMContext, user: User, repos: Repos, form: Form,
                     calendar: ReportingCalendar, clock: Clock, i18n: I18n) -> None:
    if user.org_id is None:
        await message.answer(not_a_chair_text())
        return
    await open_month(message, state, user, calendar.open_month(clock.now()), repos, form, calendar, clock,
                     i18n.current_locale)


async def on_open_button(query: CallbackQuery, state: FSMContext, user: User, repos: Repos, form: Form,
                         calendar: ReportingCalendar, clock: Clock, i18n: I18n) -> None:
    await query.answer()
    if user.org_id is None:
        await query.message.answer(not_a_chair_text())
        return
    await open_month(query.message, state, user, calendar.open_month(clock.now()), repos, form, calendar,
                     clock, i18n.current_locale)


async def _draft(state: FSMContext, user: User, repos: Repos) -> Draft | None:
    month = (await state.get_data()).get("month")
    if user.org_id is None or not month:
        return None
    return await repos.reports.get_draft(user.org_id, month)


def _photo_or_file_problem(message: Message) -> engine.Invalid:
    if message.document and (message.document.mime_type or "").startswith("image/"):
        return engine.Invalid(N_("Please send the picture as a photo, not as a file."))
    return engine.Invalid(N_("Please send a photo, or press «Done»."))


def parse_message(form: Form, field, message: Message, answers: dict[str, Any]) -> Any:
    """The answer a message gives to `field`, or Invalid."""
    if field.type == "int":
        if message.text is None:
            return engine.Invalid(N_("Please send a number, for example 12."))
        value = engine.parse_int(field, message.text)
        return value if isinstance(value, engine.Invalid) else (
            engine.cross_check(form, field.key, value, answers) or value)
    if field.type == "text":
        if message.text is None:
            return engine.Invalid(N_("Please send your answer as a text message."))
        return engine.parse_text(field, message.text)
    if field.type == "photos":
        if not message.photo:
            return _photo_or_file_problem(message)
        return engine.add_photo(field, answers.get(field.key) or [], message.photo[-1].file_id)
    return engine.Invalid(N_("Please choose with the buttons under the question."))


async def on_message(message: Message, state: FSMContext, user: User, repos: Repos, form: Form,
                     clock: Clock, i18n: I18n) -> None:
    locale = i18n.current_locale
    draft = await _draft(state, user, repos)
    if draft is None:
        await state.clear()
        await message.answer(_("This report is no longer open. Press /report to open it again."))
        return
    field = form.field(draft.cursor) if draft.cursor else None
    if field is None:
        await ask_current(message, form, draft, locale,
                          "⚠️ " + _("Please use the buttons under the summary: ✏️ to change an answer, "
                                    "or «Confirm and submit»."))
        return
    value = parse_message(form, field, message, draft.answers)
    if isinstance(value, engine.Invalid):
        await ask_current(message, form, draft, locale, render.error_text(form, field, value, locale))
        return
    if field.type == "photos":
        draft = await service.keep_partial(repos, draft, field.key, value, user.id, clock.now())
        text = _("Photo received ({count} of {max}). Send more or press «Done».") if len(value) < field.max_count \
            else _("Photo received ({count} of {max}). That is the maximum: press «Done».")
        await message.answer(
            text.format(count=len(value), max=field.max_count),
            reply_markup=render.question_keyboard(form, field, draft.answers, locale))
        return
    draft = await service.answer(repos, form, draft, field.key, value, user.id, clock.now())
    await ask_current(message, form, draft, locale)


async def _drop_keyboard(query: CallbackQuery) -> None:
    try:
        await query.message.edit_reply_markup(reply_markup=None)
    except (TelegramBadRequest, AttributeError):
        pass  # too old to edit, or already without buttons


async def on_resume_choice(query: CallbackQuery, callback_data: ReportCb, state: FSMContext, user: User,
                           repos: Repos, form: Form, calendar: ReportingCalendar, clock: Clock, i18n: I18n) -> None:
    month = Month.parse((await state.get_data())["month"])
    await query.answer()
    await _drop_keyboard(query)
    if callback_data.action == "restart":
        await repos.reports.delete_draft(user.org_id, str(month))
        await query.message.answer(_("Starting over."))
    await open_month(query.message, state, user, month, repos, form, calendar, clock, i18n.current_locale,
                     ask_resume=False)


async def on_edit_submitted(query: CallbackQuery, callback_data: ReportCb, state: FSMContext, user: User,
                            repos: Repos, form: Form, calendar: ReportingCalendar, clock: Clock,
                            i18n: I18n) -> None:
    """«Edit» under a submitted report: a draft copy at the summary; the report stays until Confirm."""
    try:
        month = Month.parse(callback_data.key)
    except ValueError:
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    report = await repos.reports.get(user.org_id, str(month)) if user.org_id else None
    if report is None or not service.is_editable(calendar, report, clock.now()):
        await query.answer(_("This report can no longer be changed."), show_alert=True)
        return
    await query.answer()
    await _drop_keyboard(query)
    draft = await repos.reports.get_draft(user.org_id, str(month)) or await service.start_draft(
        repos, form, user.org_id, month, user.id, clock.now(), report)
    await state.set_state(ReportDialog.filling)
    await state.set_data({"month": str(month)})
    await ask_current(query.message, form, draft, i18n.current_locale)


async def cancel(query: CallbackQuery, state: FSMContext, role: Role) -> None:
    await state.clear()
    await query.answer()
    await _drop_keyboard(query)
    await query.message.answer(_("Stopped. Your answers are kept as a draft: press /report to continue."),
                               reply_markup=main_menu(role))


async def confirm(query: CallbackQuery, state: FSMContext, draft: Draft, user: User, role: Role, repos: Repos,
                  form: Form, calendar: ReportingCalendar, clock: Clock, locale: str) -> None:
    now = clock.now()
    problem = engine.first_problem(form, draft.answers)
    if problem is not None:
        key, invalid = problem
        await query.answer()
        draft = await service.go_to(repos, draft, key, user.id, now)
        field = form.field(key)
        error = render.error_text(form, field, invalid, locale) if invalid else \
            "⚠️ " + _("Please answer this question first.")
        await ask_current(query.message, form, draft, locale, error)
        return
    existing = await repos.reports.get(draft.org_id, draft.month)
    if existing and not service.is_editable(calendar, existing, now):
        await query.answer(_("This report can no longer be changed."), show_alert=True)
        await state.clear()
        return
    result = await service.submit(repos, form, calendar, draft, existing, user.id, now)
    await state.clear()
    await query.answer(_("Submitted"))
    await _drop_keyboard(query)
    month = Month.parse(draft.month)
    title = dates.month_in_text(month, locale)
    if not result.first_time:
        text = _("✅ The changes to the report for {month} are saved.").format(month=title)
    else:
        text = _("✅ The report for {month} is received. Thank you!").format(month=title)
        if result.late:
            text += "\n" + _("It came after the due date ({day}), so it is marked as late.").format(
                day=dates.day(calendar.due_on(month), locale))
    log.info("org %s submitted the report for %s (late=%s)", draft.org_id, draft.month, result.late)
    await query.message.answer(text, reply_markup=main_menu(role))


async def on_button(query: CallbackQuery, callback_data: ReportCb, state: FSMContext, user: User, role: Role,
                    repos: Repos, form: Form, calendar: ReportingCalendar, clock: Clock, i18n: I18n) -> None:
    """Every button of a question or of the summary. A button whose question is not the current one
    (an old message) is refused and changes nothing."""
    locale = i18n.current_locale
    action, key = callback_data.action, callback_data.key
    if action == "cancel":
        await cancel(query, state, role)
        return
    draft = await _draft(state, user, repos)
    field = form.field(key) if key else None
    at_summary = draft is not None and draft.cursor is None
    if draft is None or (action in ("edit", "confirm") and not at_summary) or \
            (action not in ("edit", "confirm") and (field is None or key != draft.cursor)):
        await query.answer(_("This button belongs to an earlier step. Please use the latest message."),
                           show_alert=True)
        return
    now = clock.now()
    option = engine.option_index(field, callback_data.index) if field else None
    if action == "confirm":
        await confirm(query, state, draft, user, role, repos, form, calendar, clock, locale)
        return
    if action == "edit" and field is not None:
        draft = await service.go_to(repos, draft, key, user.id, now)
    elif action == "back":
        moved = await service.go_back(repos, form, draft, user.id, now)
        if moved is None:
            await query.answer(_("This is the first question."), show_alert=True)
            return
        draft = moved
    elif action == "toggle" and field.type == "multi" and option is not None:
        chosen = engine.toggle(field, draft.answers.get(key) or [], option)
        draft = await service.keep_partial(repos, draft, key, chosen, user.id, now)
        await query.answer()
        try:
            await query.message.edit_reply_markup(
                reply_markup=render.question_keyboard(form, field, draft.answers, locale))
        except TelegramBadRequest:  # the message is too old to edit: ask again below it
            await ask_current(query.message, form, draft, locale)
        return
    elif action == "pick" and field.type == "choice" and option is not None:
        draft = await service.answer(repos, form, draft, key, option, user.id, now)
    elif action == "done" and field.type in ("multi", "photos"):
        value = engine.finish_multi(field, draft.answers.get(key))
        if isinstance(value, engine.Invalid):
            await query.answer(render.error_text(form, field, value, locale), show_alert=True)
            return
        draft = await service.answer(repos, form, draft, key, value, user.id, now)
    elif action == "clear" and field.type == "photos":
        draft = await service.keep_partial(repos, draft, key, [], user.id, now)
    elif action == "skip" and field.type in ("text", "choice") and not field.required:
        draft = await service.answer(repos, form, draft, key, engine.skip_value(field), user.id, now)
    else:
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    await query.answer()
    await _drop_keyboard(query)
    await ask_current(query.message, form, draft, locale)


async def on_stale_button(query: CallbackQuery) -> None:
    await query.answer(_("This button is no longer active. Press /report to continue your report."),
                       show_alert=True)


async def on_resume_message(message: Message, state: FSMContext, i18n: I18n) -> None:
    month = Month.parse((await state.get_data())["month"])
    await ask_resume_choice(message, month, i18n.current_locale)


async def reprompt_report(message: Message, state: FSMContext, user: User, repos: Repos, form: Form,
                          i18n: I18n, **_: Any) -> None:
    if await state.get_state() == ReportDialog.resume_choice.state:
        await on_resume_message(message, state, i18n)
        return
    draft = await _draft(state, user, repos)
    if draft is None:
        await state.clear()
        return
    await ask_current(message, form, draft, i18n.current_locale)


register_reprompt(ReportDialog.__name__, reprompt_report)
_IN_DIALOG_RESUME = ("continue", "restart")


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_report, Command("report"))
    router.message.register(cmd_report, MenuButton(MENU_REPORT))
    router.callback_query.register(on_open_button, ButtonData(OPEN_REPORT))
    router.callback_query.register(on_resume_choice, StateFilter(ReportDialog.resume_choice),
                                   ReportCb.filter(F.action.in_(_IN_DIALOG_RESUME)))
    router.callback_query.register(on_edit_submitted, ReportCb.filter(F.action == "edit_submitted"))
    router.callback_query.register(on_button, StateFilter(ReportDialog.filling),
                                   ReportCb.filter(~F.action.in_(_IN_DIALOG_RESUME)))
    router.callback_query.register(on_stale_button, ReportCb.filter())
    router.message.register(on_resume_message, StateFilter(ReportDialog.resume_choice), NotCommand())
    router.message.register(on_message, StateFilter(ReportDialog.filling), NotCommand())
    return router
