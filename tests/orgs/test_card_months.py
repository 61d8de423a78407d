"""The organization card's last twelve months (issue 12): each month's status, and a filed month's
report opened from the card, within the admin's scope only."""
from __future__ import annotations

from bot.telegram.admin import AdminCb
from tests.support.people import SAIRAM_ADMIN, admin, nowhere, org_id, register
from tests.support.report import file_quickly


def buttons(calls) -> list[str]:
    markup = getattr(calls[-1], "reply_markup", None)
    return [b.text for row in (markup.inline_keyboard if markup else []) for b in row]


async def test_the_card_lists_twelve_months_and_opens_a_filed_report(harness):
    chair = await register(harness, 1001, "kk", "Құтарыс")
    await file_quickly(harness, chair, "kk")                      # November 2026, the open month
    district = await admin(harness, SAIRAM_ADMIN)
    calls = await district.send("/org Құтарыс")
    card = district.reply
    assert "Последние 12 месяцев:" in card
    assert "• ноябрь 2026: сдан в срок" in card
    assert "• октябрь 2026: не сдан" in card and "• декабрь 2025: не сдан" in card
    assert "• ноябрь 2025" not in card                            # twelve months, newest first
    assert buttons(calls)[-1] == "📄 ноябрь 2026"                 # only the filed month opens
    assert sum(label.startswith("📄") for label in buttons(calls)) == 1
    await district.press("📄 ноябрь 2026")
    assert "Құтарыс" in district.reply and "Принять" in str(district.last_calls)


async def test_another_districts_admin_cannot_open_it_from_a_forged_button(harness):
    chair = await register(harness, 1003, "kk", "Мектеп №5")       # Байзақ ауданы
    await file_quickly(harness, chair, "kk")
    district = await admin(harness, SAIRAM_ADMIN)                  # Сайрам ауданы's admin
    mektep = await org_id(harness, "Мектеп №5")
    before = len(harness.session.requests)
    await district.press_data(AdminCb(action="rv_o", org=mektep, month="2026-11").pack(), nowhere(SAIRAM_ADMIN))
    sent = harness.session.requests[before:]
    assert all("Мектеп" not in str(getattr(r, "text", "") or "") for r in sent)
    await district.send("/org Мектеп")
    assert "Мектеп №5" not in district.reply


async def test_the_district_escalation_opens_each_missing_organization_s_card(harness, clock):
    from tests.support.harness import at
    from tests.support.schedule import Recorder, people

    await people(harness, clock)
    recorder = Recorder(harness, clock)
    await recorder.tick(at("2026-12-06 09:05"))                    # the day after the due date
    (escalation,) = [c for c in recorder.calls if c.chat_id == SAIRAM_ADMIN]
    labels = [b.text for row in escalation.reply_markup.inline_keyboard for b in row]
    assert sorted(labels) == sorted(["Құтарыс", "Қайнарбұлақ"])    # the district's two, no other's
    district = harness.client(SAIRAM_ADMIN)
    await district.press_data([b for row in escalation.reply_markup.inline_keyboard for b in row
                               if b.text == "Қайнарбұлақ"][0].callback_data, nowhere(SAIRAM_ADMIN))
    assert "<b>Қайнарбұлақ</b>" in district.reply and "Соңғы 12 ай:" in district.reply
