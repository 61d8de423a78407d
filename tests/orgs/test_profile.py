"""The organizations' profile facts (issue 11): from the roster to /org and the export's summary sheet."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from bot.telegram.admin import AdminCb
from tests.support.people import BRANCH, admin, nowhere
from tests.support.seen import documents

ROSTER = ("district,organization,sector,members,chair_deputy,chair_council,chair_elected\n"
          "Талас ауданы,Ақкөл,social,100,да,нет,2026-08-20\n"
          "Талас ауданы,Жаңа жол,services,50,жоқ,иә,2019-03\n"
          "Талас ауданы,Мерке,social,60,,,\n")
CARD = {"ru": ("Председатель — депутат маслихата: да", "член Общественного совета: нет",
               "Председатель избран: 2026-08-20", "Сфера: social"),
        "kk": ("Төраға — мәслихат депутаты: иә", "Қоғамдық кеңес мүшесі: жоқ", "Төраға сайланған күн: 2026-08-20")}
SUMMARY = {"ru": ("Председатели — депутаты маслихата", "Председатели, избранные за последние 12 месяцев"),
           "kk": ("Мәслихат депутаты болып табылатын төрағалар", "Соңғы 12 айда сайланған төрағалар")}


@pytest.mark.parametrize("locale", ["ru", "kk"])
async def test_profile_facts_in_the_card_and_the_summary_sheet(harness, locale):
    boss = await admin(harness, BRANCH, locale=locale)
    await boss.send_document(ROSTER.encode(), "roster.csv")
    await boss.send("/org Ақкөл")
    for line in CARD[locale]:
        assert line in boss.reply, line
    calls = await boss.press_data(AdminCb(action="exp", month="2026-11").pack(), nowhere(BRANCH))
    summary = list(load_workbook(io.BytesIO(documents(calls)[0].document.data)).worksheets[1].iter_rows(
        values_only=True))
    by_label = {row[0]: row[1:3] for row in summary}
    organizations = 3 + 3  # the three of the test roster and the three above
    deputies, elected = SUMMARY[locale]
    assert by_label[deputies] == (1, round(100 / organizations, 1))
    assert by_label[elected] == (1, round(100 / organizations, 1))


async def test_a_bad_fact_is_refused_with_its_line(harness):
    boss = await admin(harness, BRANCH)
    await boss.send_document(ROSTER.replace("2019-03", "март").encode(), "roster.csv")
    assert "строка 3" in boss.reply and "chair_elected" in boss.reply
