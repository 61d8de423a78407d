"""kill -9 of a real `bastau run` in the middle of a chair's report, then a restart: the chair goes on at
the same question and every earlier answer is kept. The chair talks through the local server's user
API, as a Telegram client would."""
from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

from bench.apiproc import ApiProcess
from bench.common import bench_clock, load, write_config
from bench.drills import integrity_and_backup
from bench.startup import start_bastau, stop

CHAIR = 1001
QUESTION = re.compile(r"Сұрақ \d+/\d+")
# Answers to the first eight questions of the default form (int, int, int, int, text, int, int, int).
ANSWERS = ["240", "3", "1", "4", "Ардагерлермен кездесу өтті.", "2", "5", "4"]


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

    async def settle(self, quiet: float = 1.0) -> list[dict[str, Any]]:
        """The bot's messages once it has sent nothing new for `quiet` seconds."""
        last, still = None, 0.0
        while still < quiet:
            messages = await self.server.control("messages", chat_id=CHAIR, bot_only=1)
            count = len(messages)
            still = still + 0.25 if count == last else 0.0
            last = count
            await asyncio.sleep(0.25)
        self.seen = max([self.seen] + [m["message_id"] for m in messages])
        return messages

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
    from bot.context import AppContext
    from db.queries.orgs import RosterRow
    from db.queries.roster import apply_rows

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


def _value(field, text: str) -> Any:
    return int(text) if field.type == "int" else text


async def _resume(chat: Chat, db_path: Path) -> tuple[dict[str, Any], str | None, str]:
    """/report after the restart and «Continue» on the latest offer; once the bot has gone quiet, the draft
    and the last question it asked. (A re-delivered in-flight answer may be handled at the same time as
    /report: only the quiet state is compared.)"""
    await chat.send("/report")
    await chat.wait_for("", timeout=120)
    messages = await chat.settle()
    offer = next(m for m in reversed(messages) if _continue_button(m))
    await chat.press(offer, _continue_button(offer))
    messages = await chat.settle()
    answers, cursor = _draft(db_path)
    asked = next((m["text"] for m in reversed(messages) if QUESTION.match(m["text"] or "")), "")
    return answers, cursor, asked


async def run(folder: Path, kills: tuple[tuple[int, float], ...] = ((2, 0.2), (5, 0.0), (7, 0.03))) -> dict[str, Any]:
    """Each kill: answer up to question `n` (waiting for each next question), send the answer to question n,
    wait `delay` seconds, kill -9, start again and resume."""
    from bot.config import load_config

    db_path = folder / "kill-dialog.db"
    await _prepare(folder, db_path)
    form = load_config(write_config(folder, db_path)).form
    labels = [f.label.kk for f in form.fields]
    keys = [f.key for f in form.fields]
    rounds = []
    async with ApiProcess() as server:
        config = write_config(folder, db_path, server.url)
        chat = Chat(server)
        log = folder / "kill-dialog.log"
        process = start_bastau(config, server.url, log)
        try:
            await chat.send("/report")
            await chat.wait_for(labels[0], timeout=120)
            position = 0
            for kill_at, delay in kills:
                while position < kill_at:
                    await chat.send(ANSWERS[position])
                    await chat.wait_for(labels[position + 1])
                    position += 1
                await chat.send(ANSWERS[position])  # in flight when the process dies
                await asyncio.sleep(delay)
                process.kill()
                process.wait()
                process = start_bastau(config, server.url, log)
                answers, cursor, asked = await _resume(chat, db_path)
                earlier = {keys[n]: _value(form.fields[n], ANSWERS[n]) for n in range(position)}
                saved = answers.get(keys[position]) == _value(form.fields[position], ANSWERS[position])
                expected_cursor = keys[position + 1] if saved else keys[position]
                rounds.append({"killed_after_sending_answer_to": keys[position], "delay_s": delay,
                               "in_flight_answer_saved": saved,
                               "earlier_answers_kept": all(answers.get(k) == v for k, v in earlier.items()),
                               "asked_after_restart": cursor,
                               "same_question": cursor == expected_cursor and cursor in keys
                               and labels[keys.index(cursor)] in asked,
                               "asked_text": asked[:80]})
                position = keys.index(cursor) if cursor in keys else position
        finally:
            stop(process)
    result: dict[str, Any] = {"rounds": rounds}
    result |= integrity_and_backup(db_path, config, folder)
    result["ok"] = (len(rounds) == len(kills) and all(r["earlier_answers_kept"] and r["same_question"] for r in rounds)
                    and result["integrity"] == "ok" and result["backup_same_rows"])
    return result
