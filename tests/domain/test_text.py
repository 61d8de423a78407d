"""bot/domain/text.py: the one normalization of user and file text, safe spreadsheet cells, and
HTML messages split for Telegram without breaking a tag or an entity."""
from __future__ import annotations

import unicodedata
from html import escape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.text import UnsafeText, normalize_text, normalize_with_offsets, safe_cell, split_message
from bot.sandbox.apihtml import parse_html


def plain(html: str) -> str:
    """What Telegram shows of a part; fails like Telegram ("can't parse entities") on bad HTML."""
    return parse_html(html)[0]


def assert_joins_back(original: str, parts: list[str]) -> None:
    """The parts' texts, in order, are the original's, with at most a dropped blank line, newline or
    space before a part (Telegram trims a message's leading and trailing white space anyway)."""
    whole, position = plain(original), 0
    for index, part in enumerate(parts):
        text = plain(part)
        separators = ("", " ", "\n", "\n\n")
        for separator in separators:
            if whole.startswith(separator + text, position):
                position += len(separator) + len(text)
                break
        else:
            raise AssertionError(f"part {index} {text[:40]!r} does not follow at {position}: {whole[position:][:40]!r}")
    assert position == len(whole)


# Normalization -----------------------------------------------------------------------------------

def test_decomposed_text_is_composed():
    decomposed = unicodedata.normalize("NFD", "Әбділдә Қайрат Ёлкин Йосиф")
    assert decomposed != "Әбділдә Қайрат Ёлкин Йосиф"
    assert normalize_text(decomposed) == "Әбділдә Қайрат Ёлкин Йосиф"


@pytest.mark.parametrize("bad", ["\x0b", "\x1b", "\x00", "\x7f", "\x85", "\u202e", "\ufffe", "\ud800"])
def test_control_characters_are_refused(bad):
    with pytest.raises(UnsafeText) as error:
        normalize_text(f"Асанов{bad} Айбек")
    assert error.value.code == f"U+{ord(bad):04X}"


def test_tab_newline_and_carriage_return():
    assert normalize_text("a\tb\nc") == "a\tb\nc"
    assert normalize_text("a\r\nb\rc") == "a\nb\nc"      # a carriage return is a line break: kept as \n


def test_positions_follow_the_normalized_text():
    name = unicodedata.normalize("NFD", "Әй")                      # 3 code units, 2 once composed
    text = f"😀 {name} <{name}> end"                                 # the emoji is 2 UTF-16 code units
    clean, (start, end) = normalize_with_offsets(text, [3 + 4, 3 + 4 + 5])
    assert clean == "😀 Әй <Әй> end"
    assert clean.encode("utf-16-le")[2 * start:2 * end].decode("utf-16-le") == "<Әй>"


# Spreadsheet cells -------------------------------------------------------------------------------

