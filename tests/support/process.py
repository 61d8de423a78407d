"""Driving a real `bastau` process through the local Bot API server, as a Telegram client would."""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from bot.config import Form
from bot.sandbox.apiserver import LocalBotAPI, User
from tests.support.cli import bastau
from tests.support.roster import ROSTER

INT_ANSWERS = {"members_total": 400, "members_joined": 3, "members_left": 1, "events_held": 4,
               "deputy_meetings": 2, "appeals_received": 5, "appeals_resolved": 4, "trainings": 1}


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "BASTAU_DB", "TELEGRAM_API_SERVER")}
    return env | extra


@pytest.fixture
def roster_codes(config_file: Path, tmp_path: Path) -> dict[str, str]:
    """The roster imported with `bastau roster import`; organization -> invite code from `bastau roster codes`."""
    roster = tmp_path / "roster.csv"
    with roster.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["district", "organization", "sector", "members"])
        writer.writerows(ROSTER)
    imported = bastau(config_file, "roster", "import", str(roster), env=clean_env())
    assert imported.returncode == 0, imported.stderr
    codes = bastau(config_file, "roster", "codes", env=clean_env())
    assert codes.returncode == 0, codes.stderr
    return {row["organization"]: row["code"] for row in csv.DictReader(io.StringIO(codes.stdout))}


async def register(server: LocalBotAPI, chair: User, code: str) -> None:
    sent = server.send_text(chair, "/start")
    greeting = await server.wait_for_bot_message(chair.id, lambda m: m.buttons(), after=sent.message_id, timeout=20)
    mark = server.mark(chair.id)
    server.press(chair, greeting.message_id, greeting.button("Қазақша")["callback_data"])
    await server.wait_for_bot_message(chair.id, lambda m: "шақыру кодын" in (m.text or ""), after=mark)
    steps = [(lambda: server.send_text(chair, code.lower()), "аты-жөніңізді"),
             (lambda: server.send_text(chair, "Асанов Айбек Серікұлы"), "телефон"),
             (lambda: server.send_contact(chair, "+77010000001"), "Бәрі дұрыс па?")]
    for act, expected in steps:
        mark = act().message_id
        await server.wait_for_bot_message(chair.id, lambda m, e=expected: e in (m.text or ""), after=mark)
    confirm = server.last_bot_message(chair.id)
    mark = server.mark(chair.id)
    server.press(chair, confirm.message_id, confirm.button("✅ Растау")["callback_data"])
    await server.wait_for_bot_message(chair.id, lambda m: "тіркелдіңіз" in (m.text or ""), after=mark)


async def file_report(server: LocalBotAPI, chair: User, form: Form, after: int | None = None) -> str:
    """Walk the report dialog by its buttons (question keys from the callback data); returns the last text.
    With `after`, the dialog is under way: it goes on from the first question after that message."""
    from bot.form.render import ReportCb

    def report_buttons(message) -> dict[str, tuple[ReportCb, dict]]:
        found = {}
        for button in message.buttons():
            try:
                cb = ReportCb.unpack(button.get("callback_data", ""))
            except (TypeError, ValueError):
                continue
            found.setdefault(cb.action, (cb, button))
        return found

    mark = server.send_text(chair, "/report").message_id if after is None else after
    asked: set[str] = set()
    while True:
        question = await server.wait_for_bot_message(chair.id, report_buttons, after=mark)
        buttons = report_buttons(question)
        mark = server.mark(chair.id)
        if "confirm" in buttons:
            server.press(chair, question.message_id, buttons["confirm"][1]["callback_data"])
            return (await server.wait_for_bot_message(chair.id, after=mark)).text
        key = next(cb.key for cb, _ in buttons.values() if cb.key)
        assert key not in asked, f"question {key} asked again: {question.text}"
        asked.add(key)
        field = form.field(key)
        if field.type == "int":
            server.send_text(chair, str(INT_ANSWERS.get(key, 1)))
        elif field.type == "text":
            server.send_text(chair, "Ардагерлермен кездесу, сенбілік.")
        elif field.type == "choice":
            server.press(chair, question.message_id, buttons["pick"][1]["callback_data"])
        elif field.type == "multi":
            server.press(chair, question.message_id, buttons["toggle"][1]["callback_data"])
            await server.wait_for(lambda: any(b["text"].startswith("✅") for b in question.buttons()))
            server.press(chair, question.message_id, buttons["done"][1]["callback_data"])
        else:  # photos: one photo, then «Done» under the bot's receipt
            server.send_photo(chair, b"\xff\xd8\xff\xe0 sandbox photo")
            receipt = await server.wait_for_bot_message(chair.id, report_buttons, after=mark)
            mark = server.mark(chair.id)
            server.press(chair, receipt.message_id, report_buttons(receipt)["done"][1]["callback_data"])
