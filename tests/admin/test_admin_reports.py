"""/stats and /reopen: the open month at a glance; a submitted report reopened after its due date."""
from __future__ import annotations

from tests.support.harness import at
from tests.support.people import BRANCH, SAIRAM_ADMIN, admin, nowhere, org_id, register
from tests.support.report import BUTTONS, file_quickly, open_report
from tests.support.seen import audit_entries


async def test_stats_show_the_open_month_per_district(harness, clock):
    await register(harness, 1001, "ru", "Құтарыс")
    await harness.app.repos.reports.submit(await org_id(harness, "Құтарыс"), "2026-11", 1001, {}, False, clock.now())
    boss = await admin(harness, BRANCH, locale="kk")
    await boss.send("/stats")
    assert "<b>2026 жылғы қараша айының есебі</b>" in boss.reply and "Тапсырғаны: 3 ішінен 1" in boss.reply
    assert "• Сайрам ауданы: 1/2, кешіккені 0, тапсырмағаны 1" in boss.reply
    assert "• Байзақ ауданы: 0/1, кешіккені 0, тапсырмағаны 1" in boss.reply
    district = await admin(harness, SAIRAM_ADMIN, locale="ru")
    assert "📊 Статистика" in district.reply_keyboard()
    await district.send("📊 Статистика")
    assert "Сдали: 1 из 2" in district.reply and "Байзақ" not in district.reply


async def test_an_admin_reopens_a_report_after_the_due_date(harness, clock):
    chair = await register(harness, 1001, "kk", "Құтарыс")
    kutarys = await org_id(harness, "Құтарыс")
    await file_quickly(harness, chair, "kk")
    clock.set(at("2026-12-08 11:00"))
    await open_report(harness, chair, "kk")
    assert "енді өзгертуге болмайды" in chair.reply  # past the due date: the chair cannot edit

    district = await admin(harness, SAIRAM_ADMIN, locale="ru")
    await district.send("/reopen")
    assert district.buttons()[0] == "ноябрь 2026"
    await district.press("ноябрь 2026")
    assert district.buttons() == ["Құтарыс"]
    await district.press("Құтарыс")
    assert "Напишите причину" in district.reply  # nothing reopened yet
    assert (await harness.app.repos.reports.get(kutarys, "2026-11")).reopened_until is None
    await district.send("Число членов не сходится")
    assert "Открыть отчёт <b>Құтарыс</b> за ноябрь 2026 года" in district.reply
    assert "Причина: Число членов не сходится" in district.reply
    await district.press("🔓 Открыть")
    assert "открыт для исправления до 15 декабря 2026 г." in district.reply

    report = await harness.app.repos.reports.get(kutarys, "2026-11")
    assert report.reopened_until == "2026-12-15"
    notice = chair.bot_messages()[-1]
    told = notice["text"]
    assert "Әкімші 2026 жылғы қараша айының есебіңізді қайта ашты" in told and "2026 жылғы 15 желтоқсан" in told
    assert "Себебі: Число членов не сходится" in told
    assert chair.buttons() == ["✏️ Есепті өзгерту"] and chair.keyboard_message() is notice
    entry = (await audit_entries(harness))[-1]
    assert (entry["action"], entry["actor"], entry["role"], entry["object"]) == (
        "report.reopen", SAIRAM_ADMIN, "district", f"org:{kutarys}")
    assert entry["details"]["month"] == "2026-11" and entry["details"]["until"] == "2026-12-15"
    assert entry["details"]["reason"] == "Число членов не сходится"
    assert entry["at"].startswith("2026-12-08T06:00")

    # The chair can edit again, from the notice's button.
    await chair.press(BUTTONS["kk"]["edit"], notice)
    await chair.press("✏️ 1.")
    await chair.send("401")
    await chair.press(BUTTONS["kk"]["confirm"])
    assert (await harness.app.repos.reports.get(kutarys, "2026-11")).answers["members_total"] == 401

    # The list now shows it as open.
    await district.send("/reopen")
    await district.press("ноябрь 2026")
    assert district.buttons() == ["Құтарыс (открыт до 15 декабря 2026 г.)"]


async def test_nothing_to_reopen_before_the_due_date_or_without_a_report(harness, clock):
    await register(harness, 1001, "ru", "Құтарыс")
    kutarys = await org_id(harness, "Құтарыс")
    await harness.app.repos.reports.submit(kutarys, "2026-11", 1001, {}, False, clock.now())
    boss = await admin(harness, BRANCH)
    from bot.telegram.admin import AdminCb
    await boss.press_data(AdminCb(action="ro_o", month="2026-11", org=kutarys).pack(), nowhere(BRANCH))
    assert "ещё можно исправлять" in boss.reply
    await boss.press_data(AdminCb(action="ro_o", month="2026-09", org=kutarys).pack(), nowhere(BRANCH))
    assert "не сдавала отчёт" in boss.reply
    assert (await harness.app.repos.reports.get(kutarys, "2026-11")).reopened_until is None
    assert await audit_entries(harness) == []
