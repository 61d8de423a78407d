"""Long HTML messages cut to Telegram's limit, shared by every feature that may send one."""
from __future__ import annotations

from collections.abc import Iterator

TELEGRAM_LIMIT = 4096


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut between sections (blank lines) where possible,
    else between lines; a section split over messages starts a new message. Lines are complete
    HTML, so a cut never falls inside a tag."""
    chunks: list[str] = []
    current = ""
    for section in text.split("\n\n"):
        for piece in _section_pieces(section, limit):
            candidate = f"{current}\n\n{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                chunks.append(current)
                current = piece
    if current:
        chunks.append(current)
    return chunks


def _section_pieces(section: str, limit: int) -> Iterator[str]:
    if len(section) <= limit:
        yield section
        return
    current = ""
    for line in section.split("\n"):
        for part in _line_parts(line, limit):
            candidate = f"{current}\n{part}" if current else part
            if len(candidate) <= limit:
                current = candidate
            else:
                yield current
                current = part
    if current:
        yield current


def _line_parts(line: str, limit: int) -> Iterator[str]:
    """A single over-long line, cut at spaces outside tags and entities (hard cut as a last resort)."""
    while len(line) > limit:
        cut = limit
        for index in range(limit, 0, -1):
            if line[index] == " " and line.rfind("<", 0, index) <= line.rfind(">", 0, index) \
                    and line.rfind("&", 0, index) <= line.rfind(";", 0, index):
                cut = index
                break
        yield line[:cut]
        line = line[cut:].lstrip(" ")
    if line:
        yield line
