"""Crash drill: many chairs file their reports at once through a real `bastau run` and the local Bot API
server (its own process) while the bot is killed with kill -9 again and again and restarted at once.

Each chair answers the latest question the bot has put to it once the chat is quiet for a moment, as a
person reads before typing: a question asked again after a restart is answered again; nothing is sent
without a question. Every fifth chair steps away when the bot goes silent: a question it got before a
kill is left unanswered until the restarted bot asks it again. With `resend`, a chair whose answer gets
no reply for 2 s (the bot is down; it is started again 3 s after each kill) types it again, as people
do: the bot must tell which question that answer was for.

Afterwards every report must hold exactly the answers its chair gave, every chair must have got its
receipt (no step left unanswered), and a question may come twice in a row only as the restart's own
re-ask of a waiting dialog; anything more is a duplicate (at most one per kill).

With `webhook`, the bot runs `bastau run --webhook` and the local server delivers every update by POST
(retrying while the bot is down) instead of the bot polling.

    python -m bench.crash_drill [--dialogs 200] [--kills 10] [--resend] [--webhook]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.apiproc import ApiProcess
from bench.common import REPO, bench_clock, free_port, load, webhook_config, write_config
from bench.drills import integrity_and_backup
from bench.startup import bastau_env, stop

FIRST_CHAIR = 5000
QUESTION = re.compile(r"Сұрақ (\d+)/(\d+)")
REASKED = re.compile(r"asked (\d+) waiting dialog")
REPLAYED = re.compile(r"handling (\d+) update\(s\) received before a stop")
QUIET_S = 0.6
WAIT_S = 120.0
RESEND_S = 2.0
RESTART_DELAY_S = 3.0  # with resend
WEBHOOK_SECRET = "crash-drill-secret"


def start_bastau(config: Path, api_url: str, log_file: Path, webhook: bool = False) -> subprocess.Popen:
    """`bastau run` (`--webhook`) in its own process group, logging at INFO (each start says how many
    dialogs it re-asked)."""
    env = bastau_env(config, api_url) | {"BASTAU_LOG_LEVEL": "INFO", "WEBHOOK_SECRET": WEBHOOK_SECRET}
    with log_file.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "bot.cli", "run", *(["--webhook"] if webhook else [])],
                                cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def planned(form: Any, n: int) -> dict[str, Any]:
    """What chair n answers (distinct numbers per chair, so an answer on the wrong question shows)."""
    from bot.form.kinds import kind_of

    ints = {"members_total": 300 + n, "members_joined": 10 + n % 7, "members_left": 1 + n % 3,
            "events_held": 2 + n % 5, "deputy_meetings": n % 4, "appeals_received": 5 + n % 6,
            "appeals_resolved": 3, "trainings": n % 3}
    out: dict[str, Any] = {}
    for field in form.fields:
        if field.type == "int":
            out[field.key] = ints.get(field.key, 1)
        elif (field.type == "text" and field.required) or field.key == "events_summary":
            out[field.key] = f"Есеп {n}: жиналыс өтті."
        elif field.type == "text":
            out[field.key] = kind_of(field).skip_value(field)
        else:
            out[field.key] = kind_of(field).skip_value(field)
    return out


async def _prepare(folder: Path, db_path: Path, dialogs: int) -> None:
    from bot.context import AppContext
    from db.queries.orgs import RosterRow
    from db.queries.roster import apply_rows

    app = await AppContext.create(load(folder, db_path))
    now = bench_clock().now().isoformat()
    rows = [RosterRow(n + 2, "Сайрам ауданы", f"Ұйым {n:04d}", "social", 100 + n) for n in range(dialogs)]
    await apply_rows(app.db, rows, bench_clock().now())
    orgs = {r[1]: r[0] for r in await app.db.fetchall("SELECT id, name FROM organizations")}
    async with app.db.transaction() as tx:
        for n in range(dialogs):
            await tx.execute("INSERT INTO users(id, locale, full_name, org_id, registered_at, active, created_at) "
                             "VALUES (?, 'kk', ?, ?, ?, 1, ?)",
                             (FIRST_CHAIR + n, f"Төраға {n}", orgs[f"Ұйым {n:04d}"], now, now))
    await app.db.close()


def _callback(message: dict[str, Any], prefix: str) -> str | None:
    markup = message.get("reply_markup") or {}
    return next((b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row
                 if str(b.get("callback_data", "")).startswith(prefix)), None)


def _kind(message: dict[str, Any], keys: list[str]) -> str | None:
    """The question key a bot message asks, 'summary', 'receipt', or None for anything else."""
    text = message.get("text") or ""
    found = QUESTION.search(text)
    if found:
        return keys[int(found.group(1)) - 1]
    if _callback(message, "rep:confirm"):
        return "summary"
    if text.startswith("✅"):
        return "receipt"
    return None


class Chair:
    def __init__(self, server: ApiProcess, n: int, form: Any, progress: list[int], kill_times: list[float],
                 resend: bool = False) -> None:
        self.server, self.n, self.form, self.progress, self.kill_times = server, n, form, progress, kill_times
        self.away = n % 5 == 0
        self.acted_at = 0.0
        self.resend = resend
        self.last_text: str | None = None  # the last answer typed, while no reply has come
        self.resent = 0
        self.id = FIRST_CHAIR + n
        self.keys = [f.key for f in form.fields]
        self.answers = planned(form, n)
        self.seen = 0
        self.finished = False

    async def _send(self, text: str) -> None:
        sent = await self.server.control("send_text", {"user": {"id": self.id, "first_name": f"Төраға {self.n}",
                                                                "language_code": "kk"}, "text": text})
        self.seen = max(self.seen, sent["message_id"])
        self.acted_at = time.time()

    async def _press(self, message: dict[str, Any], data: str) -> None:
        await self.server.control("press", {"user": self.id, "message_id": message["message_id"],
                                            "callback_data": data, "strict": False})
        self.acted_at = time.time()

    def _steps_away(self, message: dict[str, Any]) -> bool:
        """An away chair leaves a question asked before the last kill for the restarted bot to ask again."""
        if not self.away or not self.kill_times or _kind(message, self.keys) == "receipt":
            return False
        killed = self.kill_times[-1]
        return message["data"]["date"] <= killed and self.acted_at < killed

    async def _latest(self, after: int) -> dict[str, Any] | None:
        """The bot's latest question (or summary, or receipt) after message `after`, once quiet."""
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            try:
                await self.server.control("wait_bot_message", chat_id=self.id, after=self.seen,
                                          timeout=RESEND_S if self.resend else 5)
            except RuntimeError:  # nothing new for a while (the bot may be restarting)
                if self.resend and self.last_text is not None and time.time() - self.acted_at > RESEND_S:
                    messages = await self.server.control("messages", chat_id=self.id, bot_only=1)
                    if max((m["message_id"] for m in messages), default=0) <= self.seen:  # still nothing
                        text, self.last_text = self.last_text, None
                        await self._send(text)
                        self.resent += 1
                continue
            while True:  # quiet: nothing more for QUIET_S
                messages = await self.server.control("messages", chat_id=self.id, bot_only=1)
                newest = max(m["message_id"] for m in messages)
                self.seen = max(self.seen, newest)
                try:
                    await self.server.control("wait_bot_message", chat_id=self.id, after=newest, timeout=QUIET_S)
                except RuntimeError:
                    break
            asked = [m for m in messages if m["message_id"] > after and _kind(m, self.keys)]
            if asked:
                return asked[-1]
        return None

    async def run(self) -> None:
        await self._send("/report")
        answered = 0
        while True:
            message = await self._latest(answered)
            if message is None:
                return  # stuck: the drill counts it
            answered = message["message_id"]
            self.last_text = None  # the bot answered
            if self._steps_away(message):
                continue
            kind = _kind(message, self.keys) or ""
            if kind == "receipt":
                self.finished = True
                return
            self.progress[0] += 1
            if kind == "summary":
                await self._press(message, _callback(message, "rep:confirm") or "")
                continue
            field = self.form.field(kind)
            if field.type in ("int", "text") and self.answers[kind] is not None:
                await self._send(str(self.answers[kind]))
                self.last_text = str(self.answers[kind])
            else:
                action = "skip" if field.type == "text" else "done"
                await self._press(message, _callback(message, f"rep:{action}:{kind}") or "")


