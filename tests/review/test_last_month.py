"""Last month's answers in the report dialog (issue 12): each number question shows last month's value,
a carry_over question (members_total in config.toml) offers «Same as last month», and a question without
a maximum in the form shows none."""
from __future__ import annotations

from tests.support.people import org_id_of, register
from tests.support.report import MONTH, draft_of, open_report


async def test_number_questions_show_last_months_answer_and_offer_it(harness, clock):
    chair = await register(harness, 1001, "kk", "Құтарыс")
    org = await org_id_of(harness, 1001)
    await harness.app.repos.reports.submit(org, "2026-10", 1001, {"members_total": 400, "members_joined": 7}, False,
                                           clock.now())
    await open_report(harness, chair, "kk")
    assert "Өткен айда: 400" in chair.reply
    assert chair.buttons()[0] == "🔁 Өткен айдағыдай: 400"
    await chair.press("Өткен айдағыдай")
    assert (await draft_of(harness, 1001)).answers["members_total"] == 400
    assert "✔️ Партия мүшелерінің жалпы саны: <b>400</b>" in chair.reply
    # members_joined shows last month's value, but is not carry_over: no button.
    assert "Өткен айда: 7" in chair.reply and not any("Өткен айдағыдай" in b for b in chair.buttons())
    # The hint names no maximum the form does not set (members_joined has none).
    assert "ең көбі" not in chair.reply and "ең азы 0" in chair.reply


async def test_in_russian_and_without_last_month(harness, clock):
    chair = await register(harness, 1002, "ru", "Қайнарбұлақ")
    await open_report(harness, chair, "ru")
    assert "В прошлом месяце" not in chair.reply and "Как в прошлом месяце" not in str(chair.buttons())
    assert "от 0 до 100000" in chair.reply  # members_total has a maximum in the form
    org = await org_id_of(harness, 1002)
    await harness.app.repos.reports.submit(org, "2026-10", 1002, {"members_total": 512}, False, clock.now())
    await chair.send("/report")
    assert "В прошлом месяце: 512" in chair.reply
    await chair.press("Как в прошлом месяце: 512")
    assert (await harness.app.repos.reports.get_draft(org, MONTH)).answers["members_total"] == 512
