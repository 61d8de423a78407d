"""Review stories: a district admin returns a report with a comment, the chair (in the other language)
edits it after the due date and resubmits, the admin accepts; an album of the report's photos."""
from __future__ import annotations

from aiogram.methods import SendMediaGroup, SendPhoto

from bot.telegram.admin import AdminCb
from tests.support.harness import at
from tests.support.people import SAIRAM_ADMIN, admin, nowhere, org_id, register
from tests.support.report import BUTTONS, MONTH, file_quickly, report_of
from tests.support.seen import audit_entries


async def test_returned_with_a_comment_edited_after_the_due_date_then_accepted(harness, clock):
    chair = await register(harness, 1001, "kk", "Құтарыс")
    kutarys = await org_id(harness, "Құтарыс")
    await file_quickly(harness, chair, "kk")
    clock.set(at("2026-12-08 11:00"))  # November was due on 5 December

    district = await admin(harness, SAIRAM_ADMIN, locale="ru")
    await district.send("/stats")
    assert district.buttons() == ["📋 Сайрам ауданы"]
    await district.press("Сайрам ауданы")
    assert "отчёты за ноябрь 2026 года: 1" in district.reply
    assert district.buttons() == ["🆕 Құтарыс", "◀ октябрь 2026"]
    await district.press("Құтарыс")
    assert "<b>Құтарыс</b>, отчёт за ноябрь 2026 года: ждёт проверки" in district.reply
    assert "Всего членов партии: <b>400</b>" in district.reply
    assert district.buttons() == ["✅ Принять", "↩️ Вернуть на доработку"]
    await district.press("Вернуть на доработку")
    assert "Напишите комментарий для председателя" in district.reply
    assert (await report_of(harness, 1001)).review == "submitted"  # nothing until the comment
    await district.send("Проверьте <число> членов")
    assert "возвращён на доработку" in district.reply

    report = await report_of(harness, 1001)
    assert (report.review, report.review_comment) == ("returned", "Проверьте <число> членов")
    notice = chair.bot_messages()[-1]
    assert "↩️ 2026 жылғы қараша айының есебіңіз түзетуге қайтарылды." in notice["text"]
    assert "Ескертпе: Проверьте &lt;число&gt; членов" in notice["text"]
    assert chair.buttons() == ["✏️ Есепті өзгерту"] and chair.keyboard_message() is notice

    await chair.send("/myreports")
    assert "↩️ 2026 жылғы қараша: түзетуге қайтарылды" in chair.reply
    # Past the due date, and never reopened: the returned report can still be edited.
    await chair.press(BUTTONS["kk"]["edit"], notice)
    await chair.press("✏️ 1.")
    await chair.send("401")
    await chair.press(BUTTONS["kk"]["confirm"])
    report = await report_of(harness, 1001)
    assert report.answers["members_total"] == 401 and report.review == "submitted"
    await chair.send("/myreports")
    assert "2026 жылғы қараша: кешігіп тапсырылды" not in chair.reply  # filed on time, first time
    assert "✅ 2026 жылғы қараша: тапсырылды" in chair.reply

    await district.send("/stats")
    await district.press("Сайрам ауданы")
    await district.press("Құтарыс")
    assert "ждёт проверки" in district.reply and "<b>401</b>" in district.reply
    await district.press("Принять")
    assert "Отчёт <b>Құтарыс</b> за ноябрь 2026 года принят." in district.reply
    assert (await report_of(harness, 1001)).review == "accepted"
    assert "✅ 2026 жылғы қараша айының есебіңіз қабылданды." in chair.bot_messages()[-1]["text"]
    await chair.send("/myreports")
    assert "☑️ 2026 жылғы қараша: есеп қабылданды" in chair.reply
    # Accepted, past the due date: no longer editable.
    await chair.press("2026 жылғы қараша")
    assert "Әкімші оны қабылдады." in chair.reply and "енді өзгертуге болмайды" in chair.reply

    entries = [e for e in await audit_entries(harness) if e["action"].startswith("report.")]
    assert [(e["action"], e["actor"], e["role"], e["object"]) for e in entries] == [
        ("report.return", SAIRAM_ADMIN, "district", f"org:{kutarys}"),
        ("report.accept", SAIRAM_ADMIN, "district", f"org:{kutarys}")]
    assert entries[0]["details"] == {"month": MONTH, "organization": "Құтарыс", "comment": "Проверьте <число> членов"}


