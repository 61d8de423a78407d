"""The form engine on its own: parsing, rules, navigation (pure functions, no Telegram)."""
from __future__ import annotations

import pytest

from bot.config import Form, load_config
from bot.form import engine
from tests.support.paths import REPO


@pytest.fixture(scope="module")
def form() -> Form:
    return load_config(REPO / "config.toml").form


def full_answers() -> dict:
    return {"members_total": 400, "members_joined": 3, "members_left": 1, "events_held": 2,
            "events_summary": None, "deputy_meetings": 4, "appeals_received": 5, "appeals_resolved": 3,
            "projects": [], "trainings": 1, "needs": "A room", "photos": ["p1"]}


def test_resolved_may_not_exceed_received_from_either_side(form):
    answers = {"appeals_received": 5}
    assert engine.cross_check(form, "appeals_resolved", 5, answers) is None
    problem = engine.cross_check(form, "appeals_resolved", 6, answers)
    assert problem.other == "appeals_received" and problem.params == {"other_value": 5}
    # Lowering the bound below an existing answer is refused too, naming the other field.
    problem = engine.cross_check(form, "appeals_received", 2, {"appeals_resolved": 3})
    assert problem.other == "appeals_resolved" and "less than" in problem.msgid


def test_next_question_follows_the_form_and_skips_what_is_answered(form):
    assert engine.next_key(form, None, {}) == "members_total"
    assert engine.next_key(form, "members_total", {"members_total": 1}) == "members_joined"
    # Back to question 1 while at question 3: answering it returns to question 3.
    answers = {"members_total": 1, "members_joined": 2}
    assert engine.next_key(form, "members_total", answers) == "members_left"
    assert engine.next_key(form, "photos", full_answers()) is None


def test_resolved_is_not_asked_when_nothing_was_received(form):
    keys = [f.key for f in form.fields]
    answers = {k: v for k, v in full_answers().items() if keys.index(k) < keys.index("appeals_resolved")}
    answers["appeals_received"] = 0
    assert engine.next_key(form, "appeals_received", answers) == "projects"
    assert engine.previous_key(form, "projects", answers) == "appeals_received"
    assert engine.clean_answers(form, answers)["appeals_resolved"] == 0
    answers["appeals_received"] = 4
    assert engine.next_key(form, "appeals_received", answers) == "appeals_resolved"


def test_previous_question(form):
    assert engine.previous_key(form, "members_total", {}) is None
    assert engine.previous_key(form, "members_joined", {}) == "members_total"
    assert engine.previous_key(form, None, full_answers()) == "photos"


def test_first_problem_before_submitting(form):
    assert engine.first_problem(form, full_answers()) is None
    missing = {k: v for k, v in full_answers().items() if k != "trainings"}
    assert engine.first_problem(form, missing) == ("trainings", None)
    broken = {**full_answers(), "appeals_resolved": 9}
    key, problem = engine.first_problem(form, broken)
    assert key == "appeals_resolved" and problem.other == "appeals_received"


def test_answered_means_complete(form):
    assert engine.is_answered(form.field("events_summary"), {"events_summary": None})
    assert not engine.is_answered(form.field("members_total"), {"members_total": None})
    assert not engine.is_answered(form.field("members_total"), {"members_total": True})
    assert engine.is_answered(form.field("photos"), {"photos": []})


def test_clean_answers_drop_unknown_keys(form):
    stored = engine.clean_answers(form, {**full_answers(), "not_a_field": 1})
    assert "not_a_field" not in stored and stored["members_total"] == 400
