"""Developer tool for the catalogs.

  python -m bot.i18n_tools missing   # prints .po entries for messages no catalog has yet
  python -m bot.i18n_tools check     # exit 1 on any missing, empty or fuzzy translation
  python -m bot.i18n_tools add DOMAIN FILE.json
      # appends entries [{"id": ..., "plural": ... (optional), "kk": str|[forms], "ru": str|[forms]}]
      # to locales/{kk,ru}/LC_MESSAGES/DOMAIN.po, creating the files with a header if needed
"""
from __future__ import annotations

import ast
import io
import sys
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from babel.messages.extract import extract_from_dir, extract_python

from bot.config import LOCALES
from bot.i18n import LOCALES_DIR, read_catalog

SOURCE_DIRS = [Path(__file__).resolve().parent]
KEYWORDS = {"_": None, "gettext": None, "__": None, "lazy_gettext": None, "N_": None,
            "ngettext": (1, 2), "lazy_ngettext": (1, 2)}
# Before 3.12 an f-string is one token to Babel's Python extractor, so `_()` inside it goes unseen.
FSTRINGS_ARE_TOKENIZED = sys.version_info >= (3, 12)


Extracted = tuple[int, str | tuple[str, ...], list[str], str | None]  # line, message, comments, context


def extract_python_and_fstrings(fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str],
                                options: Any) -> Iterator[Extracted]:
    """Babel's Python extractor, and the same extractor run on each expression inside an f-string."""
    yield from extract_python(fileobj, keywords, comment_tags, options)
    if FSTRINGS_ARE_TOKENIZED:
        return
    fileobj.seek(0)
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FormattedValue) or not _calls_a_keyword(node.value, keywords):
            continue
        segment = ast.get_source_segment(source, node.value)
        if segment is None:
            continue
        # The expression alone: a call broken over lines is wrapped in parentheses to stay valid.
        inner = extract_python(io.BytesIO(f"({segment})".encode()), keywords, comment_tags, options)
        for lineno, message, comments, context in inner:
            yield node.value.lineno + lineno - 1, message, comments, context


def _calls_a_keyword(expression: ast.expr, keywords: Mapping[str, Any]) -> bool:
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in keywords
               for n in ast.walk(expression))


def extract(folders: list[Path] = SOURCE_DIRS) -> dict[str, tuple[str, ...]]:
    """msgid -> its forms ((singular,) or (singular, plural)) for every message in the code."""
    found: dict[str, tuple[str, ...]] = {}
    for folder in folders:
        for _file, _line, message, _comments, _context in extract_from_dir(
                folder, method_map=[("**.py", "bot.i18n_tools:extract_python_and_fstrings")], keywords=KEYWORDS):
            forms = message if isinstance(message, tuple) else (message,)
            if forms[0]:
                found[forms[0]] = tuple(f for f in forms if f)
    return found


def problems(path: Path = LOCALES_DIR, folders: list[Path] = SOURCE_DIRS) -> list[str]:
    """Every message of the code that a language lacks, leaves empty, or marks fuzzy."""
    messages = extract(folders)
    out = []
    for locale in LOCALES:
        catalog = read_catalog(locale, path)
        for msgid, forms in sorted(messages.items()):
            entry = catalog.get(msgid)
            if entry is None:
                out.append(f"{locale}: missing {msgid!r}")
            elif entry.fuzzy:
                out.append(f"{locale}: fuzzy {msgid!r}")
            elif len(forms) > 1 and (not isinstance(entry.string, tuple)
                                     or len(entry.string) != catalog.num_plurals or not all(entry.string)):
                out.append(f"{locale}: plural forms incomplete for {msgid!r}")
            elif not entry.string or (isinstance(entry.string, tuple) and not all(entry.string)):
                out.append(f"{locale}: empty {msgid!r}")
    return out


def _po_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def missing_stub(locale: str) -> str:
    catalog = read_catalog(locale)
    chunks = []
    for msgid, forms in sorted(extract().items()):
        if catalog.get(msgid) is not None:
            continue
        if len(forms) > 1:
            n = catalog.num_plurals
            plural = "".join(f"msgstr[{i}] \"\"\n" for i in range(n))
            chunks.append(f"msgid {_po_string(forms[0])}\nmsgid_plural {_po_string(forms[1])}\n{plural}")
        else:
            chunks.append(f"msgid {_po_string(msgid)}\nmsgstr \"\"\n")
    return "\n".join(chunks)


PLURAL_FORMS = {
    "kk": "nplurals=2; plural=(n != 1);",
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
          "(n%100<10 || n%100>=20) ? 1 : 2);",
}


def _header(locale: str, domain: str) -> str:
    return (f'# Bastau, catalog "{domain}" ({locale}).\nmsgid ""\nmsgstr ""\n'
            f'"Project-Id-Version: bastau\\n"\n"Language: {locale}\\n"\n"MIME-Version: 1.0\\n"\n'
            f'"Content-Type: text/plain; charset=UTF-8\\n"\n"Content-Transfer-Encoding: 8bit\\n"\n'
            f'"Plural-Forms: {PLURAL_FORMS[locale]}\\n"\n\n')


def add_entries(domain: str, entries: list[dict]) -> None:
    for locale in LOCALES:
        path = LOCALES_DIR / locale / "LC_MESSAGES" / f"{domain}.po"
        text = path.read_text(encoding="utf-8") if path.exists() else _header(locale, domain)
        for entry in entries:
            value = entry[locale]
            if entry.get("plural"):
                forms = "".join(f"msgstr[{i}] {_po_string(v)}\n" for i, v in enumerate(value))
                text += f"msgid {_po_string(entry['id'])}\nmsgid_plural {_po_string(entry['plural'])}\n{forms}\n"
            else:
                text += f"msgid {_po_string(entry['id'])}\nmsgstr {_po_string(value)}\n\n"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "add":
        import json

        add_entries(argv[1], json.loads(Path(argv[2]).read_text(encoding="utf-8")))
        return 0
    if command == "missing":
        for locale in LOCALES:
            print(f"# ---- {locale} ----")
            print(missing_stub(locale))
        return 0
    found = problems()
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
