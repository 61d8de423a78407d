"""Reminders, escalation and digests over a simulated month: who gets what, when, in which
language; never twice (restart, double runs), never lost (outage, abandoned claims)."""
from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.features.reminders.due_work import REMIND
from bot.features.reminders.scheduler import DIGEST_JOB_ID, SCHEDULER_KEY, STARTUP_JOB_ID, TICK_JOB_ID, setup_jobs, tick
from db.queries.sent import SentKey
from tests.support.harness import at
from tests.support.people import org_id
from tests.support.schedule import OCTOBER_ANSWERS, Recorder, people


def simulated_month() -> list[datetime]:
    """Five ticks a day from Nov 21 to Dec 21, and every hour from Dec 4 to Dec 8."""
    moments = set()
    day = date(2026, 11, 21)
    while day <= date(2026, 12, 21):
        moments.update(at(f"{day} {hhmm}") for hhmm in ("00:30", "08:59", "09:00", "13:00", "21:30"))
        if date(2026, 12, 4) <= day <= date(2026, 12, 8):
            moments.update(at(f"{day} {hour:02d}:15") for hour in range(24))
        day += timedelta(days=1)
    return sorted(moments)


EXPECTED_MONTH = sorted([
    ("2026-11-23 09:00", 900, "digest", "ru"), ("2026-11-23 09:00", 901, "digest", "kk"),
    ("2026-11-25 09:00", 1001, "open", "kk"), ("2026-11-25 09:00", 1002, "open", "ru"),
    ("2026-11-25 09:00", 1003, "open", "kk"),
    ("2026-11-30 09:00", 900, "digest", "ru"), ("2026-11-30 09:00", 901, "digest", "kk"),
    ("2026-12-02 09:00", 1001, "before", "kk"), ("2026-12-02 09:00", 1002, "before", "ru"),
    ("2026-12-02 09:00", 1003, "before", "kk"),
    # 1001 files on Dec 3: no more reminders for them.
    ("2026-12-05 09:00", 1002, "due", "ru"), ("2026-12-05 09:00", 1003, "due", "kk"),
    ("2026-12-06 09:00", 900, "escalation", "ru"), ("2026-12-06 09:00", 901, "escalation", "kk"),
    ("2026-12-07 09:00", 1002, "overdue", "ru"), ("2026-12-07 09:00", 1003, "overdue", "kk"),
    ("2026-12-07 09:00", 900, "digest", "ru"), ("2026-12-07 09:00", 901, "digest", "kk"),
    # 1003 files late on Dec 8; 1002 never files: overdue at most 3 times.
    ("2026-12-09 09:00", 1002, "overdue", "ru"),
    ("2026-12-11 09:00", 1002, "overdue", "ru"),
    ("2026-12-14 09:00", 900, "digest", "ru"), ("2026-12-14 09:00", 901, "digest", "kk"),
    ("2026-12-21 09:00", 900, "digest", "ru"), ("2026-12-21 09:00", 901, "digest", "kk"),
])


@pytest.mark.parametrize("restart, runs_per_tick", [(False, 1), (True, 2)])
async def test_a_month_of_reminders_escalations_and_digests(harness, clock, restart, runs_per_tick):
    await people(harness, clock)
    submissions = {at("2026-12-03 12:30"): ("Құтарыс", 1001, False), at("2026-12-08 12:00"): ("Мектеп №5", 1003, True)}
    recorder = Recorder(harness, clock)
    restarted = None
    for moment in simulated_month():
        for when in [w for w in submissions if w <= moment]:
            org, chair, late = submissions.pop(when)
            await harness.app.repos.reports.submit(await org_id(harness, org), "2026-11", chair, OCTOBER_ANSWERS,
                                                   late, when)
        if restart and restarted is None and moment >= at("2026-12-05 12:00"):
            harness = restarted = recorder.harness = await harness.restart()
        entries = await recorder.tick(moment, times=runs_per_tick)
        local = moment.astimezone(harness.app.calendar.tz)
        if harness.app.calendar.is_quiet(moment):
            assert entries == [], f"sent in quiet hours at {local}"
    assert sorted(recorder.log) == EXPECTED_MONTH
    if restarted is not None:
        await restarted.close()
    # Reminders carry the report button and name the month and the due date in the chair's language.
    first = {c.chat_id: c for c in reversed(recorder.calls)}
    assert "2026 жылғы қараша" in first[1001].text and "5 желтоқсан" in first[1001].text
    assert "ноябрь 2026 года" in first[1002].text and "5 декабря" in first[1002].text
    button = first[1002].reply_markup.inline_keyboard[0][0]
    assert (button.callback_data, button.text) == ("report:open", "📝 Сдать отчёт")
    assert first[1001].reply_markup.inline_keyboard[0][0].text == "📝 Есепті тапсыру"


