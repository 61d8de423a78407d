"""Drives the chair's report dialog the way a chair would: /report, one answer per question, confirm."""
from __future__ import annotations

import importlib.util

VALUES = {"members_total": "240", "members_joined": "3", "members_left": "1", "events_held": "4",
          "deputy_meetings": "2", "appeals_received": "5", "appeals_resolved": "4", "trainings": "1"}
TEXTS = {"kk": "Ардагерлермен кездесу өтті, 40 адам қатысты.", "ru": "Проведена встреча с ветеранами."}


def report_dialog_available() -> bool:
    if importlib.util.find_spec("bot.features.report.router") is None:
        return False
    from bot.features import feature_routers

    return any(r.name == "bot.features.report.router" for r in feature_routers())


async def file_report(harness, user_id: int, language: str, org: str = "", confirm: bool = True) -> None:
    """A registered chair files the open month's report, answering every question
    (with confirm=False the chair stops at the summary)."""
    from bot.form.render import ReportCb

    chair = harness.client(user_id, language_code=language)
    await chair.send("/report")
    for field in harness.app.config.form.fields:
        if field.type == "int":
            await chair.send(VALUES.get(field.key, "1"))
        elif field.type == "text":
            await chair.send(TEXTS[language])
        elif field.type == "choice":
            await chair.press_data(ReportCb(action="pick", key=field.key, index=0).pack())
        elif field.type == "multi":
            await chair.press_data(ReportCb(action="toggle", key=field.key, index=0).pack())
            await chair.press_data(ReportCb(action="done", key=field.key).pack())
        elif field.type == "photos":
            await chair.send_photo(f"photo-{user_id}")
            await chair.press_data(ReportCb(action="done", key=field.key).pack())
    if not confirm:
        return
    await chair.press_data(ReportCb(action="confirm").pack())
    reply = chair.reply
    assert "✅" in reply, f"the report was not accepted: {reply[:200]}"
