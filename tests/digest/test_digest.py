"""The weekly digest: hand-computed totals in kk and ru, scopes, /digest, splitting at 4096."""
from __future__ import annotations

import re

from aiogram.methods import SendMessage

from bot.domain.text import TELEGRAM_LIMIT, split_message
from bot.features.digest.service import gather_digest, render_digest
from bot.features.reminders.due_work import run_due_work
from tests.support.harness import at
from tests.support.people import register
from tests.support.roster import seed_roster

FIELDS = ("members_total", "members_joined", "members_left", "events_held", "deputy_meetings",
          "appeals_received", "appeals_resolved", "trainings")


def answers(*numbers: int, projects: list[str]) -> dict:
    return {**dict(zip(FIELDS, numbers)), "events_summary": "—", "projects": projects}


# month -> organization -> answers
REPORTS = {
    "2026-09": {
        "Құтарыс": answers(400, 5, 1, 3, 1, 10, 8, 1, projects=["auyl_amanaty"]),
        "Мектеп №5": answers(120, 0, 0, 1, 0, 2, 2, 0, projects=[]),
    },
    "2026-10": {
        "Құтарыс": answers(410, 12, 2, 4, 2, 20, 15, 2, projects=["auyl_amanaty", "zher_amanaty"]),
        "Қайнарбұлақ": answers(500, 3, 0, 2, 1, 8, 8, 1, projects=["auyl_amanaty", "baqytty_otbasy"]),
        "Мектеп №5": answers(118, 0, 2, 1, 0, 0, 0, 1, projects=[]),
    },
    "2026-11": {"Құтарыс": answers(415, 5, 0, 2, 1, 3, 3, 0, projects=[])},
}


async def file_reports(harness, reports=REPORTS) -> None:
    orgs = {o.name: o.id for o in await harness.app.repos.orgs.all()}
    for month, by_org in reports.items():
        for org, values in by_org.items():
            await harness.app.repos.reports.submit(orgs[org], month, 1, values, False, at(f"{month}-28 12:00"))


async def admins(harness):
    branch = harness.client(900, language_code=None)
    await branch.send("/start")
    await branch.press("Русский")
    district = harness.client(901, language_code=None)
    await district.send("/start")
    await district.press("Қазақша")
    return branch, district


async def test_branch_digest_in_russian_has_hand_computed_totals(harness, clock):
    await file_reports(harness)
    branch, _ = await admins(harness)
    clock.set(at("2026-11-30 10:00"))
    await branch.send("/digest")
    text = branch.reply
    assert "<b>Еженедельная сводка</b> · все районы · 30 ноября 2026 г." in text
    # The open month (November): 1 of 3 filed, on time.
    assert "<b>Отчёт за ноябрь 2026 года</b> (срок сдачи: 5 декабря 2026 г.)" in text
    assert "Сдали: 1 из 3 (33,3%)" in text and "В срок: 1 · с опозданием: 0" in text
    # «filed N of M» per district, unlike the escalation's «not filed»: the two cannot be read alike.
    assert "Байзақ ауданы: сдали 0 из 1 (0%)" in text and "Сайрам ауданы: сдали 1 из 2 (50%)" in text
    assert "<b>Ещё не сдали: 2</b>" in text
    assert "• Қайнарбұлақ (Сайрам ауданы) — председатель не зарегистрирован" in text
    assert "• Мектеп №5 (Байзақ ауданы)" in text and "• Құтарыс" not in text
    # The last closed month (October) against September.
    assert "<b>Итоги за октябрь 2026 года</b>: сдано отчётов: 3" in text
    # Қайнарбұлақ did not report in September: the changes compare Құтарыс and Мектеп №5 only
    # (the totals are all of October's reports).
    assert ("(в скобках: изменение к предыдущему месяцу, сентябрь 2026 года, по 2 организациям, "
            "сдавшим отчёт в оба месяца)") in text
    assert "Всего членов партии: 1\xa0028 (+8)" in text             # (410+118) − (400+120), not 1028 − 520
    assert "Принято в партию за месяц: 15 (+7)" in text              # (12+0) − (5+0)
    assert "Выбыло из партии за месяц: 4 (+3)" in text               # (2+2) − (1+0)
    assert "Проведено мероприятий: 7 (+1)" in text                   # (4+1) − (3+1)
    assert "Встречи депутатов маслихата с жителями: 3 (+1)" in text  # (2+0) − (1+0)
    assert "Поступило обращений граждан: 28 (+8)" in text            # (20+0) − (10+2)
    assert "Решено обращений: 23 (+5) — 82,1% от «Поступило обращений граждан»" in text  # 15 − 10; 23/28
    assert "Участие в семинарах-тренингах: 4 (+2)" in text           # (2+1) − (1+0)
    assert "Проверка: принято 0, возвращено на доработку 0, ждут проверки 3" in text
    # Six months, May to October: nothing to compare before October (no August, nothing earlier).
    assert "<b>Шесть месяцев</b> (май 2026 года – октябрь 2026 года)" in text
    assert "Всего членов партии: — · — · — · — · — · +8" in text
    assert "<b>Участие в партийных проектах</b> (число организаций)" in text
    assert "«Ауыл аманаты»: 2" in text and "«Жер аманаты»: 1" in text and "«Счастливая семья»: 1" in text
    assert "«Общество без долгов»: 0" in text