async def test_escalation_lists_missing_organizations_with_chairs_and_phones(harness, clock):
    await people(harness, clock)
    await harness.app.db.execute("UPDATE users SET full_name = ? WHERE id = 1002", ("Петрова <Анна> & Co",))
    recorder = Recorder(harness, clock)
    await recorder.tick(at("2026-12-06 09:05"))
    texts = {c.chat_id: c.text for c in recorder.calls}
    district = texts[901]
    assert "Қайнарбұлақ" in district and "Петрова &lt;Анна&gt; &amp; Co, +77010000002" in district
    assert "Құтарыс" in district and "Мектеп №5" not in district        # another district
    assert "2026 жылғы қараша" in district and "5 желтоқсан" in district
    branch = texts[900]
    assert "Ещё не сдали: 3" in branch
    # «not filed N of M», unlike the digest's «filed N of M»: the two cannot be read alike.
    assert "• Байзақ ауданы: не сдали 1 из 1" in branch and "• Сайрам ауданы: не сдали 2 из 2" in branch
    assert "Петрова" not in branch


async def test_a_three_day_outage_over_the_due_date_sends_one_catch_up(harness, clock):
    await people(harness, clock)
    recorder = Recorder(harness, clock)
    for day in range(25, 31):
        await recorder.tick(at(f"2026-11-{day} 10:00"))
    for day in range(1, 4):
        await recorder.tick(at(f"2026-12-0{day} 10:00"))
    recorder.log.clear()
    # Off from Dec 3 10:00 to Dec 7 23:00: back in quiet hours, nothing until 09:00.
    assert await recorder.tick(at("2026-12-07 23:00")) == []
    assert await recorder.tick(at("2026-12-08 08:55")) == []
    caught_up = await recorder.tick(at("2026-12-08 09:00"))
    assert sorted(caught_up) == sorted([
        ("2026-12-08 09:00", 1001, "overdue", "kk"), ("2026-12-08 09:00", 1002, "overdue", "ru"),
        ("2026-12-08 09:00", 1003, "overdue", "kk"),
        ("2026-12-08 09:00", 900, "escalation", "ru"), ("2026-12-08 09:00", 901, "escalation", "kk"),
        ("2026-12-08 09:00", 900, "digest", "ru"), ("2026-12-08 09:00", 901, "digest", "kk"),
    ])
    for hhmm in ("09:05", "12:00", "20:55"):
        assert await recorder.tick(at(f"2026-12-08 {hhmm}")) == []
    assert {entry[1] for entry in await recorder.tick(at("2026-12-09 09:00"))} == {1001, 1002, 1003}


async def test_a_claim_left_by_a_crash_is_sent_again_but_a_live_one_is_not(harness, clock):
    await people(harness, clock)
    sent = harness.app.repos.sent
    moment = at("2026-11-25 09:00")
    # 1001: claimed an hour ago by a process that died before sending.
    assert await sent.claim(SentKey(REMIND, "2026-11", 1001, "open"), moment - timedelta(hours=1))
    # 1002: claimed a minute ago by a run still under way.
    assert await sent.claim(SentKey(REMIND, "2026-11", 1002, "open"), moment - timedelta(minutes=1))
    recorder = Recorder(harness, clock)
    assert sorted(e[1] for e in await recorder.tick(moment)) == [1001, 1003]
    statuses = {(r.recipient, r.status) for r in await sent.rows(REMIND)}
    assert statuses == {(1001, "sent"), (1002, "claimed"), (1003, "sent")}


async def test_an_inactive_chair_is_not_reminded(harness, clock):
    await people(harness, clock)
    await harness.app.repos.users.set_inactive(1002)
    recorder = Recorder(harness, clock)
    assert sorted(e[1] for e in await recorder.tick(at("2026-11-25 09:00"))) == [1001, 1003]


