"""kill -9 of a real `bastau run` in the middle of a chair's report, then a restart: the chair goes on at
the same question and every earlier answer is kept. The chair talks through the local server's user
API, as a Telegram client would."""
from __future__ import annotations

import asyncio
import json
import random
import sqlite3
from pathlib import Path
from typing import Any

from bench.apiproc import ApiProcess
from bench.common import bench_clock, load, write_config
from bench.drills import integrity_and_backup
from bench.startup import start_bastau, stop

CHAIR = 1001
ANSWERS = ["240", "3", "1", "4", "2", "5"]  # the first int questions of the default form


class Chat:
    """The chair's side of the private chat with the bot."""

    def __init__(self, server: ApiProcess) -> None:
        self.server = server
        self.seen = 0

    async def send(self, text: str) -> None:
        sent = await self.server.control("send_text", {"user": {"id": CHAIR, "first_name": "Айбек",
                                                                "language_code": "kk"}, "text": text})
        self.seen = max(self.seen, sent["message_id"])

    async def wait_for(self, contains: str, timeout: float = 60) -> dict[str, Any]:
        message = await self.server.control("wait_bot_message", chat_id=CHAIR, after=self.seen, contains=contains,
                                            timeout=timeout)
        self.seen = max(self.seen, message["message_id"])
        return message

    async def press(self, message: dict[str, Any], callback_data: str) -> None:
        await self.server.control("press", {"user": CHAIR, "message_id": message["message_id"],
                                            "callback_data": callback_data})


def _continue_button(message: dict[str, Any]) -> str | None:
    """The callback data of «Continue where I left off» on the resume question, if this is it."""
    markup = message.get("reply_markup") or {}
    found = [b.get("callback_data") for row in markup.get("inline_keyboard", []) for b in row
             if str(b.get("callback_data", "")).startswith("rep:continue")]
    return found[0] if found else None


async def _prepare(folder: Path, db_path: Path) -> None:
    from bot.app import AppContext
    from db.roster import RosterRow, apply_rows

    app = await AppContext.create(load(folder, db_path))
    now = bench_clock().now()
    await apply_rows(app.db, [RosterRow(2, "Сайрам ауданы", "Құтарыс", "social", 400)], now)
    await app.db.execute("INSERT INTO users(id, locale, full_name, org_id, registered_at, active, created_at) "
                         "VALUES (?, 'kk', 'Асанов Айбек', 1, ?, 1, ?)", (CHAIR, now.isoformat(), now.isoformat()))
    await app.db.close()


def _draft(db_path: Path) -> tuple[dict[str, Any], str | None]:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        row = conn.execute("SELECT answers, cursor FROM drafts WHERE org_id = 1").fetchone()
    return (json.loads(row[0]), row[1]) if row else ({}, None)


async def run(folder: Path, answered_before_kill: int = 3, seed: int = 11) -> dict[str, Any]:
    from bot.config import load_config

    db_path = folder / "kill-dialog.db"
    await _prepare(folder, db_path)
    form = load_config(write_config(folder, db_path)).form
    labels = [f.label.kk for f in form.fields]
    keys = [f.key for f in form.fields]
    async with ApiProcess() as server:
        config = write_config(folder, db_path, server.url)
        chat = Chat(server)
        log = folder / "kill-dialog.log"
        process = start_bastau(config, server.url, log)
        await chat.send("/report")
        await chat.wait_for(labels[0], timeout=120)
        for n in range(answered_before_kill):
            await chat.send(ANSWERS[n])
            await chat.wait_for(labels[n + 1])
        await chat.send(ANSWERS[answered_before_kill])  # in flight when the process dies
        await asyncio.sleep(random.Random(seed).uniform(0.0, 0.3))
        process.kill()
        process.wait()
        before_restart = _draft(db_path)
        process = start_bastau(config, server.url, log)
        try:
            await chat.send("/report")
            offer = await chat.wait_for("", timeout=120)
            while not _continue_button(offer):
                offer = await chat.wait_for("", timeout=60)
            await chat.press(offer, _continue_button(offer))
            answers, cursor = _draft(db_path)
            asked = await chat.wait_for(labels[keys.index(cursor)] if cursor in keys else "\x00", timeout=60)
        finally:
            stop(process)
    expected = {keys[n]: int(ANSWERS[n]) for n in range(answered_before_kill)}
    kept = all(answers.get(k) == v for k, v in expected.items())
    in_flight = keys[answered_before_kill]
    result = {"answered_before_kill": answered_before_kill, "draft_at_kill": before_restart[0],
              "draft_after_restart": answers, "asked_after_restart": cursor,
              "in_flight_answer_kept": answers.get(in_flight) == int(ANSWERS[answered_before_kill]),
              "earlier_answers_kept": kept, "asked_text": asked["text"][:120]}
    # The same question: the one the draft points at, which is the in-flight one or, if it was saved, the next.
    same_question = cursor == (keys[answered_before_kill + 1] if result["in_flight_answer_kept"] else in_flight)
    result |= integrity_and_backup(db_path, config, folder)
    result["ok"] = kept and same_question and result["integrity"] == "ok" and result["backup_same_rows"]
    return result