async def test_district_digest_in_kazakh_covers_only_its_district(harness, clock):
    await file_reports(harness)
    _, district = await admins(harness)
    clock.set(at("2026-11-30 10:00"))
    await district.send("/digest")
    text = district.reply
    assert "<b>Апталық шолу</b> · Сайрам ауданы · 2026 жылғы 30 қараша" in text
    assert "Тапсырылды: 2 ішінен 1 (50%)" in text and "Мектеп №5" not in text
    assert "<b>2026 жылғы қазан айының қорытындысы</b>: тапсырылған есептер: 2" in text
    assert "екі айда да есеп тапсырған 1 ұйым бойынша 2026 жылғы қыркүйек айымен" in text
    assert "Партия мүшелерінің жалпы саны: 910 (+10)" in text        # Құтарыс only: 410 − 400
    assert "Осы айда партия қатарынан шыққандар: 2 (+1)" in text     # 2 − 1
    assert "Шешілген өтініштер: 23 (+7) — «Азаматтардан түскен өтініштер» көрсеткішінің 82,1%" in text  # 15 − 8
    assert "«Ауыл аманаты»: 2" in text and "«Бақытты отбасы»: 1" in text


async def test_late_reports_and_a_month_without_history(harness, clock):
    orgs = {o.name: o.id for o in await harness.app.repos.orgs.all()}
    reports = harness.app.repos.reports
    await reports.submit(orgs["Құтарыс"], "2026-11", 1, answers(1, 0, 0, 0, 0, 4, 1, 0, projects=[]), False,
                         at("2026-12-04 10:00"))
    await reports.submit(orgs["Мектеп №5"], "2026-11", 1, answers(2, 0, 0, 0, 0, 0, 0, 0, projects=[]), True,
                         at("2026-12-08 10:00"))
    branch, _ = await admins(harness)
    clock.set(at("2026-12-14 09:30"))
    await branch.send("/digest")
    text = branch.reply
    assert "Сдали: 2 из 3 (66,7%)" in text and "В срок: 1 · с опозданием: 1" in text
    assert "Всего членов партии: 3\n" in text                         # no October: no change shown
    assert "Решено обращений: 1 — 25% от «Поступило обращений граждан»" in text


async def test_only_admins_get_the_digest_and_the_role_is_checked_on_every_update(harness, clock):
    chair = await register(harness, 1001, "kk", "Құтарыс")
    await chair.send("/digest")
    assert chair.reply == "Апталық шолу тек әкімшілерге арналған."
    db = harness.app.db
    baizak = await harness.app.repos.orgs.district_by_name("Байзақ ауданы")
    await db.execute("INSERT INTO admins(user_id, scope, district_id, added_at) VALUES (950, 'district', ?, '')",
                     (baizak,))
    helper = harness.client(950, language_code="ru")
    await helper.send("/start")
    await helper.press("Русский")
    await helper.send("/digest")
    assert "· Байзақ ауданы ·" in helper.reply and "Сайрам" not in helper.reply
    # An admin added in the bot also gets the scheduled digest, in their language and scope.
    moment = at("2026-11-30 09:00")
    before = len(harness.session.requests)
    await run_due_work(harness.app, harness.bot, moment)
    digests = {c.chat_id: c.text for c in harness.session.requests[before:] if isinstance(c, SendMessage)}
    assert "Еженедельная сводка</b> · Байзақ ауданы" in digests[950]
    await db.execute("DELETE FROM admins WHERE user_id = 950")
    await helper.send("/digest")
    assert helper.reply == "Сводка доступна только администраторам."


