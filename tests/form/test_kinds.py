"""The field kinds on their own: parsing and the rules of each type (pure functions, no Telegram)."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.config import Form, FormField, Localized, Option, load_config
from bot.form import engine, render
from bot.form.kinds import KINDS, kind_of, multi, text
from bot.form.kinds import int as int_kind
from bot.form.kinds.base import Answer, Button, Invalid, Kind, Reply, option_at
from bot.form.kinds.photos import add_photo
from bot.form.render import ReportCb
from bot.i18n import make_i18n
from tests.support.paths import REPO


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


def choice_field(required: bool = True) -> FormField:
    return FormField(key="sector", type="choice", label=Localized(kk="Сала", ru="Сфера"), required=required,
                     options=(Option(key="social", kk="Әлеуметтік сала", ru="Социальная сфера"),
                              Option(key="business", kk="Бизнес", ru="Бизнес")))


@pytest.fixture
def in_kazakh():
    """Buttons and hints are translated in the update's locale."""
    i18n = make_i18n()
    with i18n.context(), i18n.use_locale("kk"):
        yield


def test_a_choice_takes_one_option_by_its_button(in_kazakh):
    field = choice_field(required=False)
    kind = kind_of(field)
    assert kind.press(field, "pick", 1, None) == Answer("business")
    assert kind.press(field, "pick", 7, None) is None  # a forged index
    assert kind.press(field, "skip", -1, "social") == Answer(None)
    assert kind_of(choice_field()).press(choice_field(), "skip", -1, None) is None  # required: no «Skip»
    assert isinstance(kind.parse(field, Reply(text="Бизнес"), None), Invalid)  # typed, not pressed
    assert kind.is_complete(field, None) and not kind_of(choice_field()).is_complete(choice_field(), None)
    assert kind.cell(field, "social", "ru") == "Социальная сфера"
    rows = kind.buttons(field, "social", "kk")
    assert [[(b.label, b.action, b.index) for b in row] for row in rows] == [
        [("✅ Әлеуметтік сала", "pick", 0)], [("Бизнес", "pick", 1)], [("⏭ Өткізу", "skip", -1)]]


@pytest.mark.parametrize("fields, message", [
    ({"type": "choice"}, "needs options"),
    ({"type": "int", "options": [{"key": "a", "kk": "А", "ru": "А"}]}, "cannot have options"),
    ({"type": "text", "lte": "members_total"}, "lte only applies"),
    ({"type": "int", "min": 5, "max": 1}, "min is greater than max"),
    ({"type": "multi", "options": [{"key": "a", "kk": "А", "ru": "А"}] * 2}, "option keys repeat"),
    ({"type": "yesno"}, "unknown field type 'yesno': expected one of int, text, choice, multi, photos"),
])
def test_each_kind_checks_its_own_config_keys(fields, message):
    with pytest.raises(ValidationError, match=message):
        FormField.model_validate({"key": "x", "label": {"kk": "X", "ru": "X"}, **fields})


class YesNo(Kind):
    """A new type for the test: one module like this, registered in KINDS."""
    name = "yesno"

    def press(self, field, action, index, value):
        return Answer(action == "yes") if action in ("yes", "no") else None

    def buttons(self, field, value, locale):
        return [[Button("Иә" if locale == "kk" else "Да", "yes"), Button("Жоқ" if locale == "kk" else "Нет", "no")]]

    def hint(self, field, value):
        return "?"

    def is_complete(self, field, value):
        return isinstance(value, bool)


def test_a_new_type_is_one_kind_registered(monkeypatch, in_kazakh):
    monkeypatch.setitem(KINDS, "yesno", YesNo())
    field = FormField.model_validate({"key": "deputy", "type": "yesno", "label": {"kk": "Депутат", "ru": "Депутат"}})
    form = Form(fields=(field,))
    answers = {"deputy": False}
    assert engine.is_answered(field, answers) and engine.next_key(form, None, answers) is None
    keyboard = render.question_keyboard(form, field, {}, "ru")
    assert [b.text for b in keyboard.inline_keyboard[0]] == ["Да", "Нет"]
    assert ReportCb.unpack(keyboard.inline_keyboard[0][0].callback_data) == ReportCb(action="yes", key="deputy")
