"""An admin sends a broadcast to chairs: audience, message, preview, confirmation, progress, receipt."""
from __future__ import annotations

import asyncio

from aiogram.methods import CopyMessage, EditMessageText, SendMessage

from bot.features.broadcast import ENGINE_KEY
from bot.features.broadcast.receipt import StopCb
from bot.features.broadcast.router import BroadcastCb
from tests.support.broadcast import CHAIRS
from tests.support.harness import Harness

TOO_MANY = {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 30",
            "parameters": {"retry_after": 30}}
COPIED = {"ok": True, "result": {"message_id": 1}}


async def admin_client(h: Harness, user_id: int, language: str = "ru"):
    admin = h.client(user_id, language_code=language)
    await admin.send("/start")
    await admin.press("Русский" if language == "ru" else "Қазақша")
    return admin


def copies(h: Harness, calls=None) -> list[CopyMessage]:
    return [c for c in (calls if calls is not None else h.session.requests) if isinstance(c, CopyMessage)]


async def compose(admin, audience_label: str, text: str = "Собрание в пятницу в 10:00"):
    """Choose the audience and send a bold text; return the admin's message id."""
    await admin.send("/broadcast")
    await admin.press(audience_label)
    await admin.send_raw(text=text, entities=[{"type": "bold", "offset": 0, "length": 8}])
    return admin.last_calls


async def latest_broadcast(h: Harness):
    return (await h.app.repos.broadcasts.recent(None, limit=1))[0]


async def test_branch_admin_broadcasts_a_formatted_text_to_all_chairs(bh):
    admin = await admin_client(bh, 900)
    await admin.send("/broadcast")
    assert "Кому отправить?" in admin.reply
    assert "Один район" in admin.buttons()
    await admin.press("Все председатели")
    assert "все председатели (вся область)" in admin.reply and "отправьте сообщение" in admin.reply
    await admin.send_raw(text="Собрание в пятницу", entities=[{"type": "bold", "offset": 0, "length": 8}])
    preview = copies(bh, admin.last_calls)
    assert [(c.chat_id, c.from_chat_id) for c in preview] == [(900, 900)]
    source_id = preview[0].message_id
    assert "Получателей: <b>3</b>" in admin.reply and "Отправить?" in admin.reply
    assert admin.buttons() == ["✅ Отправить", "✖️ Отмена"]
    assert copies(bh) == preview  # nothing went to the chairs before the confirmation

    await admin.press("✅ Отправить")
    assert "Рассылка №" in admin.reply and "Осталось: 3" in admin.reply
    broadcast = await latest_broadcast(bh)
    receipt = await bh.app.extra[ENGINE_KEY].wait(broadcast.id)

    delivered = [c for c in copies(bh) if c.chat_id != 900]
    assert sorted(c.chat_id for c in delivered) == sorted(CHAIRS)
    assert all((c.from_chat_id, c.message_id) == (900, source_id) for c in delivered)
    assert (receipt.sent, receipt.blocked, receipt.failed, receipt.left) == (3, 0, 0, 0)
    states = await bh.app.repos.broadcasts.recipients(broadcast.id)
    assert sorted((chat, state) for chat, state, _ in states) == [(c, "sent") for c in sorted(CHAIRS)]
    # The progress message became the receipt, and the receipt is not sent again (issue 12: it was).
    progress = bh.session.chats[900][broadcast.progress_message_id]
    assert "завершена" in progress["text"] and "Доставлено: 3" in progress["text"]
    assert "reply_markup" not in progress
    receipts = [m for m in bh.session.chats[900].values() if "завершена" in (m.get("text") or "")]
    assert receipts == [progress]
    assert not [c for c in bh.session.requests if isinstance(c, SendMessage) and c.chat_id == 900
                and "Доставлено: 3" in c.text]
    # Audited, with who sent it and to how many.
    entries = await bh.app.repos.audit.latest(5)
    assert any(e.action == "broadcast.send" and e.actor_id == 900 and e.object_ref == f"broadcast:{broadcast.id}"
               and e.details["recipients"] == 3 for e in entries)


