"""Text hygiene, one place for it: every text from a user or a file is normalized at the door
(`normalize_text`), every cell written to a spreadsheet is made safe (`safe_cell`), and long HTML
messages are cut to Telegram's limit without breaking a tag or an entity (`split_message`)."""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import cache
from itertools import pairwise
from typing import Any, NamedTuple

TELEGRAM_LIMIT = 4096

# Characters refused in any text: C0 and C1 control characters (not tab and newline; a carriage
# return is turned into a newline instead), lone surrogates and the noncharacters U+FFFE and U+FFFF
# (invisible in a chat; the C0 ones, surrogates and noncharacters cannot even be stored in an XLSX
# file), and the bidi embedding, override and isolate controls that make a name display in another
# order. db/queries/orgs.py drops the same set when it matches names stored before this check.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")
# What an XLSX file (XML 1.0) cannot hold at all.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_PLAIN_NUMBER = re.compile(r"[\d ()-]*")


class UnsafeText(ValueError):
    """The text holds a character that is refused; `character` is the first of them."""

    def __init__(self, character: str) -> None:
        self.character = character
        super().__init__(f"unsafe character U+{ord(character):04X}")

    @property
    def code(self) -> str:
        return f"U+{ord(self.character):04X}"


def normalize_text(text: str) -> str:
    """The one normalization of user and file text: Unicode NFC (a name typed in decomposed form
    matches the same name typed composed), line breaks as \\n. Raises UnsafeText when the text
    holds a control character other than tab and newline (or another refused character, above)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    found = _UNSAFE.search(text)
    if found:
        raise UnsafeText(found.group())
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def normalize_with_offsets(text: str, cuts: list[int]) -> tuple[str, list[int]]:
    """`normalize_text` for a text with positions in it (message entities, in UTF-16 code units):
    each stretch between two positions is normalized on its own, so the positions still fall
    between the same characters; returns the text and the moved positions."""
    bounds = sorted({0, *cuts, _utf16_len(text)})
    starts: dict[int, int] = {}
    pieces: list[str] = []
    at = 0
    units = text.encode("utf-16-le")
    for low, high in pairwise(bounds):
        starts[low] = at
        piece = normalize_text(units[2 * low:2 * high].decode("utf-16-le", errors="surrogatepass"))
        pieces.append(piece)
        at += _utf16_len(piece)
    starts[bounds[-1]] = at
    return "".join(pieces), [starts[c] for c in cuts]


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


def looks_like_formula(text: str) -> bool:
    """Would a spreadsheet run this text as a formula? (A phone number such as +77010000001 would not.)"""
    return bool(text) and (text[0] in "=@\t\r" or (text[0] in "+-" and not _PLAIN_NUMBER.fullmatch(text[1:])))


def safe_cell(value: Any, sheet: Any = None) -> Any:
    """A value for a spreadsheet cell, for every file the bot writes (report exports, invite codes):
    characters that XLSX cannot hold become U+FFFD, and text that a spreadsheet would run as a
    formula stays text: in CSV (no `sheet`) with a leading apostrophe, in an XLSX write-only
    `sheet` as a cell typed as text. Other values are returned as they are."""
    if not isinstance(value, str):
        return value
    value = _NOT_XML.sub("\ufffd", value)
    if not looks_like_formula(value):
        return value
    if sheet is None:
        return "'" + value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell


# Splitting ---------------------------------------------------------------------------------------

_UNIT = re.compile(r"<[^<>]*>|&#?\w+;|[^<&]|[<&]")
# For a long limit, a short word (a run of up to _WORD characters, then whitespace, a tag, an entity
# or the end) is one unit instead of one per character: a word followed by a separator is never cut
# inside anyway, and a long digest has about a third of the units. A longer run stays a unit per
# character, so it can still be cut between two characters.
_WORD = 24
_COARSE_FROM = 512
_COARSE_UNIT = re.compile(r"<[^<>]*>|&#?\w+;|[^<&\s]{2," + str(_WORD) + r"}+(?![^<&\s])|[^<&]|[<&]")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][\w-]*)")
_BREAKS = (("\n\n", 3), ("\n", 2), (" ", 1))


class _Unit(NamedTuple):  # a named tuple: one per character or short word of a long message, cheap to make
    text: str
    stack: tuple[tuple[str, str], ...]   # the elements open after this unit: (name, opening tag)
    visible: bool                        # a character that shows (not a tag, not whitespace)


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters (counted in UTF-16 code units, as Telegram measures text:
    an emoji counts two, within the limit either way), each well-formed HTML on its own. A cut falls
    between sections (blank lines) where that leaves the piece at least half full, else between lines,
    else at a space, else between two characters; the blank line, newline or space at a cut is
    dropped (Telegram trims it anyway). Never inside a tag or an entity such as &amp;: an element
    open at a cut is closed at the end of the piece and opened again at the start of the next."""
    if _utf16_len(text) <= limit:
        return [text] if text else []
    units = _units(text, _COARSE_UNIT if limit >= _COARSE_FROM else _UNIT)
    sizes = [0]
    seen = [0]
    for unit in units:
        sizes.append(sizes[-1] + (len(unit.text) if unit.text.isascii() else _utf16_len(unit.text)))
        seen.append(seen[-1] + unit.visible)
    parts: list[str] = []
    start = 0
    while seen[start] < seen[-1]:        # what is left shows something (empty elements alone do not)
        before = units[start - 1].stack if start else ()
        opening = "".join(tag for _, tag in before)
        if len(opening) + sizes[-1] - sizes[start] <= limit:
            parts.append(opening + "".join(u.text for u in units[start:]))
            break
        end, skip = _cut(units, sizes, seen, start, limit - len(opening))
        if seen[end] > seen[start]:
            parts.append(opening + "".join(u.text for u in units[start:end]) + _closing(units[end - 1].stack))
        start = end + skip
    return parts


