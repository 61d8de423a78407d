"""The monthly report dialog's handlers: each reads the update, asks dialog.py for the step and
shows it with replies.py.

Entry points: the main-menu button, /report, and the OPEN_REPORT inline button (reminders,
My reports). The FSM state routes messages here and keeps the month and the questions asked
(session.py); the draft row holds the answers and the cursor, so a restart or a second device
resumes at the same question.
"""
from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.context import AppContext
from bot.domain.calendar import Month
from bot.domain.roles import Role
from bot.features.report.dialog import Dialog, Show
from bot.features.report.replies import Screen
from bot.features.report.session import ReportDialog, session_of
from bot.features.report.views import not_a_chair_text
from bot.form import engine
from bot.form.kinds.base import Reply
from bot.form.render import ReportCb
from bot.telegram.callbacks import callback_message
from bot.telegram.filters import ButtonData, MenuButton, NotCommand
from bot.telegram.keyboards import MENU_REPORT, OPEN_REPORT
from bot.telegram.resume import register_reprompt
from db.queries.users import User

_IN_DIALOG_RESUME = ("continue", "restart")


def reply_of(message: Message) -> Reply:
    """What the form's kinds read of a message."""
    document = message.document
    return Reply(text=message.text, photo=message.photo[-1].file_id if message.photo else None,
                 image_file=bool(document and (document.mime_type or "").startswith("image/")))


async def cmd_report(message: Message, state: FSMContext, user: User | None, app: AppContext, i18n: I18n) -> None:
    await _open(message, state, user, app, i18n)


async def on_open_button(query: CallbackQuery, state: FSMContext, user: User | None, app: AppContext,
                         i18n: I18n) -> None:
    message = await callback_message(query)
    if message is None:
        return
    await query.answer()  # the button is under a reminder or My reports: that message stays as it is
    await _open(message, state, user, app, i18n)


async def _open(message: Message, state: FSMContext, user: User | None, app: AppContext, i18n: I18n) -> None:
    if user is None or user.org_id is None:
        await message.answer(not_a_chair_text())
        return
    step = await Dialog.of(app).open(user.org_id, user.id, app.calendar.open_month(app.clock.now()))
    await Screen(message, state, app, i18n.current_locale).enter(step)


async def on_message(message: Message, state: FSMContext, user: User | None, app: AppContext, i18n: I18n) -> None:
    session = await session_of(state, user)
    step = await Dialog.of(app).reply(session, reply_of(message), message.date)
    await Screen(message, state, app, i18n.current_locale).show(step)


async def on_button(query: CallbackQuery, callback_data: ReportCb, state: FSMContext, user: User | None,
                    role: Role, app: AppContext, i18n: I18n) -> None:
    """Every button of a question or of the summary."""
    message = await callback_message(query)
    if message is None:
        return
    session = await session_of(state, user)
    step = await Dialog.of(app).press(session, callback_data.action, callback_data.key, callback_data.index)
    await Screen(message, state, app, i18n.current_locale, query, role).show(step)


async def on_resume_choice(query: CallbackQuery, callback_data: ReportCb, state: FSMContext, user: User | None,
                           app: AppContext, i18n: I18n) -> None:
    message = await callback_message(query)
    session = await session_of(state, user)
    if message is None:
        return
    if session is None:
        await on_stale_button(query)
        return
    step = await Dialog.of(app).resume(session, over=callback_data.action == "restart")
    await Screen(message, state, app, i18n.current_locale, query).enter(step)


async def on_edit_submitted(query: CallbackQuery, callback_data: ReportCb, state: FSMContext, user: User | None,
                            app: AppContext, i18n: I18n) -> None:
    message = await callback_message(query)
    if message is None:
        return
    if user is None:
        await on_stale_button(query)
        return
    step = await Dialog.of(app).edit_submitted(user.org_id, user.id, callback_data.key)
    await Screen(message, state, app, i18n.current_locale, query=query).enter(step)


async def on_stale_button(query: CallbackQuery) -> None:
    await query.answer(_("This button is no longer active. Press /report to continue your report."),
                       show_alert=True)


async def on_resume_message(message: Message, state: FSMContext, app: AppContext, i18n: I18n) -> None:
    month = Month.parse((await state.get_data())["month"])
    await Screen(message, state, app, i18n.current_locale).ask_resume(month)


async def reprompt_report(message: Message, state: FSMContext, app: AppContext, i18n: I18n,
                          user: User | None = None, restarted: bool = False, **_: Any) -> None:
    """The current question again. After a restart (`restarted`, outside any update) it says so first,
    with how many answers are saved, in the chair's language."""
    if not restarted:
        await _reprompt(message, state, user, app, i18n.current_locale)
        return
    user = user or await app.repos.users.get(message.chat.id)  # a private chat: the chat is the chair
    locale = user.locale if user and user.locale else i18n.default_locale
    with i18n.context(), i18n.use_locale(locale):
        await _reprompt(message, state, user, app, locale, restarted=True)


async def _reprompt(message: Message, state: FSMContext, user: User | None, app: AppContext, locale: str,
                    restarted: bool = False) -> None:
    session = await session_of(state, user)
    screen = Screen(message, state, app, locale)
    step = await Dialog.of(app).current(session)
    note = None
    if restarted and isinstance(step, Show):
        form = app.config.form
        note = "🔄 " + _("The bot was restarted. Saved answers: {saved} of {total}.").format(
            saved=engine.answered_count(form, step.draft.answers), total=len(form.fields))
    if session is not None and await state.get_state() == ReportDialog.resume_choice.state:
        await screen.ask_resume(Month.parse(session.month), note)
        return
    await screen.show(step, note)


register_reprompt(ReportDialog.__name__, reprompt_report)


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
