"""/broadcast: an admin picks the audience, sends the message, sees a preview, confirms.
/broadcasts: past broadcasts with their receipts. Delivery itself runs in bot.features.broadcast.engine."""
from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter, or_f
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n, get_i18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain import dates
from bot.domain.calendar import ReportingCalendar
from bot.domain.clock import Clock
from bot.domain.roles import Role
from bot.features.broadcast import service
from bot.features.broadcast.audience import Audience, describe, recipients, within_scope
from bot.features.broadcast.engine import BroadcastEngine
from bot.features.broadcast.receipt import STOP_LABEL, StopCb, receipt_text, stop_keyboard
from bot.telegram.admin import MENU_BROADCAST, region_of
from bot.telegram.callbacks import callback_message, message_of
from bot.telegram.filters import ButtonOf, CommandOrMenuButton, MenuButton
from bot.telegram.resume import register_reprompt
from db.queries.broadcasts import Receipt
from db.queries.users import User
from db.repos import Repos

CONTENT_TYPES = ("text", "photo", "document", "video")


class BroadcastDialog(StatesGroup):
    audience = State()
    message = State()
    confirm = State()


class BroadcastCb(CallbackData, prefix="bc"):
    action: str       # "aud", "dist", "lang", "send", "drop"
    value: str = ""


def _button(text: str, action: str, value: str = "") -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text=text, callback_data=BroadcastCb(action=action, value=value).pack())]


def audience_keyboard(role: Role, month: str) -> InlineKeyboardMarkup:
    """`month`: the open month, named in the «missing» button (in December «this month» is ambiguous)."""
    if role.is_branch:
        rows = [_button(_("All chairs"), "aud", "all"), _button(_("One district"), "aud", "district")]
    elif role.is_region:
        rows = [_button(_("All chairs of my region"), "aud", "all"), _button(_("One district"), "aud", "district")]
    else:
        rows = [_button(_("All chairs of my district"), "aud", "all")]
    rows += [_button(_("Chairs without the report for {month}").format(month=month), "aud", "missing"),
             _button(_("Chairs by language"), "aud", "lang"),
             _button(_("Administrators"), "aud", "admins"),
             _button(_("✖️ Cancel"), "drop")]
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def _refuse(event: Message | CallbackQuery, state: FSMContext) -> None:
    """Checked on every step: the role may have been taken away meanwhile."""
    await state.clear()
    text = _("Broadcasts are for administrators only.")
    if isinstance(event, CallbackQuery):
        await event.answer(text, show_alert=True)
    else:
        await event.answer(text)


async def cmd_broadcast(message: Message, state: FSMContext, role: Role, calendar: ReportingCalendar,
                        clock: Clock) -> None:
    if not role.is_admin:
        return await _refuse(message, state)
    await state.clear()
    await ask_audience(message, state, role, calendar, clock)


async def ask_audience(message: Message, state: FSMContext, role: Role, calendar: ReportingCalendar, clock: Clock,
                       **_ignored: Any) -> None:
    await state.set_state(BroadcastDialog.audience)
    month = _open_month(calendar, clock.now())
    await message.answer(_("📣 New broadcast. Who should receive it?"), reply_markup=audience_keyboard(role, month))


async def on_audience(query: CallbackQuery, callback_data: BroadcastCb, state: FSMContext, role: Role,
                      repos: Repos, calendar: ReportingCalendar, clock: Clock) -> None:
    if not role.is_admin:
        return await _refuse(query, state)
    if (message := await callback_message(query)) is None:
        return
    kind = callback_data.value
    if kind == "district" and (role.is_branch or role.is_region):
        rows = [_button(name, "dist", str(district_id))
                for district_id, name in await repos.orgs.districts(region_of(role))]
        rows.append(_button(_("✖️ Cancel"), "drop"))
        await query.answer()
        await message.edit_text(_("Which district?"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))
        return
    if kind == "lang":
        rows = [_button("Қазақша", "lang", "kk"), _button("Русский", "lang", "ru"), _button(_("✖️ Cancel"), "drop")]
        await query.answer()
        await message.edit_text(_("Chairs who use which language?"),
                                reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))
        return
    own_district = role.district_id if kind == "district" else None
    await _chosen(query, state, role, repos, _open_month(calendar, clock.now()), within_scope(kind, role, own_district))


async def on_district(query: CallbackQuery, callback_data: BroadcastCb, state: FSMContext, role: Role,
                      repos: Repos, calendar: ReportingCalendar, clock: Clock) -> None:
    if not role.is_admin:
        return await _refuse(query, state)
    district_id = int(callback_data.value) if callback_data.value.isdigit() else None
    await _chosen(query, state, role, repos, _open_month(calendar, clock.now()),
                  within_scope("district", role, district_id))


