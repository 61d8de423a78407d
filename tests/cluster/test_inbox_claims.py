"""The inbox of a cluster (bot/telegram/inbox.py, owner set): a web process replays nothing at start, its
rows are claimed by it while it is at them, and the leading worker takes over only the rows whose
process stopped renewing its claim: each row once."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from aiogram.types import Update

from bot.telegram.inbox import Inbox
from tests.support.people import register
from tests.support.report import draft_of, open_report

STALE = timedelta(seconds=30)


def inbox_of(harness, owner: str) -> Inbox:
    return Inbox(harness.dp, harness.bot, harness.app.repos.inbox, harness.clock, owner=owner, stale_after=STALE)


def update_of(chair, text: str, update_id: int) -> Update:
    return Update.model_validate({"update_id": update_id, "message": chair._message(text=text)},
                                 context={"bot": chair.harness.bot})


async def test_a_killed_web_process_s_update_is_taken_over_by_the_leader_once_it_is_stale(harness):
    chair = await register(harness, 1301, "kk", "Құтарыс")
    await open_report(harness, chair, "kk")
    web, leader = inbox_of(harness, "web-1"), inbox_of(harness, "leader")
    assert await web.store([update_of(chair, "400", 880001)])  # stored and answered 200, then kill -9
    assert await inbox_of(harness, "web-1 restarted").replay() == set()  # a web process replays nothing
    assert await leader.retry_stale() == 0  # its process may still be at it
    harness.clock.advance(STALE + timedelta(seconds=1))
    assert await leader.retry_stale() == 1
    await leader.idle()
    draft = await draft_of(harness, 1301)
    assert draft.answers == {"members_total": 400} and draft.cursor == "members_joined"
    assert "Сұрақ 2/12" in harness.session.requests[-1].text
    harness.clock.advance(STALE * 3)
    assert await leader.retry_stale() == 0  # done: never again
    await leader.close(1)


async def test_a_live_process_keeps_its_rows_by_renewing_its_claims(harness):
    chair = await register(harness, 1302, "ru", "Құтарыс")
    await open_report(harness, chair, "ru")
    web, leader = inbox_of(harness, "web-1"), inbox_of(harness, "leader")
    assert await web.store([update_of(chair, "400", 880002)])  # queued behind a slow handler, say
    harness.clock.advance(timedelta(seconds=20))
    assert await harness.app.repos.inbox.refresh_claims("web-1", harness.clock.now()) == 1
    harness.clock.advance(timedelta(seconds=20))  # 40 s after it arrived, 20 s after its claim
    assert await leader.retry_stale() == 0
    harness.clock.advance(timedelta(seconds=11))
    assert await leader.retry_stale() == 1
    await leader.close(1)


async def test_two_leaders_at_once_take_each_row_once(harness):
    chair = await register(harness, 1303, "kk", "Құтарыс")
    await open_report(harness, chair, "kk")
    web = inbox_of(harness, "web-1")
    assert await web.store([update_of(chair, text, 880010 + n) for n, text in enumerate(("400", "12", "2"))])
    harness.clock.advance(STALE * 2)
    first, second = inbox_of(harness, "leader-1"), inbox_of(harness, "leader-2")
    taken = await asyncio.gather(first.retry_stale(), second.retry_stale())
    assert sum(taken) == 3
    await asyncio.gather(first.idle(), second.idle())
    draft = await draft_of(harness, 1303)
    assert draft.answers["members_total"] == 400 and "members_joined" in draft.answers
    await first.close(1)
    await second.close(1)


async def test_a_single_process_stores_no_claim_and_replays_everything(harness):
    chair = await register(harness, 1304, "kk", "Құтарыс")
    await open_report(harness, chair, "kk")
    assert await harness.inbox.store([update_of(chair, "400", 880020)])
    row = await harness.app.db.fetchone("SELECT claimed_by, claimed_at FROM inbox WHERE update_id = 880020")
    assert tuple(row) == (None, None)
    assert await harness.inbox.retry_stale() == 0  # no owner: the leader's retry is not this process's job
    assert await harness.inbox.replay() == {"c1304"}