async def test_admin_sees_progress_and_stops_the_broadcast_midway(bh, sleep):
    admin = await admin_client(bh, 900, "kk")
    await compose(admin, "Барлық төрағалар")
    bh.session.queue("CopyMessage", COPIED)      # the first chair gets it...
    bh.session.queue("CopyMessage", TOO_MANY)    # ...then Telegram asks to wait 30 s
    sleep.hold = asyncio.Event()
    await admin.press("✅ Жіберу")
    broadcast = await latest_broadcast(bh)
    await asyncio.wait_for(sleep.holding.wait(), 5)  # paused on the 429

    progress = bh.session.chats[900][broadcast.progress_message_id]
    assert "Жеткізілді: 1" in progress["text"] and "Қалды: 2" in progress["text"]
    district_admin = await admin_client(bh, 901)  # a branch-wide broadcast is not theirs to stop
    await district_admin.press_data(StopCb(broadcast_id=broadcast.id).pack(), message=progress)
    assert "вне вашей зоны" in district_admin.reply
    assert bh.app.extra[ENGINE_KEY].is_running(broadcast.id)
    await admin.press("Таратуды тоқтату", message=progress)
    assert "тоқтатылуда" in admin.reply
    sleep.hold.set()
    receipt = await bh.app.extra[ENGINE_KEY].wait(broadcast.id)

    assert (receipt.sent, receipt.cancelled, receipt.left) == (1, 2, 0)
    assert len([c for c in copies(bh) if c.chat_id != 900]) == 2  # the delivered one and the 429
    final = bh.session.chats[900][broadcast.progress_message_id]["text"]
    assert "тоқтатылды" in final and "Жіберілмеді (тоқтатылды): 2" in final
    assert (await bh.app.repos.broadcasts.get(broadcast.id)).status == "cancelled"
    assert any(e.action == "broadcast.cancel" for e in await bh.app.repos.audit.latest(5))


async def test_progress_is_edited_while_a_long_broadcast_runs(bh, sleep):
    admin = await admin_client(bh, 900)
    await compose(admin, "Все председатели")
    bh.session.queue("CopyMessage", COPIED)
    bh.session.queue("CopyMessage", TOO_MANY)
    await admin.press("✅ Отправить")
    broadcast = await latest_broadcast(bh)
    await bh.app.extra[ENGINE_KEY].wait(broadcast.id)
    edits = [c.text for c in bh.session.requests
             if isinstance(c, EditMessageText) and c.message_id == broadcast.progress_message_id]
    assert any("Доставлено: 1" in t and "Осталось: 2" in t for t in edits), edits
    assert "завершена" in edits[-1] and "Доставлено: 3" in edits[-1]
    assert max(sleep.calls) >= 30  # the 429's retry_after was honoured


async def test_district_admin_reaches_only_their_district(bh):
    admin = await admin_client(bh, 901)
    await admin.send("/broadcast")
    assert "Один район" not in admin.buttons()
    baizak = (await bh.app.db.fetchone("SELECT id FROM districts WHERE name = 'Байзақ ауданы'"))[0]
    await admin.press_data(BroadcastCb(action="dist", value=str(baizak)).pack())
    assert "только в пределах своего района" in admin.reply
    await admin.send("Сообщение не туда")
    assert copies(bh) == [] and await bh.app.repos.broadcasts.recent(None) == []

    await compose(admin, "Все председатели моего района")
    assert "Получателей: <b>2</b>" in admin.reply and "Сайрам ауданы" in admin.reply
    await admin.press("✅ Отправить")
    broadcast = await latest_broadcast(bh)
    await bh.app.extra[ENGINE_KEY].wait(broadcast.id)
    assert sorted(c.chat_id for c in copies(bh) if c.chat_id != 901) == [1001, 1002]
    # Their list shows their district's broadcasts only.
    branch = await admin_client(bh, 900)
    await compose(branch, "Все председатели")
    await branch.press("✅ Отправить")
    await bh.app.extra[ENGINE_KEY].wait((await latest_broadcast(bh)).id)
    await admin.send("/broadcasts")
    assert f"№{broadcast.id} завершена" in admin.reply and f"№{broadcast.id + 1}" not in admin.reply
    await branch.send("/broadcasts")
    assert f"№{broadcast.id} " in branch.reply and f"№{broadcast.id + 1} " in branch.reply
    assert "Доставлено: 3" in branch.reply


