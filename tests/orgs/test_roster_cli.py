"""`bastau roster import` with regions, renames and `--archive-missing`; `bastau roster codes` with org_code."""
from __future__ import annotations

import csv
import io

import pytest

from tests.support.cli import bastau

FIRST = ("region,district,organization,sector,members,org_code,chair_deputy,chair_elected\n"
         "Жамбыл облысы,Талас ауданы,Ақкөл,social,100,T-1,иә,2026-08\n"
         "Жамбыл облысы,Талас ауданы,Жаңа жол,social,50,T-2,жоқ,\n"
         "Түркістан облысы,Талас ауданы,Сарыағаш,social,70,S-1,,\n")
SECOND = ("region,district,organization,sector,members,org_code\n"
          "Жамбыл облысы,Талас ауданы,Ақкөл ауылы,social,100,T-1\n"
          "Түркістан облысы,Талас ауданы,Сарыағаш,social,70,S-1\n")


@pytest.mark.slow
def test_import_renames_archives_and_prints_codes_via_cli(config_file, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(FIRST, encoding="utf-8")
    result = bastau(config_file, "roster", "import", str(roster))
    assert result.returncode == 0, result.stderr
    assert "regions added: 2; districts added: 2; organizations added: 3" in result.stdout
    codes = list(csv.reader(io.StringIO(bastau(config_file, "roster", "codes").stdout)))
    assert codes[0] == ["region", "district", "organization", "code", "org_code"]
    assert {(r[0], r[2], r[4]) for r in codes[1:]} == {("Жамбыл облысы", "Ақкөл", "T-1"),
                                                        ("Жамбыл облысы", "Жаңа жол", "T-2"),
                                                        ("Түркістан облысы", "Сарыағаш", "S-1")}
    roster.write_text(SECOND, encoding="utf-8")
    result = bastau(config_file, "roster", "import", str(roster))
    assert "renamed: Ақкөл -> Ақкөл ауылы (Талас ауданы)" in result.stdout
    assert "not in the file: 1 organizations, kept" in result.stdout and "Жаңа жол" in result.stdout
    result = bastau(config_file, "roster", "import", "--archive-missing", str(roster))
    assert "archived: 1 organizations, 0 districts" in result.stdout
    codes = list(csv.reader(io.StringIO(bastau(config_file, "roster", "codes").stdout)))
    assert {r[2] for r in codes[1:]} == {"Ақкөл ауылы", "Сарыағаш"}
