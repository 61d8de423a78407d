"""The field kinds on their own: parsing and the rules of each type (pure functions, no Telegram)."""
from __future__ import annotations

import pytest

from bot.config import Form, load_config
from bot.form.kinds import int as int_kind
from bot.form.kinds import kind_of, multi, text
from bot.form.kinds.base import Answer, Invalid, option_at
from bot.form.kinds.photos import add_photo
from tests.conftest import REPO


@pytest.fixture(scope="module")
def form() -> Form:
    return load_config(REPO / "config.toml").form


@pytest.mark.parametrize("text, expected", [("0", 0), (" 42 ", 42), ("100000", 100000), ("007", 7)])
def test_whole_numbers_in_range_are_accepted(form, text, expected):
    assert int_kind.parse_int(form.field("members_total"), text) == expected


@pytest.mark.parametrize("text, msgid_part", [
    ("abc", "Please send a number"),
    ("😀", "Please send a number"),
    ("", "Please send a number"),
    ("12.5", "whole number"),
    ("12,5", "whole number"),
    ("-3", "cannot be negative"),
    ("100001", "too large"),
    ("1 000", "without spaces"),
    ("1\u00a0000", "without spaces"),
    ("99999999999999999999999", "too large"),
    ("١٢", "Please send a number"),  # Arabic-Indic digits are not taken for ours
])
def test_bad_numbers_are_refused_with_a_reason(form, text, msgid_part):
    result = int_kind.parse_int(form.field("members_total"), text)
    assert isinstance(result, Invalid)
    assert msgid_part in result.msgid


def test_spaced_number_hint_shows_the_digits(form):
    result = int_kind.parse_int(form.field("members_total"), "12 500")
    assert result.params == {"example": "12500"}


def test_an_int_without_max_has_a_sane_upper_bound(form):
    field = form.field("members_joined")
    assert int_kind.parse_int(field, str(int_kind.DEFAULT_INT_MAX)) == int_kind.DEFAULT_INT_MAX
    assert isinstance(int_kind.parse_int(field, str(int_kind.DEFAULT_INT_MAX + 1)), Invalid)


def test_text_is_trimmed_and_limited(form):
    field = form.field("events_summary")
    assert text.parse_text(field, "  Met the veterans  ") == "Met the veterans"
    too_long = text.parse_text(field, "x" * 5000)
    assert isinstance(too_long, Invalid) and too_long.params == {"length": 5000, "max": 1000}
    assert isinstance(text.parse_text(field, "   "), Invalid)
    assert isinstance(text.parse_text(field, None), Invalid)


def test_multi_toggles_keep_the_form_order(form):
    field = form.field("projects")
    chosen = multi.toggle(field, [], "baqytty_otbasy")
    chosen = multi.toggle(field, chosen, "auyl_amanaty")
    assert chosen == ["auyl_amanaty", "baqytty_otbasy"]
    assert multi.toggle(field, chosen, "auyl_amanaty") == ["baqytty_otbasy"]
    assert option_at(field, 1) == "qaryzsyz_qogam"
    assert option_at(field, 99) is None and option_at(field, -1) is None


def test_photos_stop_at_max_count(form):
    field = form.field("photos")
    photos: list[str] = []
    for n in range(field.max_count):
        photos = add_photo(field, photos, f"p{n}")
    assert len(photos) == field.max_count
    refused = add_photo(field, photos, "one-more")
    assert isinstance(refused, Invalid) and refused.params == {"max": field.max_count}
    assert add_photo(form.field("photos"), ["p1"], "p1") == ["p1"]  # the same photo twice counts once


def test_done_on_an_optional_multi_accepts_none(form):
    field = form.field("projects")
    assert kind_of(field).press(field, "done", -1, None) == Answer([])
    required = field.model_copy(update={"required": False})
    assert kind_of(required).press(required, "done", -1, ["auyl_amanaty"]) == Answer(["auyl_amanaty"])
