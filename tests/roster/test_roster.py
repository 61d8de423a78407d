"""The roster from CSV: validation with line numbers, all-or-nothing import, invite codes."""
from __future__ import annotations

import csv
import io

import pytest

from bot.features.roster.files import RosterError, parse_rows, read_csv
from db import open_database
from db.queries.orgs import CODE_ALPHABET, CODE_LENGTH
from tests.support.cli import bastau

GOOD = ("district,organization,sector,members\nСайрам ауданы,Құтарыс,social,400\n"
        "Сайрам ауданы,Қайнарбұлақ,agriculture,500\n")


@pytest.mark.parametrize("text, line, reason", [
    ("district;organization\n", 1, "header"),
    ("district,organization,sector,members\n,Құтарыс,social,1\n", 2, "district is empty"),
    ("district,organization,sector,members\nA,X,s,1\nA,Y,s,many\n", 3, "members"),
    ("district,organization,sector,members\nA,X,s,1\nA,x,s,2\n", 3, "duplicate"),
    ("district,organization,sector,members\nA,X,s\n", 2, "columns"),
])
def test_bad_rows_are_named(text, line, reason):
    with pytest.raises(RosterError) as error:
        parse_rows(read_csv(text.encode()))
    assert any(n == line and reason in why for n, why in error.value.problems), error.value.problems


@pytest.mark.slow
def test_import_then_codes_via_cli(config_file, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(GOOD, encoding="utf-8")
    result = bastau(config_file, "roster", "import", str(roster))
    assert result.returncode == 0, result.stderr
    assert "organizations added: 2" in result.stdout
    codes = bastau(config_file, "roster", "codes")
    rows = list(csv.reader(io.StringIO(codes.stdout)))
    assert rows[0] == ["region", "district", "organization", "code"]
    assert {r[2] for r in rows[1:]} == {"Құтарыс", "Қайнарбұлақ"}
    for _, _, _, code in rows[1:]:
        assert len(code) == CODE_LENGTH == 8 and set(code) <= set(CODE_ALPHABET)
        assert not set(code) & set("0O1I")
    # Importing again changes one organization and adds one; nothing is deleted.
    roster.write_text(GOOD.replace("400", "410") + "Байзақ ауданы,Мектеп №5,social,120\n", encoding="utf-8")
    result = bastau(config_file, "roster", "import", str(roster))
    assert "organizations added: 1, changed: 1, renamed: 0, moved: 0, unchanged: 1" in result.stdout


@pytest.mark.slow
async def test_a_bad_row_writes_nothing(config_file, config, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(GOOD + "Сайрам ауданы,,social,3\n", encoding="utf-8")
    result = bastau(config_file, "roster", "import", str(roster))
    assert result.returncode == 1
    assert "roster.csv:4: organization is empty" in result.stderr
    assert "Nothing was imported" in result.stderr
    db = await open_database(config.database_url)
    try:
        assert (await db.fetchone("SELECT COUNT(*) FROM organizations"))[0] == 0
    finally:
        await db.close()
