"""Two regions of three districts each (issue 11), uploaded by the branch admin, and a region admin."""
from __future__ import annotations

from tests.support.people import BRANCH, admin

ZHAMBYL, TURKISTAN = "Жамбыл облысы", "Түркістан облысы"
# Two regions of three districts each; «Орталық ауданы» is the name of a district in both.
ROSTER = ("region,district,organization,sector,members,org_code\n"
          f"{ZHAMBYL},Талас ауданы,Ақкөл,social,100,ZH-1\n"
          f"{ZHAMBYL},Мерке ауданы,Жамбыл мектебі,social,120,ZH-2\n"
          f"{ZHAMBYL},Орталық ауданы,Тараз емханасы,services,80,ZH-3\n"
          f"{TURKISTAN},Сарыағаш ауданы,Жібек жолы,agriculture,90,TU-1\n"
          f"{TURKISTAN},Түлкібас ауданы,Ванновка,social,70,TU-2\n"
          f"{TURKISTAN},Орталық ауданы,Кентау колледжі,social,60,TU-3\n")
ZHAMBYL_ORGS = ("Ақкөл", "Жамбыл мектебі", "Тараз емханасы")
TURKISTAN_ORGS = ("Жібек жолы", "Ванновка", "Кентау колледжі")
REGION_ADMIN = 7100


async def three_levels(harness) -> int:
    """The roster uploaded by the branch admin; a region admin of Zhambyl (in Russian). Its region id."""
    boss = await admin(harness, BRANCH)
    await boss.send_document(ROSTER.encode(), "roster.csv")
    assert "применён" in boss.reply, boss.reply
    region = await harness.app.repos.orgs.region_by_name(ZHAMBYL)
    await harness.app.repos.admins.put(REGION_ADMIN, "region", None, BRANCH, harness.clock.now(), region_id=region)
    return region
