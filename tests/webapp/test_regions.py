"""The Mini App for a region admin (issue 11): /me names the region, progress, organizations and the
export hold their region only, another region's organization is 403."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.support.people import BRANCH
from tests.support.regions import REGION_ADMIN, TURKISTAN_ORGS, ZHAMBYL, ZHAMBYL_ORGS, three_levels


async def test_a_region_admin_sees_their_region_only(api, harness):
    await three_levels(harness)
    me = await api.json("/app/api/me", REGION_ADMIN)
    assert me["role"] == "region" and me["region"] == ZHAMBYL
    progress = await api.json("/app/api/progress?month=2026-11", REGION_ADMIN)
    assert {d["district"] for d in progress["districts"]} == {"Талас ауданы", "Мерке ауданы", "Орталық ауданы"}
    assert {d["region"] for d in progress["districts"]} == {ZHAMBYL}
    assert {o["organization"] for o in progress["missing_orgs"]} == set(ZHAMBYL_ORGS)
    orgs = await api.json("/app/api/orgs?month=2026-11", REGION_ADMIN)
    assert {o["organization"] for o in orgs["organizations"]} == set(ZHAMBYL_ORGS)
    other = (await harness.app.db.fetchone("SELECT id FROM organizations WHERE name = ?", (TURKISTAN_ORGS[0],)))[0]
    await api.json(f"/app/api/orgs/{other}", REGION_ADMIN, status=403)
    response = await api.get("/app/api/export?month=2026-11", REGION_ADMIN)
    assert response.status == 200
    sheet = load_workbook(io.BytesIO(await response.read())).worksheets[0]
    assert {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)} == set(ZHAMBYL_ORGS)
    # Trends: the region's reports only.
    for name in (ZHAMBYL_ORGS[0], TURKISTAN_ORGS[0]):
        org = (await harness.app.db.fetchone("SELECT id FROM organizations WHERE name = ?", (name,)))[0]
        await harness.app.repos.reports.submit(org, "2026-11", None, {"members_total": 50}, False, harness.clock.now())
    for user_id, expected in ((REGION_ADMIN, 1), (BRANCH, 2)):
        trends = await api.json("/app/api/trends", user_id)
        months = [m["month"] for m in trends["months"]]
        assert trends["reports"][months.index("2026-11")] == expected, user_id
    # The branch admin's /me has no region (the whole deployment).
    assert (await api.json("/app/api/me", BRANCH))["region"] is None
