"""The admin directory: bootstrap admins (config.toml) and admins added in the bot, handled alike."""
from __future__ import annotations

import pytest

from bot.config import AdminEntry
from bot.domain.admins import AdminDirectory
from bot.domain.roles import Role, RoleResolver
from db import open_database
from db.repos import Repos
from tests.support.roster import seed_roster

BRANCH, SAIRAM, LOST = 900, 901, 902      # in config.toml (902: a district that is not in the roster)
ADDED_BRANCH, ADDED_BAIZAQ, ADDED_SAIRAM = 7001, 7002, 7003


@pytest.fixture
async def setup(config, clock):
    config = config.model_copy(update={"admins": (*config.admins, AdminEntry(
        telegram_id=LOST, scope="district", district="Сайрам ауданы (typo)"))})
    db = await open_database(config.database_url)
    repos = Repos(db)
    await seed_roster(db, clock)
    sairam = await repos.orgs.district_by_name("Сайрам ауданы")
    baizaq = await repos.orgs.district_by_name("Байзақ ауданы")
    await repos.admins.put(ADDED_BRANCH, "branch", None, BRANCH, clock.now())
    await repos.admins.put(ADDED_BAIZAQ, "district", baizaq, BRANCH, clock.now())
    await repos.admins.put(ADDED_SAIRAM, "district", sairam, BRANCH, clock.now())
    await repos.admins.put(SAIRAM, "branch", None, BRANCH, clock.now())  # config.toml wins over this row
    for user_id, locale in ((BRANCH, "ru"), (SAIRAM, None), (LOST, "kk"), (ADDED_BRANCH, "kk"),
                            (ADDED_BAIZAQ, "ru"), (ADDED_SAIRAM, "kk")):
        await repos.users.ensure(user_id, clock.now())
        if locale:
            await repos.users.set_locale(user_id, locale)
    yield config, repos, sairam, baizaq
    await db.close()


async def test_every_admin_once_bootstrap_first_with_scope_and_language(setup):
    config, repos, sairam, baizaq = setup
    admins = await AdminDirectory.of(config, repos).all()
    assert [(a.user_id, a.scope, a.district_id, a.bootstrap, a.locale) for a in admins] == [
        (BRANCH, "branch", None, True, "ru"),
        (SAIRAM, "district", sairam, True, config.bot.default_locale),  # no language chosen yet
        (LOST, "district", None, True, "kk"),
        (ADDED_BRANCH, "branch", None, False, "kk"),
        (ADDED_BAIZAQ, "district", baizaq, False, "ru"),
        (ADDED_SAIRAM, "district", sairam, False, "kk"),
    ]
    assert next(a for a in admins if a.user_id == LOST).district == "Сайрам ауданы (typo)"


async def test_an_inactive_admin_or_one_who_never_started_the_bot_is_not_reached(setup, clock):
    config, repos, sairam, _baizaq = setup
    await repos.users.set_inactive(ADDED_SAIRAM)            # blocked the bot
    await repos.admins.put(7004, "district", sairam, BRANCH, clock.now())   # never wrote to the bot
    directory = AdminDirectory.of(config, repos)
    assert {a.user_id: a.active for a in await directory.all()}[ADDED_SAIRAM] is False
    reached = [a.user_id for a in await directory.reachable()]
    assert ADDED_SAIRAM not in reached and 7004 not in reached
    assert LOST not in reached  # active, but their district is not in the roster
    assert reached == [BRANCH, SAIRAM, ADDED_BRANCH, ADDED_BAIZAQ]


async def test_scoping_by_district(setup):
    config, repos, sairam, baizaq = setup
    directory = AdminDirectory.of(config, repos)
    assert [a.user_id for a in await directory.of_scope(sairam)] == [SAIRAM, ADDED_SAIRAM]
    assert [a.user_id for a in await directory.of_scope(baizaq)] == [ADDED_BAIZAQ]
    assert [a.user_id for a in await directory.of_scope(None)] == [BRANCH, SAIRAM, ADDED_BRANCH, ADDED_BAIZAQ,
                                                                    ADDED_SAIRAM]
    assert [a.user_id for a in await directory.covering(baizaq)] == [BRANCH, ADDED_BRANCH, ADDED_BAIZAQ]
    assert [a.user_id for a in await directory.covering(sairam)] == [BRANCH, SAIRAM, ADDED_BRANCH, ADDED_SAIRAM]


async def test_roles_come_from_the_directory_for_both_kinds_of_admin(setup):
    config, repos, sairam, baizaq = setup
    roles = RoleResolver(config, repos.db)
    assert await roles.resolve(BRANCH, None) == Role("branch")
    assert await roles.resolve(SAIRAM, None) == Role("district", sairam)  # config.toml, not its admins row
    assert await roles.resolve(LOST, None) == Role("district", None)      # never the whole region
    assert await roles.resolve(ADDED_BRANCH, None) == Role("branch")
    assert await roles.resolve(ADDED_BAIZAQ, 5) == Role("district", baizaq)
    assert await roles.resolve(1001, 5) == Role("chair")
    assert await roles.resolve(1002, None) == Role("guest")
    await repos.admins.remove(ADDED_BAIZAQ)
    assert await roles.resolve(ADDED_BAIZAQ, None) == Role("guest")
    directory = AdminDirectory.of(config, repos)
    assert directory.is_bootstrap(SAIRAM) and not directory.is_bootstrap(ADDED_BRANCH)
