"""The Mini App's form answers go through the same normalization as the chat's (bot/domain/text.py)."""
from __future__ import annotations

import unicodedata

from tests.support.webapp_world import MEKTEP_CHAIR


async def put(api, user_id: int, key: str, value):
    response = await api.client.put(f"/app/api/form/{key}", headers=api.headers(user_id), json={"value": value})
    return response.status, await response.json()


async def test_a_control_character_in_a_page_answer_is_refused_and_nothing_saved(api, harness, world):
    status, body = await put(api, MEKTEP_CHAIR, "events_summary", "Жиналыс\x1b[31m өтті")
    assert status == 422 and body["key"] == "events_summary" and "невидимый служебный символ" in body["error"]
    draft = await harness.app.repos.reports.get_draft(world["mektep"], "2026-11")
    assert draft is None or "events_summary" not in draft.answers


async def test_a_decomposed_page_answer_is_stored_composed(api, harness, world):
    text = "Йолдасбеков ағайдың кездесуі"
    assert await put(api, MEKTEP_CHAIR, "events_summary", unicodedata.normalize("NFD", text)) == (
        200, {"key": "events_summary", "value": text})