async def on_language(query: CallbackQuery, callback_data: BroadcastCb, state: FSMContext, role: Role,
                      repos: Repos, calendar: ReportingCalendar, clock: Clock) -> None:
    if not role.is_admin:
        return await _refuse(query, state)
    await _chosen(query, state, role, repos, _open_month(calendar, clock.now()),
                  within_scope("lang", role, role.district_id, callback_data.value))


async def _chosen(query: CallbackQuery, state: FSMContext, role: Role, repos: Repos, month: str,
                  audience: Audience | None) -> None:
    if audience is None:
        await query.answer(_("You can only send broadcasts within your own district."), show_alert=True)
        return
    if (message := await callback_message(query)) is None:
        return
    await query.answer()
    await state.set_state(BroadcastDialog.message)
    await state.update_data(kind=audience.kind, district_id=audience.district_id, locale=audience.locale)
    await message.edit_text(_("Audience: {audience}.").format(audience=await _describe(repos, audience, month)))
    await ask_message(message, state)


async def ask_message(message: Message, state: FSMContext, **_ignored: Any) -> None:
    await message.answer(_("Now send the message to broadcast: text (formatting is kept), a photo, "
                           "a document or a video, with a caption if you like. /cancel to stop."))


async def _describe(repos: Repos, audience: Audience, month: str) -> str:
    name = await repos.orgs.district_name(audience.district_id) if audience.district_id else None
    return escape(describe(audience.code, name, month))


def _open_month(calendar: ReportingCalendar, moment: datetime) -> str:
    """The month a chair reported on at `moment`, in the current locale."""
    return dates.month_in_text(calendar.open_month(moment), get_i18n().current_locale)


def _stored_audience(data: dict[str, Any], role: Role) -> Audience | None:
    """The audience of the dialog, checked against the admin's scope again."""
    if "kind" not in data:
        return None
    return within_scope(data["kind"], role, data.get("district_id"), data.get("locale"))


async def on_message(message: Message, state: FSMContext, role: Role, bot: Bot, repos: Repos, config: Settings,
                     calendar: ReportingCalendar, clock: Clock) -> None:
    if not role.is_admin:
        return await _refuse(message, state)
    audience = _stored_audience(await state.get_data(), role)
    if audience is None:
        return await _refuse(message, state)
    if message.content_type not in CONTENT_TYPES:
        await message.answer(_("Please send text, a photo, a document or a video."))
        return
    count = len(await recipients(audience, repos=repos, config=config, calendar=calendar, clock=clock,
                                 sender_id=message.chat.id))
    if count == 0:
        await state.clear()
        await message.answer(_("Nobody in this audience can receive messages from the bot. Nothing was sent."))
        return
    await state.update_data(from_chat_id=message.chat.id, message_id=message.message_id)
    await state.set_state(BroadcastDialog.confirm)
    await message.answer(_("Preview:"))
    await bot.copy_message(chat_id=message.chat.id, from_chat_id=message.chat.id, message_id=message.message_id)
    await ask_confirm(message, state, role, repos, config, calendar, clock, count=count, audience=audience)


async def ask_confirm(message: Message, state: FSMContext, role: Role, repos: Repos, config: Settings,
                      calendar: ReportingCalendar, clock: Clock, *, count: int | None = None,
                      audience: Audience | None = None, **_ignored: Any) -> None:
    if audience is None:
        audience = _stored_audience(await state.get_data(), role)
        if audience is None:
            return await _refuse(message, state)
    if count is None:
        count = len(await recipients(audience, repos=repos, config=config, calendar=calendar, clock=clock,
                                     sender_id=message.chat.id))
    keyboard = InlineKeyboardMarkup(inline_keyboard=[_button(_("✅ Send"), "send") + _button(_("✖️ Cancel"), "drop")])
    await message.answer(_("Audience: {audience}.\nRecipients: <b>{count}</b>.\nSend it?").format(
        audience=await _describe(repos, audience, _open_month(calendar, clock.now())), count=count),
        reply_markup=keyboard)


async def reprompt_dialog(message: Message, state: FSMContext, **data: Any) -> None:
    step = await state.get_state()
    if step == BroadcastDialog.audience.state:
        await ask_audience(message, state, **data)
    elif step == BroadcastDialog.message.state:
        await ask_message(message, state)
    else:
        await ask_confirm(message, state, **data)


register_reprompt(BroadcastDialog.__name__, reprompt_dialog)


