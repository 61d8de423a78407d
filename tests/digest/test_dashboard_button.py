"""The weekly digest (and /digest) carries a button that opens the dashboard for the admin who gets it, when
`[web] public_url` is set; without it, the digest is as before."""
from __future__ import annotations

from aiogram.methods import SendMessage, SendPhoto

from bot.features.reminders.due_work import run_due_work
from tests.support.fixtures import PUBLIC_URL
from tests.support.harness import at
from tests.support.schedule import classify, people

DASHBOARD = {"kk": "📊 Есептер панелі", "ru": "📊 Панель отчётов"}


def buttons(call: SendMessage) -> list[tuple[str, str | None]]:
    rows = getattr(call.reply_markup, "inline_keyboard", None) or []
    return [(b.text, b.web_app.url if b.web_app else None) for row in rows for b in row]


async def weekly_digests(h, clock) -> dict[int, list[SendMessage]]:
    """Monday 23 November, 09:00: each admin's digest messages (900 reads Russian, 901 Kazakh)."""
    await people(h, clock)
    before = len(h.session.requests)
    await run_due_work(h.app, h.bot, at("2026-11-23 09:00"))
    calls = h.session.requests[before:]
    assert {c.chat_id for c in calls if isinstance(c, SendPhoto)} == {900, 901}  # the chart first
    out: dict[int, list[SendMessage]] = {}
    for call in calls:
        if isinstance(call, SendMessage):
            assert classify(call.text)[0] == "digest"
            out.setdefault(call.chat_id, []).append(call)
    assert set(out) == {900, 901}
    return out


async def test_the_weekly_digest_has_the_dashboard_button_in_the_admins_language(web_harness, clock):
    for admin, parts in (await weekly_digests(web_harness, clock)).items():
        assert [buttons(p) for p in parts[:-1]] == [[]] * (len(parts) - 1)
        assert buttons(parts[-1]) == [(DASHBOARD["ru" if admin == 900 else "kk"], f"{PUBLIC_URL}/app/")]


async def test_without_a_public_address_the_digest_has_no_button(harness, clock):
    for parts in (await weekly_digests(harness, clock)).values():
        assert all(p.reply_markup is None for p in parts)


async def test_digest_on_demand_has_the_button_too(web_harness, clock):
    await people(web_harness, clock)
    admin = web_harness.client(900, language_code=None)
    calls = await admin.send("/digest")
    texts = [c for c in calls if isinstance(c, SendMessage)]
    assert texts and "Еженедельная сводка" in texts[0].text
    assert buttons(texts[-1]) == [(DASHBOARD["ru"], f"{PUBLIC_URL}/app/")]


async def test_digest_on_demand_without_a_public_address_has_no_button(harness, clock):
    await people(harness, clock)
    calls = await harness.client(900, language_code=None).send("/digest")
    assert all(c.reply_markup is None for c in calls if isinstance(c, SendMessage))
