"""Every API request carries Telegram's signed initData; who the user is comes from our database."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qsl, urlencode

import pytest

from tests.support.webapp import sign_init_data, tma
from tests.support.webapp_world import BRANCH, DISTRICT, KUTARYS_CHAIR

ENDPOINTS = ["/app/api/me", "/app/api/progress", "/app/api/trends", "/app/api/orgs/1", "/app/api/export",
             "/app/api/photos/1/0"]


async def status(api, path: str, headers: dict[str, str] | None) -> int:
    response = await api.client.get(path, headers=headers or {})
    return response.status


@pytest.mark.parametrize("path", ENDPOINTS)
async def test_missing_forged_tampered_and_expired_init_data_get_401(api, harness, world, path):
    now = harness.clock.now()
    good = sign_init_data(BRANCH, now)
    assert await status(api, path, tma(good)) in (200, 404)  # the control: the same request, signed, passes
    assert await status(api, path, None) == 401
    assert await status(api, path, {"Authorization": good}) == 401  # no "tma " scheme
    assert await status(api, path, {"Authorization": "Bearer " + good}) == 401
    assert await status(api, path, tma("")) == 401
    assert await status(api, path, tma(sign_init_data(BRANCH, now, token="43:OTHER"))) == 401  # forged
    fields = dict(parse_qsl(good))
    fields["user"] = fields["user"].replace(str(BRANCH), str(DISTRICT))  # tampered: another user, same hash
    assert await status(api, path, tma(urlencode(fields))) == 401
    del fields["hash"]
    assert await status(api, path, tma(urlencode(fields))) == 401
    expired = sign_init_data(BRANCH, now - timedelta(seconds=harness.app.config.web.init_data_max_age_s + 1))
    assert await status(api, path, tma(expired)) == 401
    assert await status(api, path, tma(sign_init_data(BRANCH, now + timedelta(hours=1)))) == 401


async def test_init_data_just_within_its_age_is_accepted(api, harness):
    max_age = harness.app.config.web.init_data_max_age_s
    almost = sign_init_data(BRANCH, harness.clock.now() - timedelta(seconds=max_age - 5))
    assert await status(api, "/app/api/me", tma(almost)) == 200


async def test_me_names_the_role_scope_and_language_from_our_database(api, harness, world):
    assert await api.json("/app/api/me", BRANCH) | {"texts": None} == {
        "role": "branch", "language": "kk", "region": None, "district": None, "name": None,
        "open_month": {"month": "2026-11", "label": "2026 жылғы қараша", "in_text": "2026 жылғы қараша"},
        "texts": None}
    district = await api.json("/app/api/me", DISTRICT)
    assert (district["role"], district["district"], district["region"]) == ("district", "Сайрам ауданы", None)
    chair = await api.json("/app/api/me", KUTARYS_CHAIR)
    assert (chair["role"], chair["district"], chair["name"]) == ("chair", "Сайрам ауданы", "Асанов Айбек")
    guest = await api.json("/app/api/me", 5555)
    assert (guest["role"], guest["district"]) == ("guest", None)


async def test_the_language_is_the_one_chosen_in_the_bot_not_telegrams(api, harness, world):
    await harness.app.repos.users.ensure(DISTRICT, harness.clock.now())
    await harness.app.repos.users.set_locale(DISTRICT, "ru")
    response = await api.client.get("/app/api/me", headers=tma(sign_init_data(DISTRICT, harness.clock.now(),
                                                                                language_code="kk")))
    me = await response.json()
    assert me["language"] == "ru"
    assert me["texts"]["title"] == "Панель отчётов" and me["texts"]["remind"] == "Напомнить сейчас"
    progress = await (await api.client.get("/app/api/progress", headers=tma(sign_init_data(
        DISTRICT, harness.clock.now())))).json()
    assert progress["label"] == "ноябрь 2026" and progress["deadline"] == "осталось 9 дней"
    # Before choosing a language in the bot, Telegram's language decides.
    me = await (await api.client.get("/app/api/me", headers=tma(sign_init_data(
        BRANCH, harness.clock.now(), language_code="ru")))).json()
    assert me["language"] == "ru"


async def test_a_district_admin_added_in_the_bot_is_resolved_like_the_bot_does(api, harness, world):
    districts = dict((name, i) for i, name in await harness.app.repos.orgs.districts())
    await harness.app.repos.admins.put(777, "district", districts["Байзақ ауданы"], BRANCH, harness.clock.now())
    me = await api.json("/app/api/me", 777)
    assert (me["role"], me["district"]) == ("district", "Байзақ ауданы")
    progress = await api.json("/app/api/progress", 777)
    assert [d["district"] for d in progress["districts"]] == ["Байзақ ауданы"]
    await harness.app.repos.admins.remove(777)
    assert (await api.get("/app/api/progress", 777)).status == 403  # removed: checked on every request


async def test_the_page_and_its_files_need_no_authorization(api):
    page = await api.client.get("/app/")
    assert page.status == 200 and "app.js" in await page.text()
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert (await api.client.get("/app/static/app.js")).status == 200
    assert (await api.client.get("/app", allow_redirects=False)).status == 302
