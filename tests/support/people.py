"""The people of the stories: chairs who register, admins who open the bot, and where they belong."""
from __future__ import annotations

from typing import Any

from tests.support.roster import code_of

# The admins tests/support/fixtures.py writes into config.toml.
BRANCH, SAIRAM_ADMIN = 900, 901


async def register(harness, user_id: int, language: str, org: str, name: str = "Асанов Айбек",
                   phone: str | None = "+77010000001"):
    chair = harness.client(user_id, language_code=language)
    await chair.send("/start")
    await chair.press("Қазақша" if language == "kk" else "Русский")
    await chair.send(await code_of(harness.app.db, org))
    await chair.send(name)
    if phone:
        await chair.share_contact(phone)
    else:
        await chair.send("Өткізу" if language == "kk" else "Пропустить")
    await chair.press("✅")
    return chair


async def admin(harness, user_id: int, locale: str = "ru"):
    client = harness.client(user_id, language_code=locale)
    await client.send("/start")
    await client.press("Русский" if locale == "ru" else "Қазақша")
    return client


async def add_db_admin(harness, user_id: int, district: str | None, locale: str = "ru"):
    """An admin added in the bot (not from config), who has chosen a language."""
    district_ref = await district_id(harness, district) if district else None
    await harness.app.repos.admins.put(user_id, "district" if district else "branch", district_ref, BRANCH,
                                       harness.clock.now())
    return await admin(harness, user_id, locale)


def nowhere(user_id: int) -> dict[str, Any]:
    """A message to hang a forged callback on, for users who never saw an admin keyboard."""
    return {"message_id": 1, "date": 0, "chat": {"id": user_id, "type": "private"}, "text": "…"}


async def district_id(harness, name: str) -> int:
    return await harness.app.repos.orgs.district_by_name(name)


async def org_id(harness, name: str) -> int:
    row = await harness.app.db.fetchone("SELECT id FROM organizations WHERE name = ?", (name,))
    return row[0]


async def org_id_of(harness, user_id: int) -> int:
    """The organization of a registered chair."""
    return (await harness.app.repos.users.get(user_id)).org_id
