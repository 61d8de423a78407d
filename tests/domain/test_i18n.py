"""Every message of the code exists in kk and ru, none fuzzy; plural forms are right."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.i18n import make_i18n, read_catalog
from bot.i18n_tools import extract, problems

ATTEMPTS = ("There is no organization with this code. Check it and send it again ({n} attempt left this hour).",
            "There is no organization with this code. Check it and send it again ({n} attempts left this hour).")


def test_no_message_is_missing_empty_or_fuzzy():
    assert extract(), "the extractor found no messages at all"
    assert problems() == []


def test_the_check_catches_a_missing_and_a_fuzzy_translation(tmp_path: Path):
    for locale in ("kk", "ru"):
        src = Path("locales") / locale / "LC_MESSAGES"
        dst = tmp_path / locale / "LC_MESSAGES"
        dst.mkdir(parents=True)
        for po in src.glob("*.po"):
            text = po.read_text(encoding="utf-8")
            if locale == "kk":
                text = text.replace('msgstr "Тіл ауыстырылды."', 'msgstr ""')
                text = text.replace('msgid "Skip"', '#, fuzzy\nmsgid "Skip"')
            (dst / po.name).write_text(text, encoding="utf-8")
    found = problems(tmp_path)
    assert "kk: empty 'The language is changed.'" in found
    assert "kk: fuzzy 'Skip'" in found
    assert not [p for p in found if p.startswith("ru:")]


@pytest.mark.parametrize("n, expected", [
    (1, "осталась 1 попытка"), (2, "осталось 2 попытки"), (5, "осталось 5 попыток"), (21, "осталась 21 попытка"),
])
def test_russian_plural_forms(n, expected):
    i18n = make_i18n()
    assert expected in i18n.gettext(*ATTEMPTS, n=n, locale="ru").format(n=n)


@pytest.mark.parametrize("n", [1, 2, 5, 21])
def test_kazakh_plural_forms(n):
    i18n = make_i18n()
    assert f"{n} мүмкіндік қалды" in i18n.gettext(*ATTEMPTS, n=n, locale="kk").format(n=n)


@pytest.mark.parametrize("locale, count", [("kk", 2), ("ru", 3)])
def test_plural_headers(locale, count):
    assert read_catalog(locale).num_plurals == count
