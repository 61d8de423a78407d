"""The report dialog as a state machine over the draft: each entry point takes what the chair did
and returns the step to show (a question, the summary, a refusal...); replies.py renders it.

The draft row is the single source of truth while a chair fills the form; every change is saved
before a step is returned. An answer is always checked against the question it was given for:
a button carries its question's key, and a message is placed by its date among the questions
asked (see session.py). An answer to a question the dialog has moved past is never stored under
the current question: the same value as stored is a duplicate, a different one changes that
earlier answer; either way the current question is asked again.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.config import Form
from bot.context import AppContext
from bot.domain.calendar import Month, ReportingCalendar
from bot.domain.clock import Clock
from bot.features.report import service
from bot.features.report.session import SUMMARY, Session
from bot.form import engine, render, rules
from bot.form.kinds import kind_of
from bot.form.kinds.base import N_, Answer, Invalid, Outcome, Partial, Reply
from db.queries.reports import Draft, Report
from db.repos import Repos

EARLIER_STEP = N_("This button belongs to an earlier step. Please use the latest message.")
NOT_ACTIVE = N_("This button is no longer active.")
FIRST_QUESTION = N_("This is the first question.")
USE_SUMMARY = N_("Please use the buttons under the summary: ✏️ to change an answer, or «Confirm and submit».")
ANSWER_FIRST = N_("Please answer this question first.")
_MISSING = object()


@dataclass(frozen=True)
class Problem:
    """Why an answer was refused; `key` is the field it concerns (None: the summary)."""
    key: str | None
    invalid: Invalid


@dataclass(frozen=True)
class Late:
    """An answer to a question the dialog has moved past: a duplicate, or a change of that answer."""
    key: str
    changed: bool


@dataclass(frozen=True)
class Show:
    """Ask the draft's current question (or show the summary when the cursor is at the end)."""
    draft: Draft
    error: Problem | None = None
    saved: str | None = None   # the question a button has just answered
    late: Late | None = None
    intro: bool = False        # a new draft: introduce the report first
    over: bool = False         # the chair chose to start over


@dataclass(frozen=True)
class Warned:
    """Confirm pressed, but soft rules of the form are not met: the summary with the warnings, to correct an
    answer or confirm anyway."""
    draft: Draft
    warnings: tuple[rules.Warning, ...]


@dataclass(frozen=True)
class Kept:
    """A partial answer kept (an option toggled, a photo added): the same question goes on."""
    draft: Draft
    key: str


@dataclass(frozen=True)
class Refused:
    """A button that does nothing: a notice on the button only."""
    msgid: str
    problem: Problem | None = None


@dataclass(frozen=True)
class AskResume:
    month: Month


@dataclass(frozen=True)
class ShowReport:
    report: Report


@dataclass(frozen=True)
class Submitted:
    month: Month
    late: bool
    first_time: bool


@dataclass(frozen=True)
class Closed:
    """The chat's report is not open (any more); `locked`: it can no longer be changed."""
    locked: bool = False


@dataclass(frozen=True)
class Stopped:
    pass


Step = Show | Warned | Kept | Refused | AskResume | ShowReport | Submitted | Closed | Stopped


