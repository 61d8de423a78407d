"""The continuity rule of config.toml: members_total = last month's + joined − left, checked at the summary;
the chair corrects the answer or confirms anyway (kk and ru), and the admin's view of the report warns too."""
from __future__ import annotations

from aiogram.methods import SendMessage

from bot.telegram.admin import AdminCb
from tests.support.people import SAIRAM_ADMIN, admin, nowhere, org_id_of, register
from tests.support.report import BUTTONS, MONTH, open_report, report_of

OCTOBER = {"members_total": 400}


async def fill(chair, language: str, total: str, joined: str = "12", left: str = "2") -> None:
    """The whole November form with plain answers, up to the summary."""
    for text in (total, joined, left, "3"):
        await chair.send(text)
    await chair.send("Екі жиналыс өтті")
    for text in ("4", "5", "3"):
        await chair.send(text)
    await chair.press(BUTTONS[language]["done"])
    await chair.send("1")
    await chair.press(BUTTONS[language]["skip"])
    await chair.press(BUTTONS[language]["done"])


async def test_kazakh_chair_is_warned_and_corrects_the_total(harness, clock):
    chair = await register(harness, 1001, "kk", "Құтарыс")
    await harness.app.repos.reports.submit(await org_id_of(harness, 1001), "2026-10", 1001, OCTOBER, False,
                                           clock.now())
    await open_report(harness, chair, "kk")
    await fill(chair, "kk", total="405")
    await chair.press(BUTTONS["kk"]["confirm"])
    # 400 + 12 − 2 = 410, not 405: nothing submitted, the numbers shown.
    assert await report_of(harness, 1001) is None
    assert ("⚠️ Партия мүшелерінің жалпы саны: 405, ал өткен айдағы 400 мен осы айдағы өзгерістер бойынша 410 "
            "шығады: 400 + Осы айда партияға қабылданғандар (12) − Осы айда партия қатарынан шыққандар (2).") \
        in chair.reply
    assert "✅ Бәрібір растау" in chair.buttons()
    await chair.press("✏️ 1.")
    await chair.send("410")
    await chair.press(BUTTONS["kk"]["confirm"])  # now it adds up: submitted without a warning
    report = await report_of(harness, 1001)
    assert report is not None and report.answers["members_total"] == 410


async def test_russian_chair_confirms_anyway_and_the_admin_sees_the_warning(harness, clock):
    chair = await register(harness, 1002, "ru", "Құтарыс")
    await harness.app.repos.reports.submit(await org_id_of(harness, 1002), "2026-10", 1002, OCTOBER, False,
                                           clock.now())
    await open_report(harness, chair, "ru")
    await fill(chair, "ru", total="380", joined="0", left="0")
    await chair.press(BUTTONS["ru"]["confirm"])
    warning = ("⚠️ Всего членов партии: 380, а из прошлого месяца (400) с изменениями этого месяца выходит 400: "
               "400 + Принято в партию за месяц (0) − Выбыло из партии за месяц (0).")
    assert warning in chair.reply and await report_of(harness, 1002) is None
    await chair.press("Всё равно подтвердить")
    assert (await report_of(harness, 1002)).answers["members_total"] == 380

    district = await admin(harness, SAIRAM_ADMIN, locale="kk")
    calls = await district.press_data(AdminCb(action="rv_o", month=MONTH, org=await org_id_of(harness, 1002)).pack(),
                                      nowhere(SAIRAM_ADMIN))
    shown = "\n".join(c.text for c in calls if isinstance(c, SendMessage))
    assert "⚠️ Партия мүшелерінің жалпы саны: 380, ал өткен айдағы 400" in shown


async def test_no_warning_without_last_months_report(harness):
    chair = await register(harness, 1003, "ru", "Қайнарбұлақ")
    await open_report(harness, chair, "ru")
    await fill(chair, "ru", total="380")
    await chair.press(BUTTONS["ru"]["confirm"])
    assert (await report_of(harness, 1003)) is not None and "⚠️" not in chair.reply
