"""The sandbox as a visitor's browser uses it: the page, personas, chatting over the JSON API and the
event stream, the clock buttons, and a stop that leaves nothing behind."""
from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys

import aiohttp
import pytest

from bot.sandbox.jumps import jump_target, passed_moments
from bot.sandbox.runner import PortInUse, Sandbox
from tests.support.harness import at
from tests.support.paths import REPO

START = at("2026-11-26 10:00")  # a Thursday; the November report is open, due 5 December


@pytest.fixture
async def sandbox(monkeypatch):
    monkeypatch.delenv("BASTAU_DB", raising=False)
    monkeypatch.delenv("TELEGRAM_API_SERVER", raising=False)
    async with Sandbox(web_port=0, api_port=0, start_at=START) as running:
        yield running


@pytest.fixture
async def http(sandbox):
    async with aiohttp.ClientSession(base_url=sandbox.url, timeout=aiohttp.ClientTimeout(total=60)) as session:
        yield session


async def post(http, path, body):
    async with http.post(path, json=body) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def chat(http, user_id):
    async with http.get(f"/api/chat/{user_id}") as response:
        return await response.json()


async def next_bot_message(events, chat_id: int) -> dict:
    """Read the event stream until the bot writes to the chat."""
    async for raw in events.content:
        line = raw.decode().strip()
        if line.startswith("data:"):
            payload = json.loads(line[5:])
            if payload.get("chat_id") == chat_id and payload.get("from_bot") and payload["kind"] == "message":
                return payload
    raise AssertionError("the event stream ended")


async def test_page_lists_personas_and_shows_the_invite_code(sandbox, http):
    async with http.get("/") as page:
        html = await page.text()
    assert page.status == 200 and "/static/app.js" in html and "Bastau" in html
    async with http.get("/static/app.js") as script:
        assert script.status == 200 and "EventSource" in await script.text()
    async with http.get("/api/state") as response:
        state = await response.json()
    roles = [p["role"] for p in state["personas"]]
    assert roles.count("chair") == 2 and {"new", "district_admin", "branch_admin"} <= set(roles)
    chairs = [p for p in state["personas"] if p["role"] == "chair"]
    assert {p["language"] for p in chairs} == {"kk", "ru"}
    newcomer = next(p for p in state["personas"] if p["role"] == "new")
    org = await sandbox.app.repos.orgs.by_code(newcomer["invite_code"])
    assert org is not None and await sandbox.app.repos.users.chair_of(org.id) is None
    assert state["clock"]["label"] == "2026-11-26 10:00"
    # The demo holds a region with months of reports.
    assert len(await sandbox.app.repos.orgs.all()) >= 10
    assert len(await sandbox.app.repos.reports.months_of(org.id)) == 4  # the closed months; the open one is due


async def wait_chat(http, events, user_id: int, predicate, after: int = 0) -> dict:
    """The persona's chat as the page shows it, once a bot message newer than `after` matches `predicate`
    (as "last"); re-read on each event of the chat."""
    while True:
        view = await chat(http, user_id)
        found = [m for m in view["messages"] if m["from_bot"] and m["id"] > after and predicate(m)]
        if found:
            return view | {"last": found[-1]}
        await next_event(events, user_id)


async def next_event(events, chat_id: int) -> dict:
    async for raw in events.content:
        line = raw.decode().strip()
        if line.startswith("data:") and json.loads(line[5:]).get("chat_id") == chat_id:
            return json.loads(line[5:])
    raise AssertionError("the event stream ended")


def has_text(part: str):
    return lambda message: part in message["text"]


