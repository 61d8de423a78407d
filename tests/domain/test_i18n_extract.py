"""The translation check reads the code with Babel's extractor: `_()` inside f-strings and calls over
several lines are seen, and a message seen there but missing from the catalogs fails the check."""
from __future__ import annotations

from pathlib import Path

from bot.i18n_tools import extract, problems

SOURCE = '''
from aiogram.utils.i18n import gettext as _, ngettext


def label(phone, n):
    head = f"{_('Phone')}: {phone or _('no phone at all')}"
    tail = f"""{
        _("a call inside a multi-line f-string")
    }"""
    nested = f"""{f'{_("nested inside")}'}"""
    body = _(
        "one message "
        "over two lines"
    )
    count = ngettext(
        "{n} organization",
        "{n} organizations",
        n,
    )
    return head, tail, nested, body, count
'''


def test_calls_inside_f_strings_and_over_several_lines_are_extracted(tmp_path: Path):
    (tmp_path / "labels.py").write_text(SOURCE, encoding="utf-8")
    found = extract([tmp_path])
    assert found == {
        "Phone": ("Phone",),
        "no phone at all": ("no phone at all",),
        "a call inside a multi-line f-string": ("a call inside a multi-line f-string",),
        "nested inside": ("nested inside",),
        "one message over two lines": ("one message over two lines",),
        "{n} organization": ("{n} organization", "{n} organizations"),
    }


def test_a_message_only_inside_an_f_string_fails_the_check_until_translated(tmp_path: Path):
    (tmp_path / "notice.py").write_text('def notice(x):\n    return f"{x}: {_(\'Never translated anywhere\')}"\n',
                                        encoding="utf-8")
    found = problems(folders=[tmp_path])
    assert found == ["kk: missing 'Never translated anywhere'", "ru: missing 'Never translated anywhere'"]
