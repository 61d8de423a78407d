"""What a user could see of the bot's calls, and what the database recorded."""
from __future__ import annotations

import csv
import io
import json
from typing import Any

from aiogram.methods import SendDocument, TelegramMethod
from openpyxl import load_workbook

from tests.support.mocked import sent_text

# The tables an admin action may change; a refused one changes none of them.
WATCHED = ("organizations", "districts", "users", "reports", "admins", "join_requests", "audit_log")


def document_text(call: SendDocument) -> str:
    data = call.document.data
    if call.document.filename.endswith(".xlsx"):
        workbook = load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(str(v) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True)
                         for v in row if v is not None)
    return data.decode("utf-8-sig")


def shown(calls: list[TelegramMethod]) -> str:
    """Everything the user could see from these calls: texts, alerts, button labels, documents."""
    out = []
    for call in calls:
        text = sent_text(call)
        if text:
            out.append(text)
        markup = getattr(call, "reply_markup", None)
        for row in getattr(markup, "inline_keyboard", None) or getattr(markup, "keyboard", None) or []:
            out.extend(b.text for b in row)
        if isinstance(call, SendDocument):
            out.append(document_text(call))
    return "\n".join(out)


def documents(calls: list[TelegramMethod]) -> list[SendDocument]:
    return [c for c in calls if isinstance(c, SendDocument)]


def csv_rows(data: bytes, delimiter: str = ",") -> list[list[str]]:
    """A CSV the bot wrote; it must start with a UTF-8 BOM. Exports are split by «;» (delimiter=";")."""
    assert data.startswith("\ufeff".encode()), "no UTF-8 BOM"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


async def audit_entries(harness) -> list[dict[str, Any]]:
    rows = await harness.app.db.fetchall("SELECT actor_id, actor_role, action, object_ref, details, at "
                                         "FROM audit_log ORDER BY id")
    return [{"actor": r[0], "role": r[1], "action": r[2], "object": r[3], "details": json.loads(r[4]), "at": r[5]}
            for r in rows]


async def snapshot(harness, tables: tuple[str, ...] = WATCHED) -> dict[str, list[tuple]]:
    """Every row of the watched tables, to compare before and after."""
    return {t: [tuple(r) for r in await harness.app.db.fetchall(f"SELECT * FROM {t} ORDER BY 1")] for t in tables}


async def every_table(harness, but: tuple[str, ...] = ()) -> tuple[str, ...]:
    """All tables of the database except the dialog's own bookkeeping (its state, the updates seen) and `but`."""
    rows = await harness.app.db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        if harness.app.db.dialect == "sqlite" else
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    skipped = {"fsm", "inbox", "reprompts", "schema_migrations", *but}
    return tuple(r[0] for r in rows if r[0] not in skipped)