class Dialog:
    def __init__(self, repos: Repos, form: Form, calendar: ReportingCalendar, clock: Clock) -> None:
        self.repos = repos
        self.form = form
        self.calendar = calendar
        self.clock = clock

    @classmethod
    def of(cls, app: AppContext) -> Dialog:
        return cls(app.repos, app.config.form, app.calendar, app.clock)

    # Opening ---------------------------------------------------------------------------------
    async def open(self, org_id: int, user_id: int, month: Month, ask_resume: bool = True,
                   over: bool = False) -> Step:
        """A month's report for the chair's organization: resume, show, or start it."""
        now = self.clock.now()
        report = await self.repos.reports.get(org_id, str(month))
        draft = await self.repos.reports.get_draft(org_id, str(month))
        if report and (not service.is_editable(self.calendar, report, now) or not draft):
            return ShowReport(report)
        if draft and draft.answers and ask_resume:
            return AskResume(month)
        if draft is None:
            draft = await service.start_draft(self.repos, self.form, org_id, month, user_id, now)
        return Show(replace(draft, user_id=user_id), intro=not draft.answers, over=over)

    async def resume(self, session: Session, over: bool) -> Step:
        """«Continue where I left off» or «Start over» (which drops the draft)."""
        month = Month.parse(session.month)
        if over:
            await self.repos.reports.delete_draft(session.org_id, session.month)
        return await self.open(session.org_id, session.user_id, month, ask_resume=False, over=over)

    async def edit_submitted(self, org_id: int | None, user_id: int, month_text: str) -> Step:
        """«Edit» under a submitted report: a draft copy at the summary; the report stays until Confirm."""
        try:
            month = Month.parse(month_text)
        except ValueError:
            return Refused(NOT_ACTIVE)
        report = await self.repos.reports.get(org_id, str(month)) if org_id is not None else None
        if org_id is None or report is None or not service.is_editable(self.calendar, report, self.clock.now()):
            return Refused(N_("This report can no longer be changed."))
        draft = await self.repos.reports.get_draft(org_id, str(month)) or await service.start_draft(
            self.repos, self.form, org_id, month, user_id, self.clock.now(), report)
        return Show(replace(draft, user_id=user_id))

    async def current(self, session: Session | None) -> Step:
        """The current question again (after /language, a command, a restart). A dialog whose month was
        submitted meanwhile (the bot stopped between the submission and the receipt) gets the receipt."""
        draft = await self._draft(session)
        if draft:
            return Show(draft)
        report = await self.repos.reports.get(session.org_id, session.month) if session else None
        return Submitted(Month.parse(report.month), report.late, True) if report else Closed()

    # A message -------------------------------------------------------------------------------
    async def reply(self, session: Session | None, reply: Reply, sent: datetime) -> Step:
        draft = await self._draft(session)
        if session is None or draft is None:
            return Closed()
        current = draft.cursor or SUMMARY
        key = session.question_at(sent, current)
        if key != current:
            return await self._late(draft, key, lambda field, value: kind_of(field).parse(field, reply, value))
        field = self.form.field(current)
        if field is None:
            return Show(draft, error=Problem(None, Invalid(USE_SUMMARY)))
        outcome = self._checked(field.key, kind_of(field).parse(field, reply, draft.answers.get(field.key)),
                                draft.answers)
        if isinstance(outcome, Invalid):
            return Show(draft, error=Problem(field.key, outcome))
        if isinstance(outcome, Partial):
            return Kept(await self._save(draft, {**draft.answers, field.key: outcome.value}, draft.cursor), field.key)
        return Show(await self._answer(draft, field.key, outcome.value))

    # A button --------------------------------------------------------------------------------
    async def press(self, session: Session | None, action: str, key: str, index: int) -> Step:
        """Every button of a question or of the summary."""
        if action == "cancel":
            return Stopped()
        draft = await self._draft(session)
        if draft is None:
            return Refused(EARLIER_STEP)
        at_summary = draft.cursor is None
        if action in ("edit", "confirm", render.CONFIRM_ANYWAY):
            if not at_summary:
                return Refused(EARLIER_STEP)
            if action != "edit":
                return await self._confirm(draft, anyway=action == render.CONFIRM_ANYWAY)
            if self.form.field(key) is None:
                return Refused(NOT_ACTIVE)
            return Show(await self._save(draft, draft.answers, key))
        field = self.form.field(key) if key else None
        if field is None:
            return Refused(EARLIER_STEP)
        if key != draft.cursor:
            return await self._late(draft, key, lambda f, value: kind_of(f).press(f, action, index, value),
                                    from_button=True)
        if action == "back":
            previous = engine.previous_key(self.form, draft.cursor, draft.answers)
            if previous is None:
                return Refused(FIRST_QUESTION)
            return Show(await self._save(draft, draft.answers, previous))
        if action == render.SAME_AS_LAST_MONTH:
            return await self._same_as_last_month(draft, key)
        if action == render.KEEP and key in draft.answers:
            return Show(await self._answer(draft, key, draft.answers[key]))
        if action == render.TO_SUMMARY:
            if engine.first_problem(self.form, draft.answers) is not None:
                return Refused(ANSWER_FIRST)
            return Show(await self._save(draft, draft.answers, None))
        outcome = kind_of(field).press(field, action, index, draft.answers.get(key))
        if outcome is None:
            return Refused(NOT_ACTIVE)
        if isinstance(outcome, Invalid):
            return Refused(outcome.msgid, Problem(key, outcome))
        if isinstance(outcome, Partial):
            return Kept(await self._save(draft, {**draft.answers, key: outcome.value}, draft.cursor), key)
        return Show(await self._answer(draft, key, outcome.value), saved=key)

    async def _same_as_last_month(self, draft: Draft, key: str) -> Step:
        """«Same as last month» (carry_over questions): last month's answer, checked as if typed."""
        field = self.form.field(key)
        last = await self.repos.reports.get(draft.org_id, str(Month.parse(draft.month).prev()))
        value = last.answers.get(key) if last else None
        if field is None or not field.carry_over or value is None:
            return Refused(NOT_ACTIVE)
        outcome = self._checked(key, kind_of(field).validate(field, value) or Answer(value), draft.answers)
        if isinstance(outcome, Invalid):
            return Refused(outcome.msgid, Problem(key, outcome))
        return Show(await self._answer(draft, key, value), saved=key)

    async def last_month(self, draft: Draft) -> dict[str, Any] | None:
        """The organization's answers of the month before the draft's, if it reported then."""
        last = await self.repos.reports.get(draft.org_id, str(Month.parse(draft.month).prev()))
        return last.answers if last else None

    async def _confirm(self, draft: Draft, anyway: bool = False) -> Step:
        """`anyway`: the chair has seen the soft rules' warnings and confirms as it is."""
        now = self.clock.now()
        problem = engine.first_problem(self.form, draft.answers)
        if problem is not None:
            key, invalid = problem
            draft = await self._save(draft, draft.answers, key)
            return Show(draft, error=Problem(key, invalid or Invalid(ANSWER_FIRST)))
        if not anyway and (warnings := rules.check(self.form, draft.answers, await self.last_month(draft))):
            return Warned(draft, tuple(warnings))
        existing = await self.repos.reports.get(draft.org_id, draft.month)
        if existing and not service.is_editable(self.calendar, existing, now):
            return Closed(locked=True)
        result = await service.submit(self.repos, self.form, self.calendar, draft, existing, draft.user_id, now)
        return Submitted(Month.parse(draft.month), result.late, result.first_time)

    # An answer to an earlier question --------------------------------------------------------
    async def _late(self, draft: Draft, key: str | None, answer_of: Any, from_button: bool = False) -> Step:
        """`answer_of(field, stored value)` is what the chair gave for the earlier question `key`.
        A typed answer with a new value is stored nowhere and the current question is asked again:
        when the bot died around showing the current question, its showing may be unrecorded, and
        the message may answer it as well (the crash drill, bench/crash_drill.py, saw such answers
        written over the previous question). A button carries its question, so it may change it."""
        field = self.form.field(key) if key else None
        if field is None:
            return Refused(EARLIER_STEP) if from_button else Show(draft)
        stored = draft.answers.get(field.key, _MISSING)
        outcome: Outcome | None = answer_of(field, None if stored is _MISSING else stored)
        if isinstance(outcome, Answer):
            outcome = self._checked(field.key, outcome, draft.answers)
        if isinstance(outcome, Partial) and not from_button:
            outcome = Answer(outcome.value)  # a photo sent for the photos question: one more photo
        if not isinstance(outcome, Answer):
            return Refused(EARLIER_STEP) if from_button else Show(draft)
        if outcome.value == stored:
            return Show(draft, late=Late(field.key, changed=False))
        if not from_button:
            return Show(draft)
        draft = await self._save(draft, {**draft.answers, field.key: outcome.value}, draft.cursor)
        return Show(draft, late=Late(field.key, changed=True))

    # The draft ------------------------------------------------------------------------------
    async def _draft(self, session: Session | None) -> Draft | None:
        """The session's draft, changed from now on by the session's user."""
        if session is None:
            return None
        draft = await self.repos.reports.get_draft(session.org_id, session.month)
        return replace(draft, user_id=session.user_id) if draft else None

    def _checked(self, key: str, outcome: Outcome, answers: dict[str, Any]) -> Outcome:
        if isinstance(outcome, Answer):
            return engine.cross_check(self.form, key, outcome.value, answers) or outcome
        return outcome

    async def _save(self, draft: Draft, answers: dict[str, Any], cursor: str | None) -> Draft:
        return await service.save(self.repos, draft, answers, cursor, draft.user_id, self.clock.now())

    async def _answer(self, draft: Draft, key: str, value: Any) -> Draft:
        """Store the answer to `key` and move to the next question (or the summary)."""
        answers = {**draft.answers, key: value}
        return await self._save(draft, answers, engine.next_key(self.form, key, answers))
