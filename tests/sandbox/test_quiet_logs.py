"""In the sandbox the INFO records of every update and job (aiogram, APScheduler, migrations) are DEBUG
records: dropped at the usual INFO level, shown as DEBUG with BASTAU_LOG_LEVEL=DEBUG; others untouched."""
from __future__ import annotations

import io
import logging

import pytest

from bot.logs import SANDBOX_QUIET, DemoteInfo


@pytest.fixture
def root_level():
    root = logging.getLogger()
    level = root.level
    yield root.setLevel
    root.setLevel(level)


def written(records: list[tuple[str, int, str]]) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(DemoteInfo(SANDBOX_QUIET))
    for name, level, text in records:
        handler.handle(logging.LogRecord(name, level, __file__, 1, text, None, None))
    return stream.getvalue()


RECORDS = [("aiogram.event", logging.INFO, "Update id=5 is handled. Duration 3 ms by bot id=1"),
           ("apscheduler.executors.default", logging.INFO, "Running job"),
           ("db.sqlite", logging.INFO, "applied migration 0001_core.sql"),
           ("aiogram.dispatcher", logging.WARNING, "Sleep for 1 second and try again"),
           ("aiogramx", logging.INFO, "another library"),
           ("bot.sandbox.runner", logging.INFO, "kept")]


def test_per_update_info_is_dropped_at_info(root_level):
    root_level(logging.INFO)
    assert written(RECORDS) == ("WARNING aiogram.dispatcher: Sleep for 1 second and try again\n"
                                "INFO aiogramx: another library\nINFO bot.sandbox.runner: kept\n")


def test_with_debug_logging_it_is_shown_as_debug(root_level):
    root_level(logging.DEBUG)
    assert written(RECORDS).splitlines()[:3] == [
        "DEBUG aiogram.event: Update id=5 is handled. Duration 3 ms by bot id=1",
        "DEBUG apscheduler.executors.default: Running job", "DEBUG db.sqlite: applied migration 0001_core.sql"]