async def test_new_user_registers_through_the_page_api(sandbox, http):
    async def then(path: str, body: dict, expected: str) -> dict:
        """Act as the newcomer, then wait for the bot's answer containing `expected`."""
        mark = max([m["id"] for m in (await chat(http, 1003))["messages"]], default=0)
        await post(http, path, {"user": 1003} | body)
        return await wait_chat(http, events, 1003, has_text(expected), after=mark)

    async with http.get("/api/events") as events:
        greeting = (await then("/api/send", {"text": "/start"}, "Тілді таңдаңыз"))["last"]
        kazakh = next(b for row in greeting["buttons"] for b in row if b["text"] == "Қазақша")
        await then("/api/press", {"message_id": greeting["id"], "data": kazakh["callback_data"]}, "шақыру кодын")
        await then("/api/send", {"text": sandbox.invite_code}, "аты-жөніңізді")
        view = await then("/api/send", {"text": "Сейітов Дәулет Асқарұлы"}, "телефон")
        assert any(b.get("request_contact") for row in view["reply_keyboard"] for b in row)
        confirm = (await then("/api/contact", {}, "Бәрі дұрыс па?"))["last"]
        assert any(e["type"] == "bold" for e in confirm["entities"])  # formatting arrives as entities, not tags
        assert "<b>" not in confirm["text"] and "+77010000003" in confirm["text"]
        await then("/api/press", {"message_id": confirm["id"], "data": confirm["buttons"][0][0]["callback_data"]},
                   "тіркелдіңіз")
    user = await sandbox.app.repos.users.get(1003)
    org = await sandbox.app.repos.orgs.by_code(sandbox.invite_code)
    assert user.org_id == org.id and user.phone == "+77010000003" and user.locale == "kk"


async def test_uploaded_document_can_be_downloaded(sandbox, http):
    form = aiohttp.FormData()
    form.add_field("user", "1001")
    form.add_field("kind", "document")
    form.add_field("file", b"district,organization\n", filename="ростер.csv", content_type="text/csv")
    async with http.post("/api/upload", data=form) as response:
        assert response.status == 200
    sent = next(m for m in (await chat(http, 1001))["messages"] if m.get("file"))
    async with http.get(f"/api/file/{sent['file']['file_id']}") as download:
        assert await download.read() == b"district,organization\n"
        assert "attachment" in download.headers["Content-Disposition"]


async def test_bad_requests_are_refused(http):
    async with http.post("/api/send", json={"user": 5555, "text": "hi"}) as unknown_persona:
        assert unknown_persona.status == 400
    async with http.post("/api/press", json={"user": 1001, "message_id": 999, "data": "x"}) as no_message:
        assert no_message.status == 400
    async with http.post("/api/clock", json={"target": "yesterday"}) as bad_target:
        assert bad_target.status == 400


def test_fast_forward_targets(sandbox):
    calendar = sandbox.app.calendar

    def local(kind):
        return calendar.local(jump_target(kind, calendar, START)).strftime("%Y-%m-%d %H:%M %a")

    assert local("due") == "2026-12-05 10:00 Sat"
    assert local("digest") == "2026-11-30 09:00 Mon"
    assert local("day") == "2026-11-27 10:00 Fri"
    after_due = at("2026-12-05 11:00")
    assert calendar.local(jump_target("due", calendar, after_due)).date().isoformat() == "2027-01-05"


async def test_fast_forward_delivers_due_reminders_and_the_digest(sandbox, http):
    answer = await post(http, "/api/clock", {"target": "reminder"})
    assert answer["clock"]["label"] == "2026-12-02 09:00"  # three days before the due date
    assert answer["sent"] > 0
    reminder = (await chat(http, 1001))["messages"][-1]
    assert reminder["from_bot"] and "желтоқсан" in reminder["text"]  # the deadline, 5 December, in Kazakh
    form_url = f"{sandbox.config.web.public_url}/app/"
    assert reminder["buttons"] == [[{"text": "📝 Есепті тапсыру", "callback_data": "report:open"},
                                    {"text": "Нысанмен толтыру", "web_app": {"url": form_url}}]]
    async with http.get("/api/webapp/1001") as response:  # what the page opens for it: the Mini App, signed
        assert (await response.json())["url"].startswith(form_url + "#tgWebAppData=")
    assert reminder["stamp"] == "02.12 09:00"  # the page shows the bot's time of sending
    async with http.get("/api/events") as events:
        answer = await post(http, "/api/clock", {"target": "digest"})
        assert answer["clock"]["label"] == "2026-12-07 09:00"
        digest = await next_bot_message(events, 2002)
    assert digest["chat_id"] == 2002
    branch_admin = [m["text"] for m in (await chat(http, 2002))["messages"]]
    assert any("Қазығұрт ауданы" in text for text in branch_admin)


