"""A region admin's broadcast reaches the chairs of their region only (issue 11)."""
from __future__ import annotations

from aiogram.methods import CopyMessage

from bot.features.broadcast import ENGINE_KEY
from tests.support.people import BRANCH


async def test_a_region_admins_broadcast_reaches_their_region_only(bh):
    db = bh.app.db
    for region, district in (("Түркістан облысы", "Сайрам ауданы"), ("Жамбыл облысы", "Байзақ ауданы")):
        await db.execute("INSERT INTO regions(name) VALUES (?)", (region,))
        await db.execute("UPDATE districts SET region_id = (SELECT id FROM regions WHERE name = ?) WHERE name = ?",
                         (region, district))
    turkistan = await bh.app.repos.orgs.region_by_name("Түркістан облысы")
    await bh.app.repos.admins.put(7030, "region", None, BRANCH, bh.clock.now(), region_id=turkistan)
    regional = bh.client(7030, language_code="ru")
    await regional.send("/start")
    await regional.press("Русский")
    await regional.send("/broadcast")
    await regional.press("Все председатели моей области")
    await regional.send_raw(text="Собрание в пятницу", entities=[])
    assert "Получателей: <b>2</b>" in regional.reply
    await regional.press("✅ Отправить")
    broadcast = (await bh.app.repos.broadcasts.recent(None, limit=1))[0]
    await bh.app.extra[ENGINE_KEY].wait(broadcast.id)
    reached = sorted(c.chat_id for c in bh.session.requests if isinstance(c, CopyMessage) and c.chat_id != 7030)
    assert reached == [1001, 1002]
    # «One district» lists their region's districts only.
    await regional.send("/broadcast")
    await regional.press("Один район")
    assert "Сайрам ауданы" in regional.buttons() and "Байзақ ауданы" not in regional.buttons()
