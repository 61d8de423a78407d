"""The chair's report on one page: the same draft row as the chat dialog, the same field rules.

Every answer is checked by the form engine the dialog uses (bot/form/engine.py) and saved into the
month's draft with the dialog's cursor moved to the next unanswered question, so the chat resumes where
the page left off and the page shows what the chat answered. Photos are still sent in the chat.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiogram.utils.i18n import gettext as _

from bot.config import FormField
from bot.domain import dates
from bot.domain.calendar import Month
from bot.domain.text import UnsafeText, normalize_text
from bot.features.report import service
from bot.features.webapp.dashboard import value_text
from bot.form import engine, rules
from bot.form.kinds import int as int_kind
from bot.form.kinds import kind_of
from bot.form.kinds.base import Reply
from bot.telegram.middlewares.normalize import REFUSED
from db.queries.reports import Draft, Report
from db.queries.users import User

if TYPE_CHECKING:
    from bot.context import AppContext


class FormError(Exception):
    """An answer or a submission refused; `message` is for the chair, in the current locale."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.key = key


@dataclass(frozen=True)
class Sheet:
    month: Month
    report: Report | None
    draft: Draft | None
    editable: bool
    previous: Report | None  # last month's report, whose answers the page shows beside the questions


def problem_text(app: AppContext, field: FormField, problem: engine.Invalid, locale: str) -> str:
    """The dialog's message for a refused answer, as plain text (the page never renders HTML)."""
    params = dict(problem.params)
    params["label"] = field.label.get(locale)
    if problem.other:
        other = app.config.form.field(problem.other)
        params["other"] = other.label.get(locale) if other else problem.other
    return _(problem.msgid).format(**params)


async def sheet(app: AppContext, user: User) -> Sheet:
    assert user.org_id is not None
    now = app.clock.now()
    month = app.calendar.open_month(now)
    report = await app.repos.reports.get(user.org_id, str(month))
    draft = await app.repos.reports.get_draft(user.org_id, str(month))
    editable = service.is_editable(app.calendar, report, now) if report else app.calendar.is_editable(month, now)
    previous = await app.repos.reports.get(user.org_id, str(month.prev()))
    return Sheet(month, report, draft, editable, previous)


def _field_json(field: FormField, locale: str, previous: Report | None) -> dict[str, Any]:
    out: dict[str, Any] = {"key": field.key, "type": field.type, "label": field.label.get(locale),
                           "required": field.required}
    shown = value_text(field, previous.answers.get(field.key), locale) if previous and field.type != "photos" \
        else None
    if shown is not None:
        out["last_month"] = _("Last month: {value}").format(value=shown if len(shown) <= 120 else shown[:119] + "…")
    if field.type == "int":
        low, high = int_kind.int_bounds(field)
        out |= {"min": low, "max": high, "hint": _("A whole number from {min} to {max}.").format(min=low, max=high)}
    elif field.type == "text":
        out |= {"max_length": field.max_length,
                "hint": _("Up to {max} characters.").format(max=field.max_length)}
    elif field.type in ("choice", "multi"):
        out["options"] = [{"key": o.key, "label": o.label(locale)} for o in field.options]
    else:
        out |= {"max_count": field.max_count, "hint": _("Photos are sent in the chat.")}
    return out


def sheet_json(app: AppContext, current: Sheet, locale: str) -> dict[str, Any]:
    answers = current.draft.answers if current.draft else (current.report.answers if current.report else {})
    status = "draft" if current.draft else ("submitted" if current.report else "open")
    photos = sum(len(answers.get(f.key) or []) for f in app.config.form.fields if f.type == "photos")
    return {"month": str(current.month), "label": dates.month(current.month, locale),
            "title": dates.month_report_title(current.month, locale),
            "due_label": dates.day(app.calendar.due_on(current.month), locale),
            "status": status, "late": bool(current.report and current.report.late), "editable": current.editable,
            "fields": [_field_json(f, locale, current.previous) for f in app.config.form.fields], "answers": answers,
            "photos": photos}


