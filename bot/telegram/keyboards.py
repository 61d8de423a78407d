"""Keyboards shared by several features. Labels go through gettext at build time."""
from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    WebAppInfo,
)
from aiogram.utils.i18n import gettext as _

from bot.domain.roles import Role
from bot.i18n import N_
from bot.telegram.admin import admin_menu_buttons

# Button labels fixed by the spec, never translated.
LANGUAGE_LABELS = {"kk": "Қазақша", "ru": "Русский"}

# Main-menu entries: message ids, translated when the keyboard is drawn.
MENU_REPORT = N_("📝 File this month's report")
MENU_MY_REPORTS = N_("📋 My reports")
MENU_LANGUAGE = N_("🌐 Language")
MENU_HELP = N_("❓ Help")


# Callback data of the button that opens (or resumes) the report dialog, e.g. in reminders.
OPEN_REPORT = "report:open"
FILL_AS_FORM = N_("Fill in as a form")  # beside OPEN_REPORT: the Mini App's one-page form


def mini_app_url(public_url: str) -> str | None:
    """The Mini App's address Telegram opens (`[web] public_url` + /app/: the form for a chair, the
    dashboard for an admin); None without a public address, and then no button offers it."""
    return f"{public_url}/app/" if public_url else None


DASHBOARD = N_("📊 Dashboard")  # the admins' Mini App: the chat's menu button, the button under the digest


def dashboard_keyboard(dashboard_url: str | None) -> InlineKeyboardMarkup | None:
    """The button under the weekly digest that opens the dashboard; None without a public address."""
    if not dashboard_url:
        return None
    return InlineKeyboardMarkup(inline_keyboard=[[
        InlineKeyboardButton(text=_(DASHBOARD), web_app=WebAppInfo(url=dashboard_url))]])


def open_report_keyboard(form_url: str | None = None) -> InlineKeyboardMarkup:
    """«File the report» (the chat dialog) and, with `form_url`, «Fill in as a form» beside it. A web_app
    button in an inline keyboard opens the Mini App with signed initData in private chats, which these are."""
    row = [InlineKeyboardButton(text=_("📝 File the report"), callback_data=OPEN_REPORT)]
    if form_url:
        row.append(InlineKeyboardButton(text=_(FILL_AS_FORM), web_app=WebAppInfo(url=form_url)))
    return InlineKeyboardMarkup(inline_keyboard=[row])


class LanguageCb(CallbackData, prefix="lang"):
    locale: str


def language_keyboard(preferred: str | None = None) -> InlineKeyboardMarkup:
    order = ["kk", "ru"] if preferred != "ru" else ["ru", "kk"]
    return InlineKeyboardMarkup(inline_keyboard=[[
        InlineKeyboardButton(text=LANGUAGE_LABELS[code], callback_data=LanguageCb(locale=code).pack())
        for code in order
    ]])


def main_menu(role: Role) -> ReplyKeyboardMarkup:
    rows: list[list[KeyboardButton]] = []
    if role.kind == "chair":
        rows.append([KeyboardButton(text=_(MENU_REPORT)), KeyboardButton(text=_(MENU_MY_REPORTS))])
    rows.extend(admin_menu_buttons(role))
    rows.append([KeyboardButton(text=_(MENU_LANGUAGE)), KeyboardButton(text=_(MENU_HELP))])
    return ReplyKeyboardMarkup(keyboard=rows, resize_keyboard=True, is_persistent=True)


def contact_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=_("📱 Share my phone number"), request_contact=True)],
                  [KeyboardButton(text=_("Skip"))]],
        resize_keyboard=True, one_time_keyboard=True,
    )


def remove_keyboard() -> ReplyKeyboardRemove:
    return ReplyKeyboardRemove()
