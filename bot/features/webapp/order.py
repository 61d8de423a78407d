"""Kazakh alphabetical order for the dashboard's lists (Russian letters keep their order inside it)."""
from __future__ import annotations

ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
_RANK = {letter: index for index, letter in enumerate(ALPHABET)}


def kazakh_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key: Cyrillic letters by their place in the Kazakh alphabet, before anything else
    (digits, Latin letters, signs), which keep their own order."""
    return tuple((0, _RANK[ch]) if ch in _RANK else (1, ch) for ch in text.casefold())