def _cut(units: list[_Unit], sizes: list[int], seen: list[int], start: int, room: int) -> tuple[int, int]:
    """Where the piece from `start` ends (exclusive) and how many separator units are dropped there."""
    def fits(cut: int) -> bool:
        return sizes[cut] - sizes[start] + _closing_len(units[cut - 1].stack) <= room

    # The furthest cut that fits: sizes only grow, so bisect, then step back past closing tags.
    last = max(start, min(len(units) - 1, bisect_right(sizes, sizes[start] + room) - 1))
    while last > start and not fits(last):
        last -= 1
    best: dict[int, tuple[int, int]] = {}
    for cut in range(last, start, -1):
        # Past half of the room, a cut found so far (all at least half full) beats any further back.
        if 3 in best or (best and sizes[cut] - sizes[start] < room // 2):
            break
        if not fits(cut) or seen[cut] == seen[start]:
            continue
        for separator, rank in _BREAKS:
            width = len(separator)
            if rank not in best and cut + width <= len(units) \
                    and all(units[cut + i].text == separator[i] for i in range(width)) \
                    and seen[-1] > seen[cut + width]:
                best[rank] = (cut, width)
                break
    for rank in (3, 2, 1):   # the best kind of cut that leaves the piece at least half full
        if rank in best and sizes[best[rank][0]] - sizes[start] >= room // 2:
            return best[rank]
    for rank in (3, 2, 1):
        if rank in best:
            return best[rank]
    for cut in range(last, start, -1):
        if fits(cut) and seen[start] < seen[cut] < seen[-1]:
            return cut, 0
    for cut in range(last, start, -1):   # only empty elements on one side: that piece is dropped
        if fits(cut):
            return cut, 0
    raise ValueError(f"a limit of {room} leaves no room for the text inside its open elements")


def _units(text: str, pattern: re.Pattern[str]) -> list[_Unit]:
    units = []
    stack: tuple[tuple[str, str], ...] = ()
    for match in pattern.finditer(text):
        piece = match.group()
        if piece.startswith("<") and len(piece) > 1:
            name = _TAG_NAME.match(piece)
            if name and piece.startswith("</"):
                stack = stack[:-1]
            elif name and not piece.endswith("/>"):
                stack = (*stack, (name.group(1).lower(), piece))
            units.append(_Unit(piece, stack, False))
        else:
            units.append(_Unit(piece, stack, not piece.isspace()))
    return units


@cache
def _closing(stack: tuple[tuple[str, str], ...]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def _closing_len(stack: tuple[tuple[str, str], ...]) -> int:
    return len(_closing(stack))