async def test_a_long_digest_is_split_between_lines_under_4096(harness, clock):
    # A district admin's digest names every organization of the district that has not filed.
    many = [("Сайрам ауданы", f"Бастауыш партия ұйымы «Ауылдың үлкен мектебі» №{n}", "social", 10)
            for n in range(1, 161)]
    await seed_roster(harness.app.db, clock, rows=many)
    await file_reports(harness)
    app = harness.app
    clock.set(at("2026-11-30 10:00"))
    sairam = await app.repos.orgs.district_by_name("Сайрам ауданы")
    digest = await gather_digest(app.repos, app.calendar, app.config.form, sairam, clock.now())
    with app.i18n.context(), app.i18n.use_locale("kk"):
        whole = render_digest(digest, app.config.form)
    parts = split_message(whole)
    assert len(whole) > TELEGRAM_LIMIT and len(parts) >= 2
    assert all(len(part) <= TELEGRAM_LIMIT for part in parts)
    assert all(part.count("<b>") == part.count("</b>") for part in parts)
    lines = [line for line in whole.split("\n") if line]
    assert [line for part in parts for line in part.split("\n") if line] == lines   # cut between lines only
    for n in (1, 80, 160):
        name = f"«Ауылдың үлкен мектебі» №{n} "
        assert sum(name in part for part in parts) == 1
    # The scheduled digest sends every part to the admin, in order.
    _, district = await admins(harness)
    before = len(harness.session.requests)
    await run_due_work(app, harness.bot, at("2026-11-30 09:00"))
    sent = [c.text for c in harness.session.requests[before:] if isinstance(c, SendMessage) and c.chat_id == 901]
    assert len(sent) == len(parts) and sent[0].startswith("📊")


async def test_branch_wide_many_missing_are_counted_by_district_not_named(harness, clock):
    # District k has k organizations, none of which has filed: 78 + 2 of the roster are missing.
    rows = [(f"Аудан {k:02}", f"Ұйым {k}-{n}", "social", 10) for k in range(1, 13) for n in range(1, k + 1)]
    await seed_roster(harness.app.db, clock, rows=rows)
    await file_reports(harness)
    branch, district = await admins(harness)
    clock.set(at("2026-11-30 10:00"))
    await branch.send("/digest")
    text = "\n".join(branch.texts()[-3:])
    assert "<b>Ещё не сдали: 80</b>" in text
    assert "Районы, где больше всего не сдали:\n• Аудан 12: не сдали 12 из 12\n• Аудан 11: не сдали 11 из 11\n" in text
    assert "• Аудан 03: не сдали 3 из 3\n… и ещё 4 района\nПолный список организаций: /export" in text
    assert "Ұйым" not in text and "Мектеп №5 (" not in text and "Аудан 02: не сдали 2 из 2" not in text
    assert "Аудан 01: сдали 0 из 1 (0%)" in text                   # every district is still in «By district»
    # In Kazakh, and a district admin still sees the names of their own district.
    await district.send("/digest")
    assert "Ең көп тапсырмаған" not in district.reply and "• Қайнарбұлақ — төраға тіркелмеген" in district.reply


async def test_an_edited_report_replaces_its_numbers_in_the_totals(harness, clock):
    await file_reports(harness)
    branch, _ = await admins(harness)
    clock.set(at("2026-11-30 10:00"))
    await branch.send("/digest")
    assert "Всего членов партии: 1\xa0028 (+8)" in branch.reply
    assert "«Жер аманаты»: 1" in branch.reply
    orgs = {o.name: o.id for o in await harness.app.repos.orgs.all()}
    edited = answers(420, 12, 2, 4, 2, 20, 15, 2, projects=["auyl_amanaty", "qaryzsyz_qogam"])
    await harness.app.repos.reports.submit(orgs["Құтарыс"], "2026-10", 1, edited, False, at("2026-11-30 09:00"))
    await branch.send("/digest")
    assert "Всего членов партии: 1\xa0038 (+18)" in branch.reply          # (420+118) vs (400+120): kept figures moved
    assert "«Жер аманаты»: 0" in branch.reply and "«Общество без долгов»: 1" in branch.reply
    assert "<b>Итоги за октябрь 2026 года</b>: сдано отчётов: 3" in branch.reply


def test_an_over_long_line_is_cut_outside_tags():
    line = " ".join(f"<b>word{n}</b>" for n in range(50))
    parts = split_message(line, limit=100)
    assert all(len(p) <= 100 for p in parts) and len(parts) > 1
    assert all(re.fullmatch(r"(<b>word\d+</b> ?)+", p) for p in parts)
    assert " ".join(parts) == line


def test_sections_stay_whole_when_they_fit():
    text = "A\n" + "x" * 50 + "\n\n" + "B\n" + "y" * 50
    assert split_message(text, limit=60) == ["A\n" + "x" * 50, "B\n" + "y" * 50]