def test_the_moments_a_jump_passes_over(sandbox):
    calendar = sandbox.app.calendar
    moments = passed_moments(calendar, at("2026-12-05 10:00"), at("2026-12-14 10:00"))
    assert [calendar.local(m).strftime("%d.%m %H:%M") for m in moments] == [
        "06.12 09:00",  # the district escalation
        "07.12 09:00",  # the first overdue reminder and the weekly digest
        "09.12 09:00",  # the second overdue reminder and the region escalation
        "11.12 09:00",  # the third overdue reminder
        "14.12 09:00",  # the weekly digest
        "14.12 10:00"]  # the target itself
    assert passed_moments(calendar, at("2026-12-05 10:00"), at("2026-12-05 10:00")) == []


async def test_a_jump_of_days_runs_every_scheduled_moment_passed_over_in_order(sandbox, http):
    """Құтарыс (1001) never files November: from 26 November to the due date the reminder of 2 December
    comes before the due day's (one run at the due day used to skip it); from 5 to 14 December its overdue
    reminders of the 7th, 9th and 11th, the district escalation of the 6th and the digests of the 7th and
    the 14th, each stamped with its moment."""
    def bot_stamps(messages, since):
        return [m["stamp"] for m in messages[since:] if m["from_bot"]]

    before = len((await chat(http, 1001))["messages"])
    answer = await post(http, "/api/clock", {"target": "due"})
    assert answer["clock"]["label"] == "2026-12-05 10:00"
    chair = (await chat(http, 1001))["messages"]
    # (The opening's reminder comes first, from the start's catch-up or the first moment run.)
    stamps = [(m["stamp"], m["text"]) for m in chair[before:] if m["from_bot"] and "басталды" not in m["text"]]
    assert [stamp for stamp, _ in stamps] == ["02.12 09:00", "05.12 09:00"]
    assert "соңғы күні" in chair[-1]["text"]  # the due day's reminder last

    before = len(chair)
    admin_before = len((await chat(http, 2001))["messages"])
    assert await sandbox.advance(at("2026-12-14 10:00")) > 0
    chair = (await chat(http, 1001))["messages"]
    assert bot_stamps(chair, before) == ["07.12 09:00", "09.12 09:00", "11.12 09:00"]
    assert all("өтті, есеп әлі тапсырылмаған" in m["text"] for m in chair[before:])
    district_admin = bot_stamps((await chat(http, 2001))["messages"], admin_before)
    assert district_admin[0] == "06.12 09:00"  # the escalation
    assert {"07.12 09:00", "14.12 09:00"} <= set(district_admin)  # the weekly digests
    assert district_admin == sorted(district_admin)
    assert sandbox.local_now().strftime("%Y-%m-%d %H:%M") == "2026-12-14 10:00"


