"""The review on the dashboard's progress: reports returned for correction and accepted, per district and per
region, beside the counts that were there before (their keys unchanged)."""
from __future__ import annotations

from tests.support.people import BRANCH as ROSTER_BRANCH
from tests.support.regions import REGION_ADMIN, TURKISTAN, ZHAMBYL, three_levels
from tests.support.webapp_world import BRANCH, DISTRICT, file_report, register

KEYS = ["region", "district", "district_id", "organizations", "submitted", "late", "missing", "returned",
        "accepted"]


def counts(progress, *keys):
    return [tuple(d[k] for k in ("district", *keys)) for d in progress["districts"]]


async def review(harness, org: int, month: str, status: str) -> None:
    assert await harness.app.repos.reports.set_review(org, month, status, None, BRANCH, harness.clock.now())


async def test_returned_and_accepted_reports_are_counted_per_district(api, harness, world):
    # October: Құтарыс (Сайрам) accepted, Мектеп №5 (Байзақ, late) returned. November: Құтарыс returned,
    # Қайнарбұлақ (Сайрам) files and is accepted; a report still waiting counts in neither.
    await register(harness, 1004, "Қайнарбұлақ", "Омарова Гүлнар", None, "kk")
    await file_report(harness, world["kainar"], "2026-11", 1004)
    await review(harness, world["kutarys"], "2026-10", "accepted")
    await review(harness, world["mektep"], "2026-10", "returned")
    await review(harness, world["kutarys"], "2026-11", "returned")
    await review(harness, world["kainar"], "2026-11", "accepted")

    november = await api.json("/app/api/progress?month=2026-11", BRANCH)
    assert [list(d) for d in november["districts"]] == [KEYS, KEYS]
    assert counts(november, "organizations", "submitted", "late", "missing", "returned", "accepted") == [
        ("Байзақ ауданы", 1, 0, 0, 1, 0, 0), ("Сайрам ауданы", 2, 2, 0, 0, 1, 1)]
    october = await api.json("/app/api/progress?month=2026-10", BRANCH)
    assert counts(october, "submitted", "late", "returned", "accepted") == [
        ("Байзақ ауданы", 1, 1, 1, 0), ("Сайрам ауданы", 1, 0, 0, 1)]
    # No regions in this roster: one row of no region with the sums.
    assert october["regions"] == [{"region": None, "organizations": 3, "submitted": 2, "late": 1, "missing": 1,
                                   "returned": 1, "accepted": 1}]
    district = await api.json("/app/api/progress?month=2026-11", DISTRICT)
    assert counts(district, "returned", "accepted") == [("Сайрам ауданы", 1, 1)]
    # A returned report resubmitted waits for review again: it leaves the returned count.
    await file_report(harness, world["kutarys"], "2026-11", 1001, members_total=411)
    assert counts(await api.json("/app/api/progress?month=2026-11", DISTRICT), "submitted", "returned",
                  "accepted") == [("Сайрам ауданы", 2, 0, 1)]


async def org(harness, name: str) -> int:
    return (await harness.app.db.fetchone("SELECT id FROM organizations WHERE name = ?", (name,)))[0]


async def test_each_region_sums_its_districts_reviews(api, harness):
    await three_levels(harness)
    now = harness.clock.now()
    for name, status in (("Ақкөл", "accepted"), ("Жамбыл мектебі", "returned"), ("Тараз емханасы", None),
                         ("Жібек жолы", "accepted"), ("Ванновка", "accepted")):
        await harness.app.repos.reports.submit(await org(harness, name), "2026-11", None, {"members_total": 5},
                                               name == "Ванновка", now)
        if status:
            await review(harness, await org(harness, name), "2026-11", status)
    branch = await api.json("/app/api/progress?month=2026-11", ROSTER_BRANCH)
    regions = {r["region"]: r for r in branch["regions"]}
    assert {k: regions[ZHAMBYL][k] for k in ("organizations", "submitted", "late", "returned", "accepted")} == {
        "organizations": 3, "submitted": 3, "late": 0, "returned": 1, "accepted": 1}
    assert {k: regions[TURKISTAN][k] for k in ("organizations", "submitted", "late", "returned", "accepted")} == {
        "organizations": 3, "submitted": 2, "late": 1, "returned": 0, "accepted": 2}
    region = await api.json("/app/api/progress?month=2026-11", REGION_ADMIN)
    assert [r["region"] for r in region["regions"]] == [ZHAMBYL]
    assert sorted(counts(region, "returned", "accepted")) == [
        ("Мерке ауданы", 1, 0), ("Орталық ауданы", 0, 0), ("Талас ауданы", 0, 1)]
