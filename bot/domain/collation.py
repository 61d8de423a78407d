"""Alphabetical order for Kazakh and Russian lists and exports (domain.md):

    А Ә Б В Г Ғ Д Е Ё Ж З И Й К Қ Л М Н Ң О Ө П Р С Т У Ұ Ү Ф Х Һ Ц Ч Ш Щ Ъ Ы І Ь Э Ю Я

The Kazakh alphabet holds the Russian one in the Russian order with the Kazakh letters put in between,
so one key sorts both languages, and Kazakh names inside Russian lists as domain.md asks. Case is ignored
(then broken by the text itself); spaces come before every letter («Аудан 02» before «Аудандық»); digits
before Latin letters before Cyrillic; punctuation such as «» and № is ignored. Here rather than PyICU: ICU's
kk collation gives the same order but needs the ICU C library on the server, and Babel has no collation.
"""
from __future__ import annotations

import unicodedata

ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
_RANK = {letter: index for index, letter in enumerate(ALPHABET)}
_SPACE, _DIGIT, _LATIN, _CYRILLIC, _OTHER_LETTER = 0, 1, 2, 3, 4


def _weight(char: str) -> tuple[int, int] | None:
    if char.isspace():
        return (_SPACE, 0)
    if char in _RANK:
        return (_CYRILLIC, _RANK[char])
    if char.isdigit():
        return (_DIGIT, ord(char))
    if char.isalpha():
        return (_LATIN if char.isascii() else _OTHER_LETTER, ord(char))
    return None  # punctuation and symbols do not count


def collation_key(text: str) -> tuple[tuple[tuple[int, int], ...], str]:
    """Sort key of a name in Kazakh (and Russian) alphabetical order."""
    folded = unicodedata.normalize("NFC", text).casefold()
    weights = tuple(w for w in (_weight(c) for c in folded) if w is not None)
    return weights, text