async def test_branch_admin_chooses_one_district_or_a_language(bh):
    admin = await admin_client(bh, 900)
    await admin.send("/broadcast")
    await admin.press("Один район")
    await admin.press("Байзақ ауданы")
    await admin.send("Привет, Байзақ")
    assert "Получателей: <b>1</b>" in admin.reply
    await admin.press("✅ Отправить")
    await bh.app.extra[ENGINE_KEY].wait((await latest_broadcast(bh)).id)
    assert [c.chat_id for c in copies(bh) if c.chat_id != 900] == [1003]

    await admin.send("/broadcast")
    await admin.press("Председатели по языку")
    await admin.press("Қазақша")
    await admin.send_photo("photo42", caption="Фото")
    assert "Получателей: <b>2</b>" in admin.reply  # 1001 and 1003 chose Kazakh
    await admin.press("✖️ Отмена")
    assert "Рассылка отменена" in admin.reply
    assert len(await bh.app.repos.broadcasts.recent(None)) == 1


async def test_admins_start_a_broadcast_from_the_main_menu(bh):
    admin = await admin_client(bh, 901)
    assert "📣 Рассылка" in admin.reply_keyboard()
    await admin.send("📣 Рассылка")
    assert "Кому отправить?" in admin.reply
    chair = bh.client(1001)
    await chair.send("/start")
    assert "📣 Хабарлама тарату" not in chair.reply_keyboard()


async def test_chairs_and_strangers_cannot_broadcast(bh):
    chair = bh.client(1001)
    await chair.send("/broadcast")
    assert "тек әкімшілерге" in chair.reply
    await chair.send("/broadcasts")
    assert "тек әкімшілерге" in chair.reply
    stranger = bh.client(5555, language_code="ru")
    await stranger.send("/broadcast")
    assert "только администраторам" in stranger.reply
    # Forged buttons do nothing either.
    admin = await admin_client(bh, 900)
    await compose(admin, "Все председатели")
    await chair.press_data(BroadcastCb(action="aud", value="all").pack(), message=admin.keyboard_message())
    assert "тек әкімшілерге" in chair.reply
    await chair.press_data(BroadcastCb(action="send").pack(), message=admin.keyboard_message())
    assert "тек әкімшілерге" in chair.reply
    assert await bh.app.repos.broadcasts.recent(None) == []
    assert [c.chat_id for c in copies(bh)] == [900]  # only the admin's own preview


async def test_only_text_photo_document_or_video_is_accepted(bh):
    await admin_client(bh, 901)  # the other administrator has started the bot, so messages can reach them
    admin = await admin_client(bh, 900)
    await admin.send("/broadcast")
    await admin.press("Администраторы")
    await admin.send_sticker()
    assert "Отправьте текст, фото, документ или видео" in admin.reply
    await admin.send_document(b"%PDF", "plan.pdf", "application/pdf")
    # Admin 901 is the only other administrator.
    assert "Получателей: <b>1</b>" in admin.reply


async def test_chairs_missing_the_open_months_report(bh):
    org = (await bh.app.repos.users.get(1001)).org_id
    month = str(bh.app.calendar.open_month(bh.clock.now()))
    await bh.app.db.execute("INSERT INTO reports(org_id, month, answers, submitted_at, updated_at) "
                            "VALUES (?, ?, '{}', '2026-11-26T05:00:00', '2026-11-26T05:00:00')", (org, month))
    admin = await admin_client(bh, 900)
    # The month is named («this month» is ambiguous in December, when November is still open).
    await compose(admin, "Председатели без отчёта за ноябрь 2026 года")
    assert "Получателей: <b>2</b>" in admin.reply
    assert "председатели, не сдавшие отчёт за ноябрь 2026 года (вся область)" in admin.reply
    await admin.press("✅ Отправить")
    await bh.app.extra[ENGINE_KEY].wait((await latest_broadcast(bh)).id)
    assert sorted(c.chat_id for c in copies(bh) if c.chat_id != 900) == [1002, 1003]


async def test_changing_the_language_mid_dialog_asks_the_same_step_again(bh):
    admin = await admin_client(bh, 900, "kk")
    await compose(admin, "Барлық төрағалар")
    assert "Жіберейік пе?" in admin.reply
    await admin.send("/language")
    await admin.press("Русский")
    assert "Получателей: <b>3</b>" in admin.reply and "Отправить?" in admin.reply
    await admin.press("✅ Отправить")
    receipt = await bh.app.extra[ENGINE_KEY].wait((await latest_broadcast(bh)).id)
    assert receipt.sent == 3