def test_cells_lose_illegal_characters_and_formulas():
    assert safe_cell("Құтарыс\x0b\x1b") == "Құтарыс\ufffd\ufffd"
    assert safe_cell('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert safe_cell("+77010000001") == "+77010000001" and safe_cell("-1") == "-1"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)" and safe_cell(5) == 5 and safe_cell(None) is None


def test_an_xlsx_formula_stays_text():
    from openpyxl import Workbook

    sheet = Workbook(write_only=True).create_sheet("x")
    cell = safe_cell("=1+1", sheet)
    assert cell.value == "=1+1" and cell.data_type == "s"


# Splitting ---------------------------------------------------------------------------------------

def test_a_long_bold_answer_is_closed_and_reopened():
    # A report view line: a text answer of 1000 «&» is 5000 characters of HTML inside <b>…</b>.
    line = "5. Кратко о главных мероприятиях: <b>" + escape("& " * 500 + "&" * 1000) + "</b>"
    text = "<b>Отчёт за октябрь 2026</b> сдан.\n\n" + line + "\n\n<i>Изменить уже нельзя.</i>"
    parts = split_message(text)
    assert len(parts) >= 2 and all(len(p) <= 4096 for p in parts)
    assert all(p.count("<b>") == p.count("</b>") for p in parts)
    assert_joins_back(text, parts)
    assert not any("&am" in p.replace("&amp;", "") for p in parts)   # never inside &amp;


def test_nested_elements_and_links_are_reopened():
    text = '<blockquote><a href="https://example.org/?a=1&amp;b=2">' + "слово " * 40 + "</a></blockquote>"
    parts = split_message(text, limit=120)
    assert len(parts) > 2
    for part in parts:
        assert part.startswith('<blockquote><a href="https://example.org/?a=1&amp;b=2">')
        assert part.endswith("</a></blockquote>") and len(part) <= 120
    assert_joins_back(text, parts)


def test_emoji_count_twice():
    text = "😀" * 100
    parts = split_message(text, limit=50)
    assert parts == ["😀" * 25] * 4


def test_a_word_longer_than_the_limit_is_cut_between_entities():
    text = "<code>" + "&lt;" * 100 + "</code>"
    parts = split_message(text, limit=50)
    assert all(len(p) <= 50 and p.startswith("<code>") and p.endswith("</code>") for p in parts)
    assert_joins_back(text, parts)


TAGS = ["b", "i", "u", "s", "code", "tg-spoiler", ("span", ' class="tg-spoiler"'), ("a", ' href="https://t.me/x"'),
        "blockquote", ("blockquote", " expandable"), "pre", "em", "strong"]
WORDS = st.text(alphabet="абвгдқәAB&<>\"' \n😀", min_size=1, max_size=30).map(escape)


def elements(depth: int = 0) -> st.SearchStrategy[str]:
    if depth >= 3:
        return WORDS
    return st.one_of(WORDS, st.tuples(st.sampled_from(TAGS), st.lists(elements(depth + 1), max_size=4)).map(
        lambda item: _element(*item)))


def _element(tag, children: list[str]) -> str:
    name, attrs = (tag, "") if isinstance(tag, str) else tag
    return f"<{name}{attrs}>{''.join(children)}</{name}>"


def check_split(text: str, limit: int) -> None:
    if not plain(text).strip():
        return
    parts = split_message(text, limit=limit)
    for part in parts:
        assert len(part.encode("utf-16-le")) // 2 <= limit            # Telegram counts UTF-16 code units
        assert plain(part).strip(), f"an empty part: {part!r}"   # parse_html raises on a broken tag
    assert_joins_back(text, parts)
    if len(text.encode("utf-16-le")) // 2 <= limit:
        assert parts == [text]


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.lists(elements(), min_size=1, max_size=40).map("".join), st.integers(min_value=150, max_value=400))
def test_every_part_is_well_formed_and_the_parts_join_back(text, limit):
    # (150 leaves room for the deepest nesting drawn here, three elements, around one character.)
    check_split(text, limit)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(st.lists(elements(), min_size=20, max_size=200).map("".join), st.integers(min_value=512, max_value=900))
def test_long_limits_cut_by_words_and_still_join_back(text, limit):
    # From 512 on, short words are single units (bot/domain/text.py, _COARSE_UNIT).
    check_split(text, limit)


def test_an_export_with_a_control_character_still_opens():
    import io

    from openpyxl import load_workbook

    from bot.features.export.workbook import Sheet, to_csv, to_xlsx

    sheet = Sheet("Отчёты", ["Район", "Организация", "Кратко"],
                  [["Сайрам\x0b", '=HYPERLINK("http://x","y")', "итог\x1b"]])
    book = load_workbook(io.BytesIO(to_xlsx([sheet])))
    row = [c for c in next(book.active.iter_rows(min_row=2))]
    assert [c.value for c in row] == ["Сайрам\ufffd", '=HYPERLINK("http://x","y")', "итог\ufffd"]
    assert row[1].data_type == "s"
    assert "'=HYPERLINK" in to_csv(sheet).decode("utf-8-sig")


def test_every_catalog_is_nfc_so_normalized_texts_match_button_labels():
    # The door makes every user text NFC: a label typed back (a reply-keyboard button) must be NFC too.
    from bot.config import LOCALES
    from bot.i18n import read_catalog

    checked = 0
    for locale in LOCALES:
        for message in read_catalog(locale):
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for text in strings:
                assert unicodedata.normalize("NFC", text) == text, (locale, message.id)
                checked += 1
    assert checked > 500