def _repeats(messages: list[dict[str, Any]], keys: list[str], kill_times: list[float]) -> list[int]:
    """Per kill: a question asked again with no message of the chair's left unanswered before it
    (each message of the chair may be answered by one question), after that kill."""
    out = [0] * len(kill_times)
    last, waiting = None, 1
    for m in messages:
        if not m["from_bot"]:
            waiting += 1
            continue
        kind = _kind(m, keys)
        if kind is None:
            continue
        if kind == last and waiting == 0:
            window = sum(1 for t in kill_times if m["data"]["date"] >= int(t)) - 1
            out[max(window, 0)] += 1
        last, waiting = kind, max(waiting - 1, 0)
    return out


def _reports(db_path: Path) -> dict[int, dict[str, Any]]:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT u.id, r.answers FROM reports r JOIN users u ON u.org_id = r.org_id").fetchall()
    return {r[0]: json.loads(r[1]) for r in rows}


async def run(folder: Path, dialogs: int = 50, kills: int = 3, resend: bool = False, webhook: bool = False
              ) -> dict[str, Any]:
    from bot.config import load_config

    db_path = folder / "crash-drill.db"
    await _prepare(folder, db_path, dialogs)
    form = load_config(write_config(folder, db_path)).form
    keys = [f.key for f in form.fields]
    progress = [0]
    steps = dialogs * (len(form.fields) + 1)
    marks = [steps * (k + 1) // (kills + 1) for k in range(kills)]
    kill_times: list[float] = []
    log = folder / "crash-drill.log"
    started = time.monotonic()
    async with ApiProcess() as server:
        config = write_config(folder, db_path, server.url)
        if webhook:
            config = webhook_config(config, free_port())
        process = start_bastau(config, server.url, log, webhook)
        chairs = [Chair(server, n, form, progress, kill_times, resend) for n in range(dialogs)]
        tasks = [asyncio.create_task(c.run()) for c in chairs]
        try:
            for mark in marks:
                while progress[0] < mark and not all(t.done() for t in tasks):  # noqa: ASYNC110 (a count)
                    await asyncio.sleep(0.05)
                if all(t.done() for t in tasks):
                    break
                process.kill()
                process.wait()
                kill_times.append(time.time())
                if resend:  # a supervisor's restart delay: long enough for the chairs to type again
                    await asyncio.sleep(RESTART_DELAY_S)
                process = start_bastau(config, server.url, log, webhook)
            await asyncio.gather(*tasks)
            seconds = time.monotonic() - started
            transcripts = [await server.control("messages", chat_id=c.id) for c in chairs]
        finally:
            for task in tasks:
                task.cancel()
            stop(process)
    text = log.read_text(encoding="utf-8", errors="replace")
    reasked = [int(n) for n in REASKED.findall(text)][1:]  # one line per start; the first start asks none
    repeats = [sum(col) for col in zip(*(_repeats(t, keys, kill_times) for t in transcripts), strict=True)] \
        if kill_times else []
    reports = _reports(db_path)
    wrong = [c.n for c in chairs if reports.get(c.id) != c.answers]
    result: dict[str, Any] = {
        "dialogs": dialogs, "kills": len(kill_times), "updates_by": "webhook" if webhook else "polling",
        "seconds": round(seconds, 1),
        "answers_typed_again": sum(c.resent for c in chairs),
        "finished": sum(c.finished for c in chairs), "unanswered": sum(not c.finished for c in chairs),
        "reports_exact": dialogs - len(wrong), "reports_wrong": wrong[:10],
        "wrong_answers": [{k: (reports.get(c.id, {}).get(k), v) for k, v in c.answers.items()
                           if reports.get(c.id, {}).get(k) != v} for c in chairs if c.n in wrong[:3]],
        "reasked_at_each_restart": reasked,
        "replayed_from_the_inbox": [int(n) for n in REPLAYED.findall(text)],
        "repeats_at_each_kill": repeats,
        "duplicates_at_each_kill": [max(r - a, 0) for r, a in zip(repeats, reasked, strict=False)],
        "tracebacks_in_log": text.count("Traceback"),
        "unanswered_last_messages": [[(m["from_bot"], (m["data"].get("text") or "")[:60]) for m in t[-4:]]
                                     for c, t in zip(chairs, transcripts, strict=True) if not c.finished][:3],
    }
    result |= integrity_and_backup(db_path, config, folder)
    result["ok"] = (result["kills"] == kills and len(reasked) == kills and result["unanswered"] == 0 and not wrong
                    and max(result["duplicates_at_each_kill"], default=0) <= 1
                    and result["integrity"] == "ok" and result["backup_same_rows"])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crash_drill", description=__doc__.splitlines()[0])
    parser.add_argument("--dialogs", type=int, default=200)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--resend", action="store_true", help="chairs type an unanswered answer again")
    parser.add_argument("--webhook", action="store_true", help="bastau run --webhook: updates delivered by POST")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="crash-drill-") as tmp:
        result = asyncio.run(run(Path(tmp), args.dialogs, args.kills, args.resend, args.webhook))
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