async def test_stop_leaves_nothing_running(monkeypatch):
    monkeypatch.delenv("BASTAU_DB", raising=False)
    before = asyncio.all_tasks()
    sandbox = Sandbox(web_port=0, api_port=0, start_at=START)
    await sandbox.start()
    workdir, ports = sandbox.workdir, (sandbox.web_port, sandbox.server.port)
    assert (workdir / "sandbox.db").exists()
    async with aiohttp.ClientSession() as session, session.get(f"{sandbox.url}/api/events") as events:
        await events.content.readline()
        await sandbox.stop()
        await events.content.read()  # the stream ends instead of hanging
    await asyncio.sleep(0)
    assert asyncio.all_tasks() - before == set()
    assert not workdir.exists()
    for port in ports:
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.slow
async def test_start_without_a_token_runs_the_sandbox_until_sigterm(config_file, tmp_path):
    """The README's start command: no BOT_TOKEN, so `bastau start` serves the sandbox; SIGTERM ends it."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "BASTAU_DB", "TELEGRAM_API_SERVER")}
    env |= {"TMPDIR": str(scratch), "BASTAU_SANDBOX__API_PORT": "0"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config_file), "start", "--port", "0", cwd=REPO, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        code = re.search(r": (\w+)$", (await asyncio.wait_for(process.stdout.readline(), timeout=40)).decode().strip())
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=10)).decode()
        # The address is printed last, once the bot polls, on a line of its own.
        assert re.fullmatch(r"Bastau sandbox: open http://127\.0\.0\.1:\d+ in a browser \(Ctrl-C stops it\)\.\n", line)
        url = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)
        assert list(scratch.iterdir())  # the database's temporary folder
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{url}/api/state") as response:
                assert (await response.json())["invite_code"] == code.group(1)
            async with session.post(f"{url}/api/send", json={"user": 1001, "text": "/start"}) as response:
                assert response.status == 200
            await asyncio.sleep(2)  # the update handled meanwhile
    finally:
        process.send_signal(signal.SIGTERM)
        exit_code = await asyncio.wait_for(process.wait(), timeout=20)
    assert exit_code == 0
    assert list(scratch.iterdir()) == []
    logs = (await process.stderr.read()).decode()
    # Per-update, per-job and start-up INFO logs are DEBUG in the sandbox: none of them at INFO.
    for noise in ("is handled", "applied migration", "Running job", "Start polling"):
        assert noise not in logs, logs


def busy_port() -> socket.socket:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    return taken


@pytest.mark.parametrize("which, setting", [
    ("web_port", "set [sandbox] web_port (BASTAU_SANDBOX__WEB_PORT) or --port to a free port"),
    ("api_port", "set [sandbox] api_port (BASTAU_SANDBOX__API_PORT) to a free port")])
async def test_a_port_clash_names_what_moves_it(monkeypatch, which, setting):
    monkeypatch.delenv("BASTAU_DB", raising=False)
    before = asyncio.all_tasks()
    with busy_port() as taken:
        port = taken.getsockname()[1]
        sandbox = Sandbox(start_at=START, **{"web_port": 0, "api_port": 0, which: port})
        with pytest.raises(PortInUse) as clash:
            await sandbox.start()
    what = "the sandbox page" if which == "web_port" else "the local Bot API server"
    assert str(clash.value) == f"port {port} of {what} is in use on 127.0.0.1: {setting}"
    await asyncio.sleep(0)
    assert asyncio.all_tasks() - before == set() and sandbox.workdir is None  # nothing left running


@pytest.mark.slow
def test_bastau_sandbox_on_a_taken_port_says_so_in_one_line_and_exits_non_zero(config_file):
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "BASTAU_DB", "TELEGRAM_API_SERVER")}
    with busy_port() as taken:
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "bot", "--config", str(config_file), "sandbox", "--port",
                               str(port)], cwd=REPO, env=env | {"BASTAU_SANDBOX__API_PORT": "0"},
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == (f"bastau sandbox: port {port} of the sandbox page is in use on 127.0.0.1: "
                           "set [sandbox] web_port (BASTAU_SANDBOX__WEB_PORT) or --port to a free port\n")


def test_start_with_a_token_runs_the_bot(monkeypatch, config_file):
    from bot import cli

    async def bot(config, role="all"):
        return 7

    async def sandbox(config_path, port):
        return 8

    monkeypatch.setattr(cli, "_run", bot)
    monkeypatch.setattr("bot.sandbox.runner.serve", sandbox)
    monkeypatch.setenv("BOT_TOKEN", "42:TEST")
    assert cli.main(["--config", str(config_file), "start"]) == 7
    monkeypatch.setenv("BOT_TOKEN", " ")
    assert cli.main(["--config", str(config_file), "start"]) == 8
