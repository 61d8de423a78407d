"""My reports: the chair's months with their status, and a read-only view of each month."""
from __future__ import annotations

from bot.telegram.keyboards import MENU_MY_REPORTS
from tests.support.harness import at
from tests.support.people import org_id_of, register
from tests.support.report import file_quickly


async def seed_history(harness, org_id: int, clock) -> None:
    """October on time, September late, an August draft; November (open) still missing."""
    reports = harness.app.repos.reports
    await reports.submit(org_id, "2026-10", 1, {"members_total": 300, "needs": "<i>Компьютер</i>"}, False,
                         clock.now())
    await reports.submit(org_id, "2026-09", 1, {"members_total": 290}, True, clock.now())
    await reports.save_draft(org_id, "2026-08", 1, {"members_total": 280}, "members_joined", clock.now())


async def test_kazakh_chair_sees_months_and_statuses(harness, clock):
    chair = await register(harness, 2001, "kk", "Құтарыс")
    await seed_history(harness, await org_id_of(harness, 2001), clock)
    await chair.send(harness.app.i18n.gettext(MENU_MY_REPORTS, locale="kk"))
    lines = chair.reply.splitlines()
    assert lines[0] == "<b>Есептеріңіз</b>"
    assert lines[1] == "⏳ 2026 жылғы қараша: әлі тапсырылмаған (мерзімі: 2026 жылғы 5 желтоқсан)"
    assert lines[2] == "✅ 2026 жылғы қазан: тапсырылды"
    assert lines[3] == "⏰ 2026 жылғы қыркүйек: кешігіп тапсырылды"
    assert lines[4] == "📝 2026 жылғы тамыз: нобай, тапсырылмаған"
    # The chair registered in November: July and June, before that, with no report or draft, are not
    # listed as missing (issue 12); the months a previous chair filed stay.
    assert lines[5] == "Есепті көру үшін айды басыңыз."
    assert "шілде" not in chair.reply and len(chair.buttons()) == 4


async def test_months_before_registration_are_not_missing(harness, clock):
    clock.set(at("2026-09-26 10:00"))
    chair = await register(harness, 2006, "ru", "Құтарыс")
    clock.set(at("2026-11-26 10:00"))
    await chair.send("/myreports")
    assert "❌ сентябрь 2026: не сдан" in chair.reply and "❌ октябрь 2026: не сдан" in chair.reply
    assert "август 2026" not in chair.reply and len(chair.buttons()) == 3


async def test_russian_chair_sees_months_after_the_due_date(harness, clock):
    chair = await register(harness, 2002, "ru", "Құтарыс")
    await seed_history(harness, await org_id_of(harness, 2002), clock)
    clock.set(at("2026-12-10 10:00"))  # November is still the open month, now overdue
    await chair.send("/myreports")
    assert "❌ ноябрь 2026: не сдан" in chair.reply
    assert "✅ октябрь 2026: сдан" in chair.reply and "⏰ сентябрь 2026: сдан с опозданием" in chair.reply
    assert "📝 август 2026: черновик, не сдан" in chair.reply
    clock.set(at("2026-12-26 10:00"))  # December opens
    await chair.send("/myreports")
    assert chair.reply.splitlines()[1].startswith("⏳ декабрь 2026: ещё не сдан")


async def test_the_list_starts_at_registration_when_that_is_earlier(harness, clock):
    clock.set(at("2026-01-26 10:00"))
    chair = await register(harness, 2003, "ru", "Құтарыс")
    clock.set(at("2026-11-26 10:00"))
    await chair.send("/myreports")
    assert "январь 2026" in chair.reply and "декабрь 2025" not in chair.reply
    assert len(chair.buttons()) == 11


async def test_a_month_opens_read_only_in_the_users_language(harness, clock):
    chair = await register(harness, 2004, "ru", "Құтарыс")
    await seed_history(harness, await org_id_of(harness, 2004), clock)
    await chair.send("/myreports")
    await chair.press("октябрь 2026")
    assert "Отчёт за октябрь 2026 года</b> сдан" in chair.reply
    assert "Всего членов партии: <b>300</b>" in chair.reply
    assert "&lt;i&gt;Компьютер&lt;/i&gt;" in chair.reply
    assert "больше нельзя изменить" in chair.reply  # October was due on 5 November
    await chair.send("/myreports")
    await chair.press("август 2026")
    assert "черновик" in chair.reply and "<b>280</b>" in chair.reply
    await chair.send("/myreports")
    await chair.press("ноябрь 2026")
    assert "Отчёта за ноябрь 2026 года нет" in chair.reply
    await chair.press("Сдать отчёт")  # the open month offers the report dialog
    assert "Вопрос 1 из 12" in chair.reply


async def test_the_open_months_report_can_be_edited_from_the_view(harness):
    chair = await register(harness, 2005, "kk", "Құтарыс")
    await file_quickly(harness, chair, "kk")
    await chair.send("/myreports")
    assert "✅ 2026 жылғы қараша: тапсырылды" in chair.reply
    await chair.press("2026 жылғы қараша")
    await chair.press("Есепті өзгерту")
    assert "2026 жылғы қараша айының есебіңіз" in chair.reply


async def test_forged_months_show_nothing_of_other_organizations(harness, clock):
    chair = await register(harness, 2006, "ru", "Құтарыс")
    other = await register(harness, 2007, "ru", "Қайнарбұлақ")
    await harness.app.repos.reports.submit(await org_id_of(harness, 2007), "2026-10", 2007,
                                           {"members_total": 777}, False, clock.now())
    await chair.send("/myreports")
    for forged in ("myrep:2026-10", "myrep:2099-01", "myrep:2026-13", "myrep:../../etc", "myrep:"):
        await chair.press_data(forged)
        assert "777" not in chair.reply
    await chair.press_data("myrep:2026-10")
    assert "Отчёта за октябрь 2026 года нет" in chair.reply
    await chair.press_data("myrep:2026-13")
    assert "больше не действует" in chair.reply
    await other.send("/myreports")
    await other.press("октябрь 2026")
    assert "<b>777</b>" in other.reply


async def test_guests_are_told_to_register(harness):
    guest = harness.client(2008, language_code="kk")
    await guest.send("/start")
    await guest.press("Қазақша")
    await guest.send("/cancel")
    await guest.send("/myreports")
    assert "тіркелген төрағалары" in guest.reply
    old = {"message_id": 1, "date": 0, "chat": {"id": 2008, "type": "private"}, "text": "old"}
    await guest.press_data("myrep:2026-10", message=old)
    assert "тіркелген төрағалары" in guest.reply
