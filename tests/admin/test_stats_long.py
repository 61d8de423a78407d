"""/stats of a branch with many districts: one line each, sent in parts under Telegram's limit."""
from __future__ import annotations

from aiogram.methods import SendMessage

from bot.sandbox.apihtml import parse_html
from tests.support.people import BRANCH, admin
from tests.support.roster import seed_roster


async def test_stats_over_one_message_come_in_well_formed_parts(harness, clock):
    rows = [(f"Аудан «{n:03}» ауылдық округі", f"Ұйым {n}", "social", 10) for n in range(250)]
    await seed_roster(harness.app.db, clock, rows=rows)
    boss = await admin(harness, BRANCH)
    texts = [c.text for c in await boss.send("/stats") if isinstance(c, SendMessage)]
    assert len(texts) >= 2 and all(len(t) <= 4096 and parse_html(t) for t in texts)
    assert sum(t.count("• ") for t in texts) == 250 + 2            # every district once (and the roster's two)
