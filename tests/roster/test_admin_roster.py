"""A branch admin updates the roster by sending a CSV or XLSX file; /codes and new invite codes."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.support.people import BRANCH, SAIRAM_ADMIN, admin, register
from tests.support.roster import as_xlsx, code_of
from tests.support.seen import audit_entries, csv_rows, documents, snapshot

HEADER = ["district", "organization", "sector", "members"]


def as_csv(rows: list[list]) -> bytes:
    return "\n".join(",".join(str(c) for c in row) for row in rows).encode("utf-8")


MAKERS = {"csv": as_csv, "xlsx": as_xlsx}


async def upload(client, rows: list[list], kind: str):
    return await client.send_document(MAKERS[kind](rows), f"roster.{kind}")


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
async def test_a_good_roster_is_applied_and_nothing_is_deleted(harness, kind):
    boss = await admin(harness, BRANCH)
    await upload(boss, [HEADER, ["Сайрам ауданы", "Құтарыс", "social", 410],
                        ["Талас ауданы", "Ақкөл мектебі", "social", 35]], kind)
    assert "Список применён" in boss.reply
    assert "Добавлено районов: 1" in boss.reply and "Добавлено организаций: 1" in boss.reply
    assert "Изменено организаций: 1" in boss.reply and "Ақкөл мектебі (Талас ауданы)" in boss.reply
    assert "Организаций в боте, которых нет в файле: 2" in boss.reply
    names = {o.name: o for o in await harness.app.repos.orgs.all()}
    assert set(names) == {"Құтарыс", "Қайнарбұлақ", "Мектеп №5", "Ақкөл мектебі"}
    assert names["Құтарыс"].members == 410 and names["Ақкөл мектебі"].district == "Талас ауданы"
    entry = (await audit_entries(harness))[-1]
    assert entry["action"] == "roster.upload" and entry["actor"] == BRANCH
    assert entry["details"]["added"] == 1 and entry["details"]["changed"] == 1


BAD_FILES = {
    "wrong header": ([["district", "org", "sector", "members"], ["A", "B", "s", 1]],
                     "строка 1: строка заголовка должна быть такой: region,district,organization,sector,members",
                     "1-жол: тақырып жолы мынадай болуы керек"),
    "duplicate": ([HEADER, ["Талас ауданы", "Ақкөл", "s", 1], ["Талас ауданы", "АҚКӨЛ", "s", 2]],
                  "строка 3: организация повторяется (впервые в строке 2)", "3-жол: ұйым қайталанған (алғаш 2-жолда)"),
    "empty district": ([HEADER, ["Талас ауданы", "Ақкөл", "s", 1], ["", "Жаңа", "s", 2]],
                       "строка 3: не указан район", "3-жол: аудан көрсетілмеген"),
    "text in members": ([HEADER, ["Талас ауданы", "Ақкөл", "s", "көп"]],
                        "строка 2: число членов должно быть целым числом, а не «көп»",
                        "2-жол: мүшелер саны бүтін сан болуы керек, «көп» емес"),
}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("case", sorted(BAD_FILES))
async def test_a_bad_roster_is_reported_by_line_and_applies_nothing(harness, kind, case):
    rows, russian, kazakh = BAD_FILES[case]
    before = await snapshot(harness)
    boss = await admin(harness, BRANCH)
    await upload(boss, rows, kind)
    assert "Список <b>не применён</b>" in boss.reply and russian in boss.reply
    kk_boss = await admin(harness, 7100, locale="kk")
    await harness.app.repos.admins.put(7100, "branch", None, BRANCH, harness.clock.now())
    await upload(kk_boss, rows, kind)
    assert "Тізім <b>қабылданбады</b>" in kk_boss.reply and kazakh in kk_boss.reply
    after = await snapshot(harness)
    after.pop("admins"), before.pop("admins"), after.pop("users"), before.pop("users")
    assert after == before


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
async def test_a_ten_thousand_row_roster(harness, kind):
    rows = [HEADER] + [[f"Аудан {n % 20}", f"Ұйым {n}", "social", n % 900] for n in range(10_000)]
    boss = await admin(harness, BRANCH)
    broken = [*rows[:9000], ["Аудан 1", "Ұйым 9000", "social", "x"], *rows[9001:]]
    await upload(boss, broken, kind)
    assert "строка 9001:" in boss.reply
    assert (await harness.app.db.fetchone("SELECT COUNT(*) FROM organizations"))[0] == 3
    await upload(boss, rows, kind)
    assert "Добавлено организаций: 10000" in boss.reply and "Добавлено районов: 20" in boss.reply
    assert (await harness.app.db.fetchone("SELECT COUNT(*) FROM organizations"))[0] == 10_003


async def test_only_a_branch_admin_may_upload(harness):
    district = await admin(harness, SAIRAM_ADMIN)
    await upload(district, [HEADER, ["Талас ауданы", "Ақкөл", "s", 1]], "csv")
    assert "только администраторы областного филиала" in district.reply
    chair = await register(harness, 1001, "ru", "Құтарыс")
    await upload(chair, [HEADER, ["Талас ауданы", "Ақкөл", "s", 1]], "csv")
    # A chair's document reaches no roster handler: the fallback's answer, not a refusal of the upload.
    assert "Не понял. Пожалуйста, используйте кнопки меню или отправьте /help." in chair.reply
    assert await harness.app.repos.orgs.district_by_name("Талас ауданы") is None


async def test_other_files_are_refused_politely(harness):
    boss = await admin(harness, BRANCH)
    await boss.send_document(b"%PDF-1.4", "roster.pdf", mime="application/pdf")
    assert ".csv" in boss.reply and ".xlsx" in boss.reply
    await boss.send_document(b"not a workbook", "roster.xlsx")
    assert "не удаётся прочитать как книгу XLSX" in boss.reply


async def test_codes_are_sent_for_the_admins_scope(harness):
    district = await admin(harness, SAIRAM_ADMIN)
    calls = await district.send("/codes")
    csv_doc, xlsx_doc = documents(calls)
    rows = csv_rows(csv_doc.document.data)
    assert rows[0] == ["region", "district", "organization", "code"]
    assert {(r[2], r[3]) for r in rows[1:]} == {("Құтарыс", await code_of(harness.app.db, "Құтарыс")),
                                               ("Қайнарбұлақ", await code_of(harness.app.db, "Қайнарбұлақ"))}
    sheet = load_workbook(io.BytesIO(xlsx_doc.document.data)).active
    assert [[v or "" for v in r] for r in sheet.iter_rows(values_only=True)] == rows
    boss = await admin(harness, BRANCH)
    rows = csv_rows(documents(await boss.send("/codes"))[0].document.data)
    assert len(rows) == 4
    assert [e["action"] for e in await audit_entries(harness)] == ["codes.download", "codes.download"]


async def test_a_new_code_replaces_the_old_one(harness):
    old = await code_of(harness.app.db, "Қайнарбұлақ")
    boss = await admin(harness, BRANCH, locale="kk")
    await boss.send("/codes")
    await boss.press("Ұйымға жаңа код")
    assert boss.buttons() == ["Байзақ ауданы", "Сайрам ауданы"]
    await boss.press("Сайрам ауданы")
    await boss.press("Қайнарбұлақ")
    assert "Ескі код жарамсыз болады" in boss.reply
    await boss.press("Жаңа код беру")
    new = await code_of(harness.app.db, "Қайнарбұлақ")
    assert new != old and f"<code>{new}</code>" in boss.reply
    assert await harness.app.repos.orgs.by_code(old) is None
    entry = (await audit_entries(harness))[-1]
    assert entry["action"] == "code.reissue" and entry["details"]["organization"] == "Қайнарбұлақ"
    # A chair with the old code is turned away; with the new one they register.
    chair = harness.client(1005, language_code="kk")
    await chair.send("/start")
    await chair.press("Қазақша")
    await chair.send(old)
    assert "Бұл кодпен ұйым табылмады." in chair.reply
    await chair.send(new)
    assert "Қайнарбұлақ" in chair.reply


async def test_a_district_admin_picks_straight_from_their_organizations(harness):
    district = await admin(harness, SAIRAM_ADMIN)
    await district.send("/codes")
    await district.press("Новый код для организации")
    assert sorted(district.buttons()) == ["Қайнарбұлақ", "Құтарыс"]