def checked_value(app: AppContext, field: FormField, value: Any, answers: dict[str, Any], locale: str) -> Any:
    """The value to store for the field, by its kind's rules (bot/form/kinds, as in the dialog) and the
    form's cross rules; FormError otherwise. A text goes through normalize_text first, as the chat's
    texts do at the door."""
    kind = kind_of(field)
    if isinstance(value, str):
        try:
            value = normalize_text(value)
        except UnsafeText:
            raise FormError(_(REFUSED), field.key) from None
    if value is None or value == "" or value == []:
        if field.required and field.type != "multi":
            raise FormError(_("Please answer this question first."), field.key)
        return kind.skip_value(field)
    if field.type in ("int", "text"):  # the kinds that parse a typed answer
        outcome = kind.parse(field, Reply(text=str(value)), answers.get(field.key))
        if isinstance(outcome, engine.Invalid):
            raise FormError(problem_text(app, field, outcome, locale), field.key)
        problem = engine.cross_check(app.config.form, field.key, outcome.value, answers)
        if problem is not None:
            raise FormError(problem_text(app, field, problem, locale), field.key)
        return outcome.value
    keys = {o.key for o in field.options}
    if field.type == "multi":
        if not isinstance(value, list) or not all(isinstance(v, str) and v in keys for v in value):
            raise FormError(_("Please choose one of the options."), field.key)
        value = [o.key for o in field.options if o.key in value]  # in the form's order, as the dialog keeps it
    if isinstance(value, (str, list)) and kind.is_complete(field, value):
        return value
    raise FormError(_("Please choose one of the options."), field.key)


async def save_answer(app: AppContext, user: User, key: str, value: Any, locale: str) -> dict[str, Any]:
    current = await sheet(app, user)
    field = app.config.form.field(key)
    if field is None or field.type == "photos":
        raise FormError(_("Photos are sent in the chat."), key)
    if not current.editable:
        raise FormError(_("This report can no longer be changed."))
    draft = current.draft or await service.start_draft(app.repos, app.config.form, user.org_id or 0, current.month,
                                                       user.id, app.clock.now(), current.report)
    stored = checked_value(app, field, value, draft.answers, locale)
    answers = {**draft.answers, key: stored}
    # The chat goes on at the first question still unanswered, wherever the page was filled in.
    await service.save(app.repos, draft, answers, engine.next_key(app.config.form, None, answers), user.id,
                       app.clock.now())
    return {"key": key, "value": stored}


def warned(app: AppContext, current: Sheet, answers: dict[str, Any], locale: str) -> dict[str, Any] | None:
    """The form's soft rules (bot/form/rules.py) against last month's report, as the dialog checks them at
    Confirm: the warnings with their numbers, or None when every rule is met."""
    warnings = rules.check(app.config.form, answers, current.previous.answers if current.previous else None)
    if not warnings:
        return None
    return {"status": "warned", "keys": [w.key for w in warnings],
            "warnings": [rules.warning_text(app.config.form, w, locale, html=False) for w in warnings],
            "message": _("Correct the answer above, or submit the report as it is."),
            "confirm": _("✅ Confirm anyway")}


async def submit(app: AppContext, user: User, locale: str, anyway: bool = False) -> dict[str, Any]:
    """Submit the draft; `anyway`: the chair has seen the soft rules' warnings and submits as it is
    (without it, a broken rule answers {"status": "warned", ...} and nothing is submitted)."""
    current = await sheet(app, user)
    if not current.editable:
        raise FormError(_("This report can no longer be changed."))
    if current.draft is None:
        raise FormError(_("Please answer this question first."), app.config.form.fields[0].key)
    draft = current.draft
    # Optional photos not sent in the chat: none (the dialog stores the same when «Done» is pressed).
    unsent = {f.key: kind_of(f).skip_value(f) for f in app.config.form.fields
              if f.type == "photos" and not f.required and f.key not in draft.answers}
    problem = engine.first_problem(app.config.form, {**draft.answers, **unsent})
    if problem is not None:
        key, invalid = problem
        field = app.config.form.field(key)
        assert field is not None
        raise FormError(problem_text(app, field, invalid, locale) if invalid
                        else _("Please answer this question first."), key)
    if not anyway and (warning := warned(app, current, {**draft.answers, **unsent}, locale)) is not None:
        return warning
    if unsent:
        draft = await service.save(app.repos, draft, {**draft.answers, **unsent}, draft.cursor, user.id,
                                   app.clock.now())
    result = await service.submit(app.repos, app.config.form, app.calendar, draft, current.report,
                                  user.id, app.clock.now())
    text = _("✅ The report for {month} is received. Thank you!").format(
        month=dates.month_in_text(current.month, locale))
    return {"status": "submitted", "late": result.late, "first_time": result.first_time, "message": text}