async def on_send(query: CallbackQuery, state: FSMContext, role: Role, user: User, bot: Bot, repos: Repos,
                  config: Settings, calendar: ReportingCalendar, clock: Clock,
                  broadcast_engine: BroadcastEngine) -> None:
    if not role.is_admin:
        return await _refuse(query, state)
    data = await state.get_data()
    audience = _stored_audience(data, role)
    if await state.get_state() != BroadcastDialog.confirm.state or audience is None or "message_id" not in data:
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    if (message := await callback_message(query)) is None:
        return
    chat_ids = await recipients(audience, repos=repos, config=config, calendar=calendar, clock=clock,
                                sender_id=user.id)
    await state.clear()
    await query.answer()
    await message.edit_reply_markup(reply_markup=None)
    broadcast_id = await service.record(broadcast_engine, repos, clock, role, user.id, audience, chat_ids,
                                        from_chat_id=data["from_chat_id"], message_id=data["message_id"],
                                        admin_chat_id=message.chat.id)
    progress = await message.answer(receipt_text(_, broadcast_id, Receipt(left=len(chat_ids)), "running"),
                                    reply_markup=stop_keyboard(_(STOP_LABEL), broadcast_id))
    await repos.broadcasts.set_progress_message(broadcast_id, progress.message_id)
    broadcast_engine.start(broadcast_id, bot)


async def on_drop(query: CallbackQuery, state: FSMContext, role: Role) -> None:
    if not role.is_admin:
        return await _refuse(query, state)
    await state.clear()
    await query.answer()
    if (message := message_of(query)) is not None:
        await message.edit_text(_("The broadcast is cancelled. Nothing was sent."))


async def on_stop(query: CallbackQuery, callback_data: StopCb, state: FSMContext, role: Role, user: User,
                  repos: Repos, clock: Clock, broadcast_engine: BroadcastEngine) -> None:
    if not role.is_admin:
        return await _refuse(query, state)
    stopped = await service.stop(broadcast_engine, repos, clock, role, user.id, callback_data.broadcast_id)
    if stopped is service.Stop.NOT_IN_SCOPE:
        await query.answer(_("This broadcast is not in your scope."), show_alert=True)
    elif stopped is service.Stop.FINISHED:
        await query.answer(_("This broadcast is already finished."), show_alert=True)
    else:
        await query.answer(_("Stopping the broadcast…"))


async def cmd_broadcasts(message: Message, state: FSMContext, role: Role, repos: Repos,
                         calendar: ReportingCalendar, i18n: I18n) -> None:
    if not role.is_admin:
        return await _refuse(message, state)
    if role.is_region:  # those limited to one of the region's districts
        items = [b for b in await repos.broadcasts.recent(None, limit=200) if service.in_scope(role, b)][:10]
    else:
        items = await repos.broadcasts.recent(None if role.is_branch else role.district_id)
    if not items:
        await message.answer(_("There have been no broadcasts yet."))
        return
    receipts = await repos.broadcasts.receipts([b.id for b in items])
    blocks = [_("📣 <b>Latest broadcasts</b>")]
    for broadcast in items:
        when = dates.moment(datetime.fromisoformat(broadcast.created_at), i18n.current_locale, calendar.tz)
        name = await repos.orgs.district_name(broadcast.district_id) if broadcast.district_id else None
        month = _open_month(calendar, datetime.fromisoformat(broadcast.created_at))
        header = _("{when}, to {audience}").format(when=when, audience=escape(describe(broadcast.audience, name,
                                                                                       month)))
        blocks.append(receipt_text(_, broadcast.id, receipts[broadcast.id], broadcast.status) + "\n" + header)
    await message.answer("\n\n".join(blocks))


def create_router() -> Router:
    router = Router(name=__name__)
    # Commands, the menu button, the message being composed, and our own buttons; the rest skips the router.
    router.message.filter(or_f(CommandOrMenuButton(MENU_BROADCAST), StateFilter(BroadcastDialog.message)))
    router.callback_query.filter(ButtonOf(BroadcastCb, StopCb))
    router.message.register(cmd_broadcast, Command("broadcast"))
    router.message.register(cmd_broadcast, MenuButton(MENU_BROADCAST))
    router.message.register(cmd_broadcasts, Command("broadcasts"))
    router.message.register(on_message, StateFilter(BroadcastDialog.message))
    router.callback_query.register(on_audience, BroadcastCb.filter(F.action == "aud"))
    router.callback_query.register(on_district, BroadcastCb.filter(F.action == "dist"))
    router.callback_query.register(on_language, BroadcastCb.filter(F.action == "lang"))
    router.callback_query.register(on_send, BroadcastCb.filter(F.action == "send"))
    router.callback_query.register(on_drop, BroadcastCb.filter(F.action == "drop"))
    router.callback_query.register(on_stop, StopCb.filter())
    return router
