"""Registration of a chair: invite code, full name, phone (optional), confirmation."""
from __future__ import annotations

import logging
from contextlib import suppress
from html import escape
from typing import Any

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain.calendar import ReportingCalendar
from bot.domain.clock import Clock
from bot.domain.roles import Role, RoleResolver
from bot.features.commands.menus import set_chat_commands
from bot.features.joins.keyboards import no_code_keyboard
from bot.features.onboarding.alerts import alert_codes_paused
from bot.features.onboarding.handover import tell_previous_chair
from bot.features.onboarding.report_ways import offer_report_ways
from bot.features.onboarding.service import (
    CodeVerdict,
    check_invite_code,
    clean_full_name,
    code_still_valid,
    normalize_phone,
)
from bot.telegram.callbacks import callback_message
from bot.telegram.filters import HasContact, HasText, NotCommand
from bot.telegram.keyboards import contact_keyboard, main_menu, remove_keyboard
from bot.telegram.resume import register_reprompt
from db.queries.users import User
from db.repos import Repos

log = logging.getLogger(__name__)


class Registration(StatesGroup):
    code = State()
    name = State()
    phone = State()
    confirm = State()


class ConfirmCb(CallbackData, prefix="reg"):
    action: str  # "yes" or "restart"


async def ask_code(message: Message, state: FSMContext) -> None:
    await state.set_state(Registration.code)
    question = await message.answer(_("Please send the invite code of your primary organization. "
                                      "The chair receives it from the district or regional branch."),
                                    reply_markup=remove_keyboard())
    # One message can carry one keyboard: the old reply keyboard goes, then the «no code» button comes.
    await question.edit_reply_markup(reply_markup=no_code_keyboard())
    await state.update_data(code_question=question.message_id)  # its button goes once a code is accepted


async def ask_name(message: Message, state: FSMContext) -> None:
    await state.set_state(Registration.name)
    await message.answer(_("Please send your full name (surname, name, patronymic)."))


async def ask_phone(message: Message, state: FSMContext) -> None:
    await state.set_state(Registration.phone)
    await message.answer(_("Share your phone number with the button below so the branch can reach you, "
                           "or press «Skip»."), reply_markup=contact_keyboard())


async def ask_confirm(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    await state.set_state(Registration.confirm)
    phone = data.get("phone") or _("not given")
    text = _("Please check:\nOrganization: <b>{org}</b>\nDistrict: <b>{district}</b>\n"
             "Chair: <b>{name}</b>\nPhone: {phone}\n\nIs everything correct?").format(
        org=escape(data["org_name"]), district=escape(data["district"]), name=escape(data["full_name"]),
        phone=escape(phone))
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[
        InlineKeyboardButton(text=_("✅ Confirm"), callback_data=ConfirmCb(action="yes").pack()),
        InlineKeyboardButton(text=_("↩️ Start over"), callback_data=ConfirmCb(action="restart").pack()),
    ]])
    await message.answer(_("Almost done."), reply_markup=remove_keyboard())
    await message.answer(text, reply_markup=keyboard)


_ASK = {Registration.code.state: ask_code, Registration.name.state: ask_name,
        Registration.phone.state: ask_phone, Registration.confirm.state: ask_confirm}


async def reprompt_registration(message: Message, state: FSMContext, **_: Any) -> None:
    await _ASK[await state.get_state()](message, state)


register_reprompt(Registration.__name__, reprompt_registration)


async def on_code(message: Message, state: FSMContext, user: User, repos: Repos, clock: Clock,
                  config: Settings, bot: Bot, i18n: I18n, calendar: ReportingCalendar) -> None:
    if not message.text:
        await message.answer(_("Please send the invite code as text."))
        return
    result = await check_invite_code(repos, user.id, message.text, clock.now(), config.registration)
    if result.verdict is CodeVerdict.NOT_A_CODE:
        await message.answer(_("This is not an invite code. A code is 6 or 8 Latin letters and digits, "
                               "for example KMT7PX4Q. Please send your organization's code."))
    elif result.verdict is CodeVerdict.PAUSED:
        await message.answer(_("Too many wrong codes have been sent to the bot, so codes are not accepted "
                               "for a while. Please try again later, or press «🙋 I have no code» to ask "
                               "your district branch."))
        await alert_codes_paused(bot, config, repos, i18n, calendar, result.period, clock.now())
    elif result.verdict is CodeVerdict.LOCKED:
        await message.answer(_("Too many wrong codes. Please try again in an hour, "
                               "or ask your branch for the code."))
    elif result.verdict is CodeVerdict.WRONG:
        if result.attempts_left:
            await message.answer(ngettext(
                "There is no organization with this code. Check it and send it again "
                "({n} attempt left this hour).",
                "There is no organization with this code. Check it and send it again "
                "({n} attempts left this hour).", result.attempts_left).format(n=result.attempts_left))
        else:
            await message.answer(_("Too many wrong codes. Please try again in an hour, "
                                   "or ask your branch for the code."))
    elif result.verdict is CodeVerdict.TAKEN:
        await message.answer(_("This code is already used by another chair. "
                               "Please ask the branch administrator for a new code."))
    elif result.org is not None:
        org = result.org
        await state.update_data(org_id=org.id, org_name=org.name, district=org.district, code=result.code,
                                deputy=result.deputy)
        question = (await state.get_data()).get("code_question")
        if isinstance(question, int):  # «🙋 I have no code» is stale once the code is accepted
            with suppress(TelegramAPIError):
                await bot.edit_message_reply_markup(chat_id=message.chat.id, message_id=question, reply_markup=None)
        await message.answer(_("Organization: <b>{org}</b> ({district}).").format(
            org=escape(org.name), district=escape(org.district)))
        await ask_name(message, state)


