"""Shows the report dialog's steps (dialog.py) in the chat, and records which question is shown.

A press that answers a question costs two Bot API calls: the callback's answer, and the next
question as a new message that starts with the answer just given. The pressed message keeps its
buttons (as a question answered by typing does): they are checked against their own question, so
a press there later is a duplicate, a change of that answer, or refused. A press that changes the
question it is under (an option toggled, the photos removed) edits that message in place. Only the
presses that end the dialog (Confirm, Stop) or leave a message that is not a question (Continue,
Edit the report) take its buttons away.
"""
from __future__ import annotations

import logging
from contextlib import suppress
from dataclasses import dataclass
from html import escape
from typing import Any

from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.config import Form
from bot.context import AppContext
from bot.domain import dates
from bot.domain.calendar import Month
from bot.domain.roles import Role
from bot.features.report import dialog as d
from bot.features.report.session import SUMMARY, ReportDialog, begin, remember_asked
from bot.features.report.views import send_long, show_report
from bot.form import render, rules
from bot.form.kinds import kind_of
from bot.telegram.keyboards import main_menu
from db.queries.reports import Draft

log = logging.getLogger(__name__)


@dataclass
class Screen:
    """One chat: `message` is answered below, or edited when it is the pressed question."""
    message: Message
    state: FSMContext
    app: AppContext
    locale: str
    query: CallbackQuery | None = None
    role: Role | None = None
    _answered: bool = False

    @property
    def form(self) -> Form:
        return self.app.config.form

    async def enter(self, step: d.Step) -> None:
        """A step that opens a month's dialog (or its resume question) afresh."""
        if isinstance(step, d.Show):
            await self._answer_query()
            await self.drop_keyboard()  # «Continue» or «Edit the report»: the dialog goes on below
            await begin(self.state, step.draft.month, ReportDialog.filling)
        elif isinstance(step, d.AskResume):
            await begin(self.state, str(step.month), ReportDialog.resume_choice)
        await self.show(step)

    async def show(self, step: d.Step, note: str | None = None) -> None:
        """`note`: a line above the question (after a restart)."""
        if isinstance(step, d.Show):
            await self._question(step, note)
        elif isinstance(step, d.Warned):
            await self._warned(step)
        elif isinstance(step, d.Kept):
            await self._kept(step)
        elif isinstance(step, d.Refused):
            await self._refuse(step)
        elif isinstance(step, d.AskResume):
            await self._answer_query()
            await self.ask_resume(step.month, note)
        elif isinstance(step, d.ShowReport):
            await self.state.clear()
            await show_report(self.message, step.report, self.form, self.app.calendar, self.app.clock.now(),
                              self.locale)
        else:
            await self._end(step)

    async def ask_resume(self, month: Month, note: str | None = None) -> None:
        text = _("You have an unfinished report for <b>{month}</b>. Continue where you left off, "
                 "or start over?").format(month=dates.month_in_text(month, self.locale))
        await self.message.answer(f"{note}\n\n{text}" if note else text, reply_markup=render.resume_keyboard())

    # Questions --------------------------------------------------------------------------
    async def _question(self, step: d.Show, note: str | None) -> None:
        draft = step.draft
        head = [line for line in (note, self._late_text(step), self._error_text(step)) if line]
        if step.over:
            head.insert(0, _("Starting over."))
        if step.intro:
            head.append(_("The report for <b>{month}</b>. Questions: {count}. Your answers are saved "
                          "after each step, so you can stop and continue later.").format(
                month=dates.month_in_text(Month.parse(draft.month), self.locale), count=len(self.form.fields)))
        last_month = await d.Dialog.of(self.app).last_month(draft) if draft.cursor else None
        text, markup = self._body(draft, last_month)
        saved = self.form.field(step.saved) if step.saved else None
        if saved is not None:
            head.insert(0, f"✔️ {escape(saved.label.get(self.locale))}: "
                           f"<b>{render.value_text(self.form, saved, draft.answers, self.locale)}</b>")
        if step.late is not None and self.pressed:
            await self._answer_query(_(d.EARLIER_STEP) if not step.late.changed else self._late_text(step),
                                     alert=True)
        await self._answer_query()
        await self._asked(draft, await send_long(self.message, "\n\n".join([*head, text]), reply_markup=markup))

    async def _warned(self, step: d.Warned) -> None:
        """The summary again, under the soft rules' warnings, with «Confirm anyway»."""
        await self._answer_query()
        lines = [rules.warning_text(self.form, w, self.locale) for w in step.warnings]
        lines.append(_("Correct the answer with its ✏️ button, or confirm the report as it is."))
        summary = render.summary_text(self.form, step.draft.answers, Month.parse(step.draft.month), self.locale)
        sent = await send_long(self.message, "\n".join(lines) + "\n\n" + summary,
                               reply_markup=render.summary_keyboard(self.form, self.locale, warned=True))
        await self._asked(step.draft, sent)

    def _body(self, draft: Draft, last_month: dict[str, Any] | None = None) -> tuple[str, InlineKeyboardMarkup]:
        """`last_month`: the organization's answers of the month before (shown under number questions)."""
        field = self.form.field(draft.cursor) if draft.cursor else None
        if field is None:
            return (render.summary_text(self.form, draft.answers, Month.parse(draft.month), self.locale),
                    render.summary_keyboard(self.form, self.locale))
        return (render.question_text(self.form, field, draft.answers, self.locale, previous=last_month),
                render.question_keyboard(self.form, field, draft.answers, self.locale, previous=last_month))

    def _error_text(self, step: d.Show) -> str | None:
        if step.error is None:
            return None
        return self._problem_text(step.error)

    def _problem_text(self, problem: d.Problem) -> str:
        field = self.form.field(problem.key) if problem.key else None
        if field is None:
            return "⚠️ " + _(problem.invalid.msgid).format(**problem.invalid.params)
        return render.error_text(self.form, field, problem.invalid, self.locale)

    def _late_text(self, step: d.Show) -> str | None:
        field = self.form.field(step.late.key) if step.late else None
        if step.late is None or field is None:
            return None
        label = escape(field.label.get(self.locale))
        value = render.value_text(self.form, field, step.draft.answers, self.locale, render.SUMMARY_TEXT_LIMIT)
        if step.late.changed:
            return "✔️ " + _("The answer to «{label}» is changed: {value}.").format(label=label, value=value)
        return "✔️ " + _("This answer is already saved: «{label}» — {value}.").format(label=label, value=value)

    async def _kept(self, step: d.Kept) -> None:
        field = self.form.field(step.key)
        if field is None:  # the form changed under the dialog: ask what is current
            await self._question(d.Show(step.draft), None)
            return
        markup = render.question_keyboard(self.form, field, step.draft.answers, self.locale)
        await self._answer_query()
        if self.pressed and await self._edit(
                render.question_text(self.form, field, step.draft.answers, self.locale), markup):
            return
        text = None if self.pressed else kind_of(field).received(field, step.draft.answers.get(step.key))
        await self._asked(step.draft, await self.message.answer(
            text or render.question_text(self.form, field, step.draft.answers, self.locale), reply_markup=markup))

    async def _asked(self, draft: Draft, sent: Message) -> None:
        """The draft's current question is shown by `sent`, since Telegram's date of it."""
        stale = await remember_asked(self.state, draft.cursor or SUMMARY, sent.date.timestamp(), sent.message_id)
        if stale is not None and self.message.bot is not None:  # the same question asked again: one keyboard
            with suppress(TelegramBadRequest):
                await self.message.bot.edit_message_reply_markup(chat_id=sent.chat.id, message_id=stale,
                                                                 reply_markup=None)

    # Everything else --------------------------------------------------------------------
    async def _refuse(self, step: d.Refused) -> None:
        text = self._problem_text(step.problem) if step.problem else _(step.msgid)
        await self._answer_query(text, alert=True)

    async def _end(self, step: d.Step) -> None:
        if not isinstance(step, d.Submitted):
            await self.state.clear()
        if isinstance(step, d.Closed) and step.locked:
            await self._answer_query(_("This report can no longer be changed."), alert=True)
            return
        if isinstance(step, d.Closed):
            await self._answer_query()
            await self.message.answer(_("This report is no longer open. Press /report to open it again."))
            return
        menu = main_menu(self.role) if self.role else None
        if isinstance(step, d.Stopped):
            await self._answer_query()
            await self.drop_keyboard()
            await self.message.answer(_("Stopped. Your answers are kept as a draft: press /report to continue."),
                                      reply_markup=menu)
        elif isinstance(step, d.Submitted):
            await self._answer_query(_("Submitted"))
            await self.drop_keyboard()
            await self.message.answer(self._submitted_text(step), reply_markup=menu)
            await self.state.clear()  # last: a stop before the receipt leaves the dialog waiting, so a restart sends it

    def _submitted_text(self, step: d.Submitted) -> str:
        title = dates.month_in_text(step.month, self.locale)
        if not step.first_time:
            return _("✅ The changes to the report for {month} are saved.").format(month=title)
        text = _("✅ The report for {month} is received. Thank you!").format(month=title)
        if step.late:
            text += "\n" + _("It came after the due date ({day}), so it is marked as late.").format(
                day=dates.day(self.app.calendar.due_on(step.month), self.locale))
        return text

    @property
    def pressed(self) -> bool:
        """The step answers a button press; `message` is the message it was pressed under."""
        return self.query is not None

    async def _answer_query(self, text: str | None = None, alert: bool = False) -> None:
        """Answer the press, once (later calls do nothing)."""
        if self.query is not None and not self._answered:
            self._answered = True
            await self.query.answer(text, show_alert=alert)

    async def _edit(self, text: str, markup: InlineKeyboardMarkup) -> bool:
        """Turn the pressed message into `text`; False when it cannot be (too old)."""
        try:
            await self.message.edit_text(text, reply_markup=markup)
        except TelegramBadRequest as exc:
            if "not modified" in str(exc):
                return True
            log.info("could not edit a report question: %s", exc)
            return False
        return True

    async def drop_keyboard(self) -> None:
        """Take the buttons away from the pressed message."""
        if not self.pressed:
            return
        with suppress(TelegramBadRequest):  # too old to edit, or already without buttons
            await self.message.edit_reply_markup(reply_markup=None)
