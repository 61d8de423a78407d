"""What the chair sees of the form: question texts, keyboards, summaries. Labels in the given locale,
user text escaped. Runs inside a handler (aiogram's gettext context)."""
from __future__ import annotations

from html import escape
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.config import Form, FormField
from bot.domain import dates
from bot.domain.calendar import Month
from bot.form import engine
from bot.form.kinds import kind_of
from bot.form.kinds.base import Invalid

SUMMARY_TEXT_LIMIT = 300
BUTTON_LABEL_LIMIT = 40
CONFIRM_ANYWAY = "confirm_anyway"  # under the summary when soft rules warned (bot/form/rules.py)
SAME_AS_LAST_MONTH = "same"  # the button of a carry_over question: last month's answer
KEEP = "keep"                # a question reached by ✏️ or Back: keep its answer and go on
TO_SUMMARY = "summary"       # ... or straight back to the summary, when every question is answered


class ReportCb(CallbackData, prefix="rep"):
    """A button of the report dialog. `key` is the question it belongs to (stale buttons are refused);
    `index` is an option's position for choice/multi."""
    action: str
    key: str = ""
    index: int = -1


def error_text(form: Form, field: FormField, problem: Invalid, locale: str) -> str:
    params = dict(problem.params)
    params["label"] = escape(field.label.get(locale))
    if problem.other:
        other = form.field(problem.other)
        params["other"] = escape(other.label.get(locale) if other else problem.other)
    return "⚠️ " + _(problem.msgid).format(**params)


def question_text(form: Form, field: FormField, answers: dict[str, Any], locale: str,
                  error: str | None = None, previous: dict[str, Any] | None = None) -> str:
    """`previous`: last month's answers of the organization, shown under a whole-number question."""
    kind = kind_of(field)
    number, total = engine.position(form, field.key)
    lines = [error, ""] if error else []
    lines += [_("Question {number} of {total}").format(number=number, total=total),
              f"<b>{escape(field.label.get(locale))}</b>"]
    if field.key in answers and kind.shows_current:
        lines.append(_("Current answer: {value}").format(value=value_text(form, field, answers, locale,
                                                                            SUMMARY_TEXT_LIMIT)))
    if kind.numeric and previous and isinstance(previous.get(field.key), int):
        lines.append(_("Last month: {value}").format(value=previous[field.key]))
    lines.append(f"<i>{kind.hint(field, answers.get(field.key))}</i>")
    return "\n".join(lines)


def question_keyboard(form: Form, field: FormField, answers: dict[str, Any], locale: str,
                      previous: dict[str, Any] | None = None) -> InlineKeyboardMarkup:
    key = field.key
    rows = [[InlineKeyboardButton(text=b.label, callback_data=ReportCb(action=b.action, key=key, index=b.index).pack())
             for b in row] for row in kind_of(field).buttons(field, answers.get(key), locale)]
    if field.key in answers and kind_of(field).shows_current:
        shortcut = [InlineKeyboardButton(text=_("✔️ Keep the answer"),
                                         callback_data=ReportCb(action=KEEP, key=key).pack())]
        if engine.first_problem(form, answers) is None:
            shortcut.append(InlineKeyboardButton(text=_("↩️ Back to the summary"),
                                                 callback_data=ReportCb(action=TO_SUMMARY, key=key).pack()))
        rows.append(shortcut)
    if field.carry_over and previous and isinstance(previous.get(key), int):
        rows.insert(0, [InlineKeyboardButton(text=_("🔁 Same as last month: {value}").format(value=previous[key]),
                                             callback_data=ReportCb(action=SAME_AS_LAST_MONTH, key=key).pack())])
    nav = []
    if engine.previous_key(form, key, answers) is not None:
        nav.append(InlineKeyboardButton(text=_("⬅️ Back"), callback_data=ReportCb(action="back", key=key).pack()))
    nav.append(InlineKeyboardButton(text=_("✖️ Stop filling"), callback_data=ReportCb(action="cancel", key=key).pack()))
    rows.append(nav)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def value_text(form: Form, field: FormField, answers: dict[str, Any], locale: str,
               limit: int | None = None) -> str:
    """One answer for display (escaped)."""
    value = engine.apply_skip_rules(form, answers).get(field.key)
    if field.key not in answers and value is None:
        return _("not answered yet")
    return kind_of(field).show(field, value, locale, limit)


def answers_text(form: Form, answers: dict[str, Any], locale: str, limit: int | None = None) -> str:
    lines = []
    for number, field in enumerate(form.fields, start=1):
        lines.append(f"{number}. {escape(field.label.get(locale))}: "
                     f"<b>{value_text(form, field, answers, locale, limit)}</b>")
    return "\n".join(lines)


def summary_text(form: Form, answers: dict[str, Any], month: Month, locale: str) -> str:
    return "\n\n".join([
        _("<b>Your report for {month}</b>").format(month=dates.month_in_text(month, locale)),
        answers_text(form, answers, locale, SUMMARY_TEXT_LIMIT),
        _("Please check the answers. To change one, press its ✏️ button. "
          "When everything is right, press «Confirm and submit»."),
    ])


def summary_keyboard(form: Form, locale: str, warned: bool = False) -> InlineKeyboardMarkup:
    """`warned`: the soft rules warned, so confirming is «Confirm anyway»."""
    rows = []
    for number, field in enumerate(form.fields, start=1):
        label = field.label.get(locale)
        if len(label) > BUTTON_LABEL_LIMIT:
            label = label[:BUTTON_LABEL_LIMIT - 1].rstrip() + "…"
        rows.append([InlineKeyboardButton(text=f"✏️ {number}. {label}",
                                          callback_data=ReportCb(action="edit", key=field.key).pack())])
    if warned:
        rows.append([InlineKeyboardButton(text=_("✅ Confirm anyway"),
                                          callback_data=ReportCb(action=CONFIRM_ANYWAY).pack())])
    else:
        rows.append([InlineKeyboardButton(text=_("✅ Confirm and submit"),
                                          callback_data=ReportCb(action="confirm").pack())])
    rows.append([InlineKeyboardButton(text=_("✖️ Stop filling"), callback_data=ReportCb(action="cancel").pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def resume_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=_("▶️ Continue where I left off"),
                              callback_data=ReportCb(action="continue").pack())],
        [InlineKeyboardButton(text=_("🔄 Start over"), callback_data=ReportCb(action="restart").pack())],
    ])


def edit_submitted_keyboard(month: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
        text=_("✏️ Edit the report"), callback_data=ReportCb(action="edit_submitted", key=month).pack())]])


