"""The cluster drill: two `bastau run --role web --webhook` behind a small round-robin proxy, two
`bastau run --role worker`, PostgreSQL and Redis, the local Bot API server (its own process) posting
updates to the proxy. Chairs file their reports at once (the crash drill's chairs, bench/crash_drill.py)
while the leading worker is killed with kill -9 (during the reminders and a running broadcast) and then
one web process (in the middle of the dialogs); each is started again a second later.

What must hold afterwards: every report exactly its chair's answers and every chair answered; every
reminder due (the silent chairs', who never write) sent exactly once, or still claimed by the killed
leader (at most one per kill: db/queries/sent.py sends such a claim again after its timeout); the
broadcast finished by the standby, every recipient reached, at most one duplicate per kill.

    python -m bench.cluster_drill [--chairs 100] [--failover-s 4]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bench.apiproc import ApiProcess
from bench.common import BRANCH_ADMIN, REPO, bench_clock, cluster_servers, write_config
from bench.crash_drill import FIRST_CHAIR, Chair
from bench.drills import duplicates_per_kill
from bench.startup import bastau_env, stop

SILENT = FIRST_CHAIR + 10_000  # the chairs who never write: their reminders are the ones counted
RECIPIENTS = 20_000_001  # the broadcast's recipients (chats of no user)
SECRET = "drill-Secret_1"
LEADS = "this process leads the workers"
TAKEN = re.compile(r"inbox: (\d+) update\(s\) of a stopped process taken over")
WAIT_S = 240.0


class Proxy:
    """Round robin over the web processes; a process that is down is skipped; 502 when none answers
    (the Bot API server then delivers the update again)."""

    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self.turn = 0
        self.url = ""
        self.forwarded: Counter[str] = Counter()
        self.posting: dict[str, asyncio.Event] = {b: asyncio.Event() for b in backends}  # set at each request
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        assert self._http is not None
        for _ in range(len(self.backends)):
            backend = self.backends[self.turn % len(self.backends)]
            self.turn += 1
            try:
                self.posting[backend].set()
                async with self._http.post(backend + request.path, data=body, headers=headers) as answer:
                    self.forwarded[backend] += 1
                    return web.Response(status=answer.status, body=await answer.read(),
                                        content_type=answer.content_type)
            except (aiohttp.ClientError, TimeoutError):
                continue
        return web.Response(status=502, text="no web process answered")

    async def __aenter__(self) -> Proxy:
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        app = web.Application()
        app.router.add_post("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner:
            await self._runner.cleanup()
        if self._http:
            await self._http.close()


class Node:
    """One bastau process of the cluster, started again after a kill with the same arguments."""

    def __init__(self, name: str, folder: Path, env: dict[str, str], role: str) -> None:
        self.name = name
        self.log = folder / f"{name}.log"
        self.env = env
        self.args = [sys.executable, "-m", "bot.cli", "run", "--role", role] + (["--webhook"] if role == "web" else [])
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(self.args, cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


async def until(condition: Callable[[], Any], within_s: float, what: str, every: float = 0.1) -> None:
    deadline = time.monotonic() + within_s
    while not await condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not within {within_s:g} s")
        await asyncio.sleep(every)


async def prepare(database_url: str, chairs: int, silent: int, recipients: int, message_id: int) -> int:
    """The roster, the chairs (registered, none reported yet) and a broadcast of the branch admin's message
    `message_id`, recorded as running."""
    from db import open_database
    from db.queries.orgs import RosterRow
    from db.queries.roster import apply_rows
    from db.repos import Repos

    db = await open_database(database_url)
    try:
        now = bench_clock().now()
        people = [(FIRST_CHAIR + n, f"Ұйым {n:04d}") for n in range(chairs)]
        people += [(SILENT + n, f"Үнсіз ұйым {n:04d}") for n in range(silent)]
        await apply_rows(db, [RosterRow(i + 2, "Сайрам ауданы", name, "social", 100) for i, (_, name)
                              in enumerate(people)], now)
        orgs = {r[1]: r[0] for r in await db.fetchall("SELECT id, name FROM organizations")}
        async with db.transaction() as tx:
            for user_id, org in people:
                await tx.execute("INSERT INTO users(id, locale, full_name, org_id, registered_at, active, created_at) "
                                 "VALUES (?, 'kk', ?, ?, ?, 1, ?)",
                                 (user_id, f"Төраға {user_id}", orgs[org], now.isoformat(), now.isoformat()))
        return await Repos(db).broadcasts.create(
            created_by=BRANCH_ADMIN, admin_chat_id=BRANCH_ADMIN, district_id=None, audience="custom",
            from_chat_id=BRANCH_ADMIN, message_id=message_id, chat_ids=list(range(RECIPIENTS, RECIPIENTS + recipients)),
            now=now)
    finally:
        await db.close()


async def outcome(database_url: str, broadcast_id: int) -> dict[str, Any]:
    from db import open_database

    db = await open_database(database_url, migrate=False)
    try:
        reports = {r[0]: json.loads(r[1]) for r in await db.fetchall(
            "SELECT u.id, r.answers FROM reports r JOIN users u ON u.org_id = r.org_id")}
        claimed = [r[0] for r in await db.fetchall(
            "SELECT recipient FROM sent_log WHERE kind = 'remind' AND status = 'claimed' AND recipient >= ?",
            (SILENT,))]
        status = (await db.fetchone("SELECT status FROM broadcasts WHERE id = ?", (broadcast_id,)))[0]
        not_done = (await db.fetchone("SELECT COUNT(*) FROM inbox WHERE done_at IS NULL"))[0]
        return {"reports": reports, "claimed": claimed, "broadcast": status, "inbox_not_done": not_done}
    finally:
        await db.close()


async def run(folder: Path, database_url: str, redis_url: str, chairs: int = 100, silent: int = 100,
              recipients: int = 200, failover_s: float = 4.0) -> dict[str, Any]:
    from bot.config import load_config
    from tests.support.redis import free_port

    started = time.monotonic()
    async with ApiProcess() as api:
        message = await api.control("send_text", {"user": BRANCH_ADMIN, "text": "Жиналыс ертең сағат 10-да."})
        broadcast_id = await prepare(database_url, chairs, silent, recipients, message["message_id"])
        ports = [free_port(), free_port()]
        async with Proxy([f"http://127.0.0.1:{p}" for p in ports]) as proxy:
            config = write_config(folder, folder / "unused.db", api_server=api.url, broadcast_rate=8)
            form = load_config(config).form
            env = bastau_env(config, api.url) | {
                "BASTAU_DATABASE_URL": database_url, "BASTAU_REDIS_URL": redis_url, "WEBHOOK_SECRET": SECRET,
                "BASTAU_CLUSTER__FAILOVER_S": str(failover_s), "BASTAU_WEBHOOK__URL": f"{proxy.url}/telegram/webhook",
                "BASTAU_CALENDAR__QUIET_START": "00:00", "BASTAU_CALENDAR__QUIET_END": "00:00"}  # no quiet hours
            webs = [Node(f"web-{n}", folder, env | {"BASTAU_WEB__PORT": str(p), "BASTAU_WEBHOOK__PORT": str(p)}, "web")
                    for n, p in enumerate(ports)]
            workers = [Node(f"worker-{n}", folder, env, "worker") for n in range(2)]
            nodes = webs + workers
            progress = [0]
            people = [Chair(api, n, form, progress, kill_times=[]) for n in range(chairs)]  # nobody steps away
            tasks: list[asyncio.Task[None]] = []
            kills: list[float] = []
            try:
                for node in webs:
                    node.start()

                async def webhook_set() -> bool:
                    return len(await api.control("log", method="setWebhook", limit=100)) >= 2

                await until(webhook_set, 120, "both web processes set the webhook")
                for node in workers:
                    node.start()

                async def silent_reached() -> int:
                    calls = await api.control("log", method="sendMessage", limit=1_000_000)
                    return len({int(c["params"]["chat_id"]) for c in calls
                                if c["status"] == 200 and int(c["params"]["chat_id"]) >= SILENT})

                tasks = [asyncio.create_task(c.run()) for c in people]
                # Kill 1: the leader, while it sends the reminders and delivers the broadcast.
                await until(lambda: _at_least(silent_reached, max(1, silent // 5)), 120, "the leader's reminders")
                leader = next(w for w in workers if LEADS in w.text())
                leader.kill()
                kills.append(time.monotonic())
                await asyncio.sleep(1.0)
                leader.start()
                # Kill 2: a web process, in the middle of the dialogs.
                half = chairs * (len(form.fields) + 1) // 2

                async def halfway() -> bool:
                    return progress[0] >= half or all(t.done() for t in tasks)

                await until(halfway, WAIT_S, "halfway through the dialogs")
                posting = proxy.posting[proxy.backends[0]]
                posting.clear()
                with suppress(TimeoutError):  # while an update is on its way in: stored or not, not yet handled
                    await asyncio.wait_for(posting.wait(), 10)
                await asyncio.sleep(0.005)
                webs[0].kill()
                kills.append(time.monotonic())
                await asyncio.sleep(1.0)
                webs[0].start()
                await asyncio.wait_for(asyncio.gather(*tasks), WAIT_S)
                dialogs_s = round(time.monotonic() - started, 1)

                async def all_reminded() -> bool:
                    return await silent_reached() >= silent

                with suppress(RuntimeError):
                    await until(all_reminded, failover_s * 5 + 30, "every silent chair reminded")
                got = {}
                for _ in range(int(recipients / 8 * 3 + 60)):
                    got = await outcome(database_url, broadcast_id)
                    if got["broadcast"] != "running":
                        break
                    await asyncio.sleep(1.0)
                seconds = round(time.monotonic() - started, 1)
                sends = await api.control("log", method="sendMessage", limit=1_000_000)
                copies = await api.control("log", method="copyMessage", limit=1_000_000)
            finally:
                for task in tasks:
                    task.cancel()
                for node in nodes:
                    if node.process is not None:
                        stop(node.process)
            logs = {node.name: node.text() for node in nodes}
            forwarded = dict(proxy.forwarded)
    reminded = Counter(int(c["params"]["chat_id"]) for c in sends
                       if c["status"] == 200 and int(c["params"]["chat_id"]) >= SILENT)
    delivered = Counter(int(c["params"]["chat_id"]) for c in copies if c["status"] == 200)
    wrong = [c.n for c in people if got["reports"].get(c.id) != c.answers]
    per_kill = duplicates_per_kill(copies, kills)
    result: dict[str, Any] = {
        "chairs": chairs, "seconds": seconds, "dialogs_done_after_s": dialogs_s, "kills": len(kills),
        "finished": sum(c.finished for c in people), "reports_exact": chairs - len(wrong), "reports_wrong": wrong[:10],
        "reminders_due": silent, "reminded_once": sum(1 for n in reminded.values() if n == 1),
        "reminded_twice_or_more": sum(1 for n in reminded.values() if n > 1),
        "reminders_still_claimed": len(got["claimed"]),
        "not_reminded": silent - len(reminded),
        "broadcast": got["broadcast"], "broadcast_recipients_reached": len(delivered),
        "broadcast_duplicates_at_each_kill": per_kill,
        "leaders": {name: text.count(LEADS) for name, text in logs.items() if name.startswith("worker")},
        "inbox_rows_taken_over": sum(int(n) for n in TAKEN.findall("".join(logs.values()))),
        "inbox_rows_not_done": got["inbox_not_done"],
        "forwarded_by_the_proxy": forwarded,
        "tracebacks_in_logs": {name: text.count("Traceback") for name, text in logs.items()},
    }
    result["ok"] = (result["finished"] == chairs and not wrong and result["reminded_twice_or_more"] == 0
                    and result["inbox_rows_not_done"] == 0
                    and result["not_reminded"] == result["reminders_still_claimed"] <= len(kills)
                    and result["broadcast"] == "done" and len(delivered) == recipients
                    and max(per_kill, default=0) <= 1)
    if not result["ok"]:
        result["log_tails"] = {name: text[-1500:] for name, text in logs.items()}
    return result


async def _at_least(count: Callable[[], Any], n: int) -> bool:
    return await count() >= n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cluster_drill", description=__doc__.splitlines()[0])
    parser.add_argument("--chairs", type=int, default=100)
    parser.add_argument("--failover-s", type=float, default=4.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cluster-drill-") as tmp, cluster_servers(Path(tmp)) as (pg, redis_url):
        result = asyncio.run(run(Path(tmp), pg.fresh_database(), redis_url, args.chairs, failover_s=args.failover_s))
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
