"""What nothing else understood: a clear answer instead of silence. Included last."""
from __future__ import annotations

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.domain.roles import Role
from bot.telegram.keyboards import main_menu
from bot.telegram.resume import reprompt


async def on_unknown_message(message: Message, state: FSMContext, role: Role, **data) -> None:
    if message.text and message.text.startswith("/"):
        await message.answer(_("Unknown command. Send /help to see what I can do."))
    else:
        await message.answer(_("I did not understand that. Please use the menu buttons or send /help."))
    if not await reprompt(message, state, {"role": role, **data}):
        if role.kind != "guest":
            await message.answer(_("Main menu."), reply_markup=main_menu(role))
        else:
            await message.answer(_("To register, send /start."))


async def on_unknown_callback(query: CallbackQuery) -> None:
    await query.answer(_("This button is no longer active."), show_alert=True)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_unknown_message)
    router.callback_query.register(on_unknown_callback)
    return router