async def on_name(message: Message, state: FSMContext) -> None:
    name = clean_full_name(message.text or "")
    if name is None:
        await message.answer(_("Please send your surname and name (and patronymic) in letters, for example: "
                               "Asanov Aibek Serikuly."))
        return
    await state.update_data(full_name=name)
    await ask_phone(message, state)


async def on_contact(message: Message, state: FSMContext) -> None:
    contact, sender = message.contact, message.from_user
    if contact is None or sender is None or contact.user_id != sender.id:
        await message.answer(_("Please share your own phone number with the button below, or press «Skip»."),
                             reply_markup=contact_keyboard())
        return
    phone = contact.phone_number if contact.phone_number.startswith("+") else "+" + contact.phone_number
    await state.update_data(phone=phone)
    await ask_confirm(message, state)


async def on_phone_other(message: Message, state: FSMContext) -> None:
    if message.text and message.text.strip() in {_("Skip"), "/skip"}:
        await state.update_data(phone=None)
        await ask_confirm(message, state)
        return
    if (phone := normalize_phone(message.text or "")) is not None:  # typed as digits: as good as the button
        await state.update_data(phone=phone)
        await ask_confirm(message, state)
        return
    await message.answer(_("Please use the «📱 Share my phone number» button, type the number "
                           "(for example 87010000000), or press «Skip»."), reply_markup=contact_keyboard())


async def on_confirm(query: CallbackQuery, callback_data: ConfirmCb, state: FSMContext, user: User,
                     repos: Repos, roles: RoleResolver, clock: Clock, config: Settings, bot: Bot,
                     i18n: I18n) -> None:
    if (message := await callback_message(query)) is None:
        return
    data = await state.get_data()
    if callback_data.action == "restart" or "full_name" not in data:
        await query.answer()
        await message.edit_reply_markup(reply_markup=None)
        await state.clear()
        await ask_code(message, state)
        return
    deputy = bool(data.get("deputy"))
    if not await code_still_valid(repos, data["org_id"], data.get("code", ""), deputy):
        await query.answer()
        await message.edit_reply_markup(reply_markup=None)
        await state.clear()
        await message.answer(_("The invite code you entered is no longer valid: the branch has issued a new "
                               "one for <b>{org}</b>. Nothing was saved. Please ask your district branch "
                               "for the new code.").format(org=escape(data["org_name"])))
        await ask_code(message, state)
        return
    if deputy:
        bound = await repos.users.register_deputy(user.id, data["org_id"], data["full_name"], data.get("phone"),
                                                  clock.now())
        previous: int | bool | None = None if bound else False
    else:
        previous = await repos.users.register_replacing(user.id, data["org_id"], data["full_name"],
                                                        data.get("phone"), clock.now())
    await message.edit_reply_markup(reply_markup=None)
    if previous is False:
        await query.answer()
        await state.clear()
        await message.answer(_("This organization already has a registered deputy. "
                               "Please ask the branch administrator for help.") if deputy else
                             _("This organization already has a registered chair. "
                               "Please ask the branch administrator for help."))
        await ask_code(message, state)
        return
    log.info("user %s registered as chair of org %s", user.id, data["org_id"])
    if isinstance(previous, int) and not isinstance(previous, bool):
        await tell_previous_chair(bot, repos, i18n, config, previous, data["org_id"])
    await state.clear()
    await query.answer(_("Registered"))
    role = await roles.resolve(user.id, data["org_id"])
    welcome = (_("You are registered as the deputy chair of <b>{org}</b>: you may file its report when the "
                 "chair does not. Welcome!\nA month's report opens on day {open_day} and is due on day "
                 "{due_day} of the next month.") if deputy else
               _("You are registered as the chair of <b>{org}</b>. Welcome!\n"
                 "A month's report opens on day {open_day} and is due on day {due_day} of the next month."))
    await set_chat_commands(bot, i18n, i18n.current_locale, user.id, role.is_admin, role.is_branch)
    await message.answer(
        welcome.format(
            org=escape(data["org_name"]), open_day=config.calendar.open_day, due_day=config.calendar.due_day),
        reply_markup=main_menu(role))
    await offer_report_ways(message, role, config)


async def on_wrong_kind(message: Message) -> None:
    await message.answer(_("Please answer with text."))


async def on_stale_confirm(query: CallbackQuery, role: Role) -> None:
    await query.answer(_("This button is no longer active."), show_alert=True)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(StateFilter(Registration))  # one check for every message of someone not registering
    # A command at the code question goes on to its handler (answered there, never a wrong code).
    router.message.register(on_code, StateFilter(Registration.code), NotCommand())
    router.message.register(on_name, StateFilter(Registration.name), HasText())
    router.message.register(on_contact, StateFilter(Registration.phone), HasContact())
    router.message.register(on_phone_other, StateFilter(Registration.phone))
    router.message.register(on_wrong_kind, StateFilter(Registration.name))
    router.callback_query.register(on_confirm, StateFilter(Registration.confirm), ConfirmCb.filter())
    router.callback_query.register(on_stale_confirm, ConfirmCb.filter())
    router.message.register(ask_confirm, StateFilter(Registration.confirm))
    return router
