"""Kazakh alphabetical order (domain.md) for lists and exports, in both languages."""
from __future__ import annotations

from bot.domain.collation import ALPHABET, collation_key

DOMAIN_ORDER = "А Ә Б В Г Ғ Д Е Ё Ж З И Й К Қ Л М Н Ң О Ө П Р С Т У Ұ Ү Ф Х Һ Ц Ч Ш Щ Ъ Ы І Ь Э Ю Я"


def test_the_alphabet_is_domain_mds():
    assert DOMAIN_ORDER.replace(" ", "").lower() == ALPHABET
    shuffled = sorted(DOMAIN_ORDER.split(), key=lambda c: hash(c))
    assert sorted(shuffled, key=collation_key) == DOMAIN_ORDER.split()


def test_issue_12_names_sort_as_in_kazakh():
    names = ["Манкент", "Қайнарбұлақ", "Құтарыс", "Аудандық", "Ақбұлақ", "Кемел"]
    assert sorted(names) != sorted(names, key=collation_key)  # code points put Қ after М
    assert sorted(names, key=collation_key) == ["Ақбұлақ", "Аудандық", "Кемел", "Қайнарбұлақ", "Құтарыс",
                                                "Манкент"]


def test_case_spaces_digits_and_punctuation():
    assert sorted(["аудандық", "Аудан 02", "Аудан"], key=collation_key) == ["Аудан", "Аудан 02", "аудандық"]
    assert sorted(["«Бақытты отбасы»", "Ауыл"], key=collation_key) == ["Ауыл", "«Бақытты отбасы»"]
    assert sorted(["Мектеп №5", "Мектеп 4", "Zeta", "Альфа", "1-мектеп"], key=collation_key) == [
        "1-мектеп", "Zeta", "Альфа", "Мектеп 4", "Мектеп №5"]
    assert sorted(["Ёлка", "Ель", "Жұлдыз"], key=collation_key) == ["Ель", "Ёлка", "Жұлдыз"]
    assert sorted(["Ыбырай", "Іле", "Ь"], key=collation_key) == ["Ыбырай", "Іле", "Ь"]