async def test_the_scheduler_has_its_jobs_and_a_second_setup_replaces_them(harness):
    scheduler = AsyncIOScheduler(timezone=harness.app.calendar.tz)
    setup_jobs(scheduler, harness.app, harness.bot)
    scheduler.start()
    try:
        setup_jobs(scheduler, harness.app, harness.bot)
        ids = [job.id for job in scheduler.get_jobs()]
        assert sorted(ids) == sorted([TICK_JOB_ID, DIGEST_JOB_ID, STARTUP_JOB_ID])   # replaced, not doubled
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert jobs[TICK_JOB_ID].trigger.interval.total_seconds() == 300
        digest_at = jobs[DIGEST_JOB_ID].next_run_time.astimezone(harness.app.calendar.tz)
        assert (digest_at.strftime("%a"), digest_at.hour, digest_at.minute) == ("Mon", 9, 0)
    finally:
        scheduler.shutdown(wait=False)
    await asyncio.sleep(0)
    assert not scheduler.running


async def test_the_dispatcher_starts_and_stops_the_scheduler_which_catches_up_at_start(harness, clock):
    await people(harness, clock)
    clock.set(at("2026-11-25 10:00"))   # the bot was off at 09:00 when November opened
    data = {"dispatcher": harness.dp, "bots": [harness.bot], **harness.dp.workflow_data}
    await harness.dp.emit_startup(bot=harness.bot, **data)  # as Dispatcher.start_polling does
    scheduler = harness.app.extra[SCHEDULER_KEY]
    assert scheduler.running and {TICK_JOB_ID, DIGEST_JOB_ID} <= {job.id for job in scheduler.get_jobs()}
    for _ in range(200):  # the start-up job runs on the event loop: let it
        if len(await harness.app.repos.sent.rows()) == 3:
            break
        await asyncio.sleep(0.01)
    assert sorted((r.recipient, r.step, r.status) for r in await harness.app.repos.sent.rows()) == [
        (1001, "open", "sent"), (1002, "open", "sent"), (1003, "open", "sent")]
    await harness.dp.emit_shutdown(bot=harness.bot, **data)
    assert SCHEDULER_KEY not in harness.app.extra
    assert not scheduler.running


async def test_the_reminder_button_opens_the_report_dialog(harness, clock):
    await people(harness, clock)
    await Recorder(harness, clock).tick(at("2026-11-25 09:00"))
    chair = harness.client(1002, language_code="ru")
    await chair.press("Сдать отчёт")
    assert "Всего членов партии" in chair.reply


async def test_the_job_function_works_from_the_injected_clock(harness, clock):
    await people(harness, clock)
    clock.set(at("2026-11-25 22:00"))
    await tick(harness.app, harness.bot)
    assert await harness.app.repos.sent.rows() == []
    clock.set(at("2026-11-26 09:00"))
    await tick(harness.app, harness.bot)
    await tick(harness.app, harness.bot)
    assert sorted((r.recipient, r.step, r.status) for r in await harness.app.repos.sent.rows()) == [
        (1001, "open", "sent"), (1002, "open", "sent"), (1003, "open", "sent")]


async def test_admins_added_in_the_bot_get_escalations_and_digests_like_bootstrap_ones(harness, clock):
    await people(harness, clock)
    baizaq = await harness.app.repos.orgs.district_by_name("Байзақ ауданы")
    for admin_id, language in ((7001, "Қазақша"), (7002, "Русский")):
        await harness.app.repos.admins.put(admin_id, "district", baizaq, 900, clock.now())
        admin = harness.client(admin_id, language_code=None)
        await admin.send("/start")
        await admin.press(language)
    await harness.app.repos.users.set_inactive(7002)  # blocked the bot
    recorder = Recorder(harness, clock)
    sent = await recorder.tick(at("2026-12-07 09:00"))
    assert ("2026-12-07 09:00", 7001, "escalation", "kk") in sent and ("2026-12-07 09:00", 7001, "digest", "kk") in sent
    assert 7002 not in {entry[1] for entry in sent}
    escalation = next(c.text for c in recorder.calls if c.chat_id == 7001 and "әлі тапсырмаған" in c.text)
    assert "Байзақ ауданы" in escalation and "Мектеп №5" in escalation and "Құтарыс" not in escalation
