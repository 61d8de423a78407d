"""What the chair sees of the form: question texts, keyboards, summaries. Labels in the given locale,
user text escaped. Runs inside a handler (aiogram's gettext context)."""
from __future__ import annotations

from html import escape
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.config import Form, FormField
from bot.domain import dates
from bot.domain.calendar import Month
from bot.form import engine

SUMMARY_TEXT_LIMIT = 300
BUTTON_LABEL_LIMIT = 40


class ReportCb(CallbackData, prefix="rep"):
    """A button of the report dialog. `key` is the question it belongs to (stale buttons are refused);
    `index` is an option's position for choice/multi."""
    action: str
    key: str = ""
    index: int = -1


def error_text(form: Form, field: FormField, problem: engine.Invalid, locale: str) -> str:
    params = dict(problem.params)
    params["label"] = escape(field.label.get(locale))
    if problem.other:
        other = form.field(problem.other)
        params["other"] = escape(other.label.get(locale) if other else problem.other)
    return "⚠️ " + _(problem.msgid).format(**params)


def _hint(field: FormField, answers: dict[str, Any]) -> str:
    if field.type == "int":
        low, high = engine.int_bounds(field)
        return _("Send a whole number from {min} to {max}, digits only.").format(min=low, max=high)
    if field.type == "text":
        hint = ngettext("Send a text of up to {max} character.", "Send a text of up to {max} characters.",
                        field.max_length).format(max=field.max_length)
        if not field.required:
            hint += " " + _("If there is nothing to add, press «Skip».")
        return hint
    if field.type == "choice":
        return _("Choose one option.")
    if field.type == "multi":
        hint = _("Choose all that apply (press again to unselect), then press «Done».")
        if not field.required:
            hint += " " + _("If none applies, just press «Done».")
        return hint
    count = len(answers.get(field.key) or [])
    hint = _("Send up to {max} photos, then press «Done».").format(max=field.max_count)
    if count:
        hint += "\n" + _("Photos received: {count} of {max}.").format(count=count, max=field.max_count)
    elif not field.required:
        hint += " " + _("No photos? Just press «Done».")
    return hint


def question_text(form: Form, field: FormField, answers: dict[str, Any], locale: str,
                  error: str | None = None) -> str:
    number, total = engine.position(form, field.key)
    lines = [error, ""] if error else []
    lines += [_("Question {number} of {total}").format(number=number, total=total),
              f"<b>{escape(field.label.get(locale))}</b>"]
    if field.key in answers and field.type in ("int", "text", "choice"):
        lines.append(_("Current answer: {value}").format(value=value_text(form, field, answers, locale,
                                                                            SUMMARY_TEXT_LIMIT)))
    lines.append(f"<i>{_hint(field, answers)}</i>")
    return "\n".join(lines)


def question_keyboard(form: Form, field: FormField, answers: dict[str, Any], locale: str) -> InlineKeyboardMarkup:
    key = field.key
    rows: list[list[InlineKeyboardButton]] = []
    if field.type in ("choice", "multi"):
        value = answers.get(key)
        selected = set(value or []) if field.type == "multi" else {value}
        action = "pick" if field.type == "choice" else "toggle"
        for index, option in enumerate(field.options):
            mark = "✅ " if option.key in selected else ("▫️ " if field.type == "multi" else "")
            rows.append([InlineKeyboardButton(text=mark + option.label(locale),
                                              callback_data=ReportCb(action=action, key=key, index=index).pack())])
    if field.type == "photos" and answers.get(key):
        rows.append([InlineKeyboardButton(text=_("🗑 Remove the photos"),
                                          callback_data=ReportCb(action="clear", key=key).pack())])
    if field.type in ("multi", "photos"):
        rows.append([InlineKeyboardButton(text=_("✔️ Done"), callback_data=ReportCb(action="done", key=key).pack())])
    if field.type in ("text", "choice") and not field.required:
        rows.append([InlineKeyboardButton(text=_("⏭ Skip this question"),
                                          callback_data=ReportCb(action="skip", key=key).pack())])
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
    if field.type == "int":
        return str(value)
    if field.type == "text":
        if not value:
            return _("skipped")
        if limit and len(value) > limit:
            value = value[:limit].rstrip() + "…"
        return escape(value)
    labels = {o.key: o.label(locale) for o in field.options}
    if field.type == "choice":
        return escape(labels.get(value, "—")) if value else _("skipped")
    if field.type == "multi":
        return escape("; ".join(labels.get(v, v) for v in value or [])) if value else _("none")
    count = len(value or [])
    if not count:
        return _("none")
    return ngettext("{n} photo", "{n} photos", count).format(n=count)


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


def summary_keyboard(form: Form, locale: str) -> InlineKeyboardMarkup:
    rows = []
    for number, field in enumerate(form.fields, start=1):
        label = field.label.get(locale)
        if len(label) > BUTTON_LABEL_LIMIT:
            label = label[:BUTTON_LABEL_LIMIT - 1].rstrip() + "…"
        rows.append([InlineKeyboardButton(text=f"✏️ {number}. {label}",
                                          callback_data=ReportCb(action="edit", key=field.key).pack())])
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


