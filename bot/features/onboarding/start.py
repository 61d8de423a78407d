"""/start, the language choice, the main menu and help."""
from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import LOCALES, Settings
from bot.domain import dates
from bot.domain.calendar import Month, ReportingCalendar
from bot.domain.clock import Clock
from bot.domain.roles import Role
from bot.features.commands.menus import set_chat_commands
from bot.features.onboarding.registration import ask_code
from bot.features.onboarding.report_ways import offer_report_ways
from bot.features.report.session import ReportDialog
from bot.i18n import N_, telegram_locale
from bot.telegram.callbacks import callback_message
from bot.telegram.filters import ButtonOf, CommandOrMenuButton, MenuButton
from bot.telegram.keyboards import MENU_HELP, MENU_LANGUAGE, LanguageCb, language_keyboard, main_menu
from bot.telegram.resume import reprompt
from db.queries.users import User
from db.repos import Repos

log = logging.getLogger(__name__)


async def show_main_menu(message: Message, role: Role, config: Settings) -> None:
    """The menu keyboard; a chair with the Mini App also gets the report's two ways (report_ways.py)."""
    if role.kind == "chair":
        text = _("Main menu. What would you like to do?")
    elif role.is_admin:
        text = _("Main menu for administrators. Send /help to see what you can do.")
    else:
        text = _("Main menu.")
    await message.answer(text, reply_markup=main_menu(role))
    await offer_report_ways(message, role, config)


GREETING = N_("Hello! Please choose your language:")

REPORT_STATES = {ReportDialog.filling.state, ReportDialog.resume_choice.state}


async def cmd_start(message: Message, state: FSMContext, user: User, role: Role, i18n: I18n, config: Settings,
                    **data) -> None:
    if role.kind == "guest" and user.locale and await reprompt(message, state, {"role": role, "user": user,
                                                                              "config": config, **data}):
        return  # registration under way: keep what they typed, ask the current question again
    report_month = (await state.get_data()).get("month") if await state.get_state() in REPORT_STATES else None
    await state.clear()
    if user.locale is None:
        preferred = telegram_locale(message.from_user)
        order = ("ru", "kk") if preferred == "ru" else ("kk", "ru")
        await message.answer("\n".join(i18n.gettext(GREETING, locale=locale) for locale in order),
                             reply_markup=language_keyboard(preferred))
        return
    if role.kind == "guest":
        await ask_code(message, state)
        return
    await show_main_menu(message, role, config)
    if report_month:  # /start in the middle of a report: say where the answers are, not leave them silently
        month = dates.month_in_text(Month.parse(report_month), i18n.current_locale)
        await message.answer(_("Your answers to the report for {month} are kept as a draft: /report continues "
                               "where you left off.").format(month=month))


async def cmd_language(message: Message, user: User) -> None:
    await message.answer(_("Choose the language:"), reply_markup=language_keyboard(user.locale))


async def on_language(query: CallbackQuery, callback_data: LanguageCb, state: FSMContext, user: User,
                      role: Role, repos: Repos, i18n: I18n, bot: Bot, **data) -> None:
    if callback_data.locale not in LOCALES:
        await query.answer()
        return
    if (message := await callback_message(query)) is None:
        return
    first_choice = user.locale is None
    await repos.users.set_locale(user.id, callback_data.locale)
    i18n.current_locale = callback_data.locale
    await set_chat_commands(bot, i18n, callback_data.locale, user.id, role.is_admin, role.is_branch)
    user = await repos.users.get(user.id) or user
    language = _("Kazakh") if callback_data.locale == "kk" else _("Russian")
    await query.answer(_("Language: {language}").format(language=language))
    await message.edit_reply_markup(reply_markup=None)
    if role.kind == "guest" and first_choice:
        await ask_code(message, state)
        return
    await message.answer(_("The language is changed."), reply_markup=main_menu(role) if role.kind != "guest"
                         else None)
    # A dialog under way goes on in the new language, at the same question.
    context = {"role": role, "user": user, "repos": repos, "i18n": i18n, "bot": bot, **data}
    if not await reprompt(message, state, context) and role.kind == "guest":
        await ask_code(message, state)


async def cmd_help(message: Message, role: Role, calendar: ReportingCalendar, clock: Clock, i18n: I18n) -> None:
    lines = [_("<b>Bastau</b> collects the monthly reports of primary party organizations.")]
    if role.kind == "chair":
        month = dates.month_in_text(calendar.open_month(clock.now()), i18n.current_locale)
        lines.append(_("/report: file or continue the report for {month}\n"
                       "/myreports: your reports and their status").format(month=month))
    elif role.kind == "guest":
        lines.append(_("/start: register with the invite code of your organization"))
    if role.is_admin:
        lines.append(admin_help())
    lines.append(_("/language: change the language\n/cancel: stop what you are doing\n/help: this help"))
    await message.answer("\n\n".join(lines))


def admin_help() -> str:
    """Commands of administrators (the admin tools and the digest add theirs)."""
    from bot.telegram.admin import admin_commands_help

    return admin_commands_help()


async def cmd_cancel(message: Message, state: FSMContext, role: Role, user: User) -> None:
    had_state = await state.get_state() is not None
    await state.clear()
    await message.answer(_("Cancelled. Nothing you already confirmed is lost.") if had_state
                         else _("There is nothing to cancel."),
                         reply_markup=main_menu(role) if role.kind != "guest" else None)


def create_router() -> Router:
    router = Router(name=__name__)
    # Only commands, two menu buttons and the language buttons: anything else skips the router at once.
    router.message.filter(CommandOrMenuButton(MENU_LANGUAGE, MENU_HELP))
    router.callback_query.filter(ButtonOf(LanguageCb))
    router.message.register(cmd_start, CommandStart())
    router.message.register(cmd_language, Command("language"))
    router.message.register(cmd_language, MenuButton(MENU_LANGUAGE))
    router.callback_query.register(on_language, LanguageCb.filter())
    router.message.register(cmd_help, Command("help"))
    router.message.register(cmd_help, MenuButton(MENU_HELP))
    router.message.register(cmd_cancel, Command("cancel"))
    return router
