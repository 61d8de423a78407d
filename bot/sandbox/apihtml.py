"""Telegram's parse_mode=HTML as the local Bot API server reads it: plain text and entities."""
from __future__ import annotations

import re

from .apimodels import ApiError, Json, bad


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


_SIMPLE_TAGS = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
                "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
                "tg-spoiler": "spoiler", "code": "code", "pre": "pre", "blockquote": "blockquote",
                "a": "text_link", "span": "spoiler", "tg-emoji": "custom_emoji"}
_ATTR = re.compile(r"""([a-zA-Z_-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_ENTITY = re.compile(r"&(#\d{1,7}|#x[0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def parse_html(text: str) -> tuple[str, list[Json]]:
    """Telegram's parse_mode=HTML, lightly: (plain text, entities) or ApiError 400 "can't parse entities"."""

    def fail(reason: str) -> ApiError:
        return bad(f"can't parse entities: {reason}")

    def byte_offset(i: int) -> int:
        return len(text[:i].encode())

    out: list[str] = []
    pos = 0  # UTF-16 length of out
    stack: list[tuple[str, int, Json]] = []
    entities: list[Json] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "<":
            end = text.find(">", i)
            if end < 0:
                raise fail(f"Unclosed start tag at byte offset {byte_offset(i)}")
            inner = text[i + 1:end].strip()
            if inner.startswith("/"):
                name = inner[1:].strip().lower()
                if not stack:
                    raise fail(f"Unexpected end tag at byte offset {byte_offset(i)}")
                open_name, start, extra = stack.pop()
                if name != open_name:
                    raise fail(f'Unmatched end tag at byte offset {byte_offset(i)}, expected "</{open_name}>", '
                               f'found "</{name}>"')
                if pos > start:
                    entities.append({"type": extra.pop("type"), "offset": start, "length": pos - start, **extra})
            else:
                m = re.match(r"([a-zA-Z][\w-]*)(.*)$", inner, re.S)
                name = m.group(1).lower() if m else inner
                if name not in _SIMPLE_TAGS:
                    raise fail(f'Unsupported start tag "{name}" at byte offset {byte_offset(i)}')
                rest = m.group(2) if m else ""
                attrs = {a.lower(): b or c or d for a, b, c, d in _ATTR.findall(rest)}
                extra = {"type": _SIMPLE_TAGS[name]}
                if name == "span" and attrs.get("class") != "tg-spoiler":
                    raise fail(f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(i)}')
                if name == "a":
                    if not attrs.get("href"):
                        raise fail(f"Can't find href attribute at byte offset {byte_offset(i)}")
                    extra["url"] = attrs["href"]
                if name == "tg-emoji":
                    extra["custom_emoji_id"] = attrs.get("emoji-id", "")
                if name == "blockquote" and "expandable" in rest.lower():
                    extra["type"] = "expandable_blockquote"
                if name == "code" and stack and stack[-1][0] == "pre" and attrs.get("class", "").startswith(
                        "language-"):
                    stack[-1][2]["language"] = attrs["class"][len("language-"):]
                stack.append((name, pos, extra))
            i = end + 1
            continue
        if ch == "&" and (m := _ENTITY.match(text, i)):
            ref = m.group(1)
            ch = _NAMED.get(ref) or chr(int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:]))
            i = m.end()
        else:
            i += 1
        out.append(ch)
        pos += utf16_len(ch)
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities
