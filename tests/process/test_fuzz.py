"""Random and malformed updates from chairs, an admin and strangers never break the bot and never
switch a user's language (the drill with 10,000 updates: `python -m bench --fuzz`)."""
from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import pytest
from aiogram.types import Update
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.fuzz import KK_CHAIR, RU_CHAIR, FuzzSession, actions, language_problem, menu_labels
from bot.i18n import make_i18n
from bot.telegram.errors import SORRY

LABELS = menu_labels()


async def play(items):
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        session = await FuzzSession.create(Path(folder))
        try:
            return await session.play(items)
        finally:
            await session.close()


@pytest.mark.slow
@settings(max_examples=15, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(actions(LABELS), min_size=60, max_size=70))
def test_random_updates_are_handled_in_the_senders_language(items):
    report = asyncio.run(play(items))
    assert report.updates == len(items)
    assert report.errors == []
    assert report.wrong_language == []


def test_a_failing_handler_is_caught_by_the_fuzz_checks():
    """The checks can fail: an update that breaks inside the dispatcher is reported."""

    async def scenario():
        with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
            session = await FuzzSession.create(Path(folder))

            async def explode(handler, event: Update, data):
                if event.message and event.message.text == "boom":
                    raise RuntimeError("boom")
                return await handler(event, data)

            session.harness.dp.update.outer_middleware(explode)
            try:
                return await session.play([
                    {"sender": KK_CHAIR, "language": "kk", "kind": "text", "text": "boom"},
                    {"sender": RU_CHAIR, "language": "ru", "kind": "text", "text": "hello"}])
            finally:
                await session.close()

    report = asyncio.run(scenario())
    assert len(report.errors) == 1 and "boom" in report.errors[0]
    assert report.replies_checked >= 2  # the apology in Kazakh and the answer to "hello" in Russian


def test_the_language_check_tells_kazakh_from_russian():
    i18n = make_i18n()
    kk, ru = i18n.gettext(SORRY, locale="kk"), i18n.gettext(SORRY, locale="ru")
    assert language_problem(kk, "kk", []) is None
    assert language_problem(ru, "ru", []) is None
    assert language_problem(ru, "kk", []) == "no Kazakh letters in a Kazakh reply"
    assert language_problem(kk, "ru", []) == "Kazakh letters in a Russian reply"
    # What the user typed and proper names are not the bot's language.
    assert language_problem("Организация Құтарыс зарегистрирована", "ru", ["Құтарыс"]) is None