async def test_a_report_opens_with_its_photos_as_an_album(harness, clock):
    await register(harness, 1002, "ru", "Қайнарбұлақ")
    kainar = await org_id(harness, "Қайнарбұлақ")
    await harness.app.repos.reports.submit(kainar, MONTH, 1002, {"members_total": 500, "photos": ["ph1", "ph2"]},
                                           False, clock.now())
    district = await admin(harness, SAIRAM_ADMIN, locale="kk")
    harness.session.queue("SendMediaGroup", {"ok": True, "result": [
        {"message_id": 1, "date": 0, "chat": {"id": SAIRAM_ADMIN, "type": "private"}, "photo": []}]})
    calls = await district.press_data(AdminCb(action="rv_o", month=MONTH, org=kainar).pack(), nowhere(SAIRAM_ADMIN))
    albums = [c for c in calls if isinstance(c, SendMediaGroup)]
    assert len(albums) == 1 and [m.media for m in albums[0].media] == ["ph1", "ph2"]
    assert "тексеруді күтуде" in district.reply and "Қабылдау" in str(district.keyboard_message())

    await harness.app.repos.reports.submit(kainar, MONTH, 1002, {"members_total": 500, "photos": ["ph3"]},
                                           False, clock.now())
    calls = await district.press_data(AdminCb(action="rv_o", month=MONTH, org=kainar).pack(), nowhere(SAIRAM_ADMIN))
    assert [c.photo for c in calls if isinstance(c, SendPhoto)] == ["ph3"]


async def test_a_return_needs_a_report_and_a_comment_within_the_limit(harness, clock):
    await register(harness, 1003, "ru", "Құтарыс")
    kutarys = await org_id(harness, "Құтарыс")
    district = await admin(harness, SAIRAM_ADMIN, locale="ru")
    await district.press_data(AdminCb(action="rv_ret", month=MONTH, org=kutarys).pack(), nowhere(SAIRAM_ADMIN))
    assert "не сдавала отчёт" in district.reply
    await harness.app.repos.reports.submit(kutarys, MONTH, 1003, {"members_total": 1}, False, clock.now())
    await district.press_data(AdminCb(action="rv_ret", month=MONTH, org=kutarys).pack(), nowhere(SAIRAM_ADMIN))
    await district.send("я" * 1001)
    assert "не больше 1000 символов" in district.reply
    assert (await harness.app.repos.reports.get(kutarys, MONTH)).review == "submitted"
    await district.send("Исправьте")
    assert (await harness.app.repos.reports.get(kutarys, MONTH)).review == "returned"


async def test_stats_pages_the_district_buttons(harness, clock):
    """A national branch has hundreds of districts: eight buttons a page, ◀ ▶ between."""
    from tests.support.roster import seed_roster

    await seed_roster(harness.app.db, clock, rows=[(f"Аудан {k:02}", f"Ұйым {k}", "social", 10) for k in range(1, 13)])
    boss = await admin(harness, 900, locale="ru")
    await boss.send("/stats")
    first = boss.buttons()
    assert len(first) == 9 and first[-1] == "▶" and first[0] == "📋 Аудан 01"
    await boss.press("▶")
    rest = boss.buttons()
    assert rest[-1] == "◀" and len(rest) == 7  # 14 districts: 8, then 6
    assert "📋 Сайрам ауданы" in rest and not set(first[:-1]) & set(rest)
