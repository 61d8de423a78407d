"""The sandbox page in headless Chromium: a newcomer registers in Kazakh with the demo invite code and
files the month's report by typing and clicking; the branch admin exports the month and downloads it.
(The page on a phone, 412x915, is checked in tests/webapp/test_browser.py.)

Debian's chromium and chromedriver (installed by .ci/run), driven by Selenium: tests/support/browser.py.
"""
from __future__ import annotations

import io
import urllib.request

import pytest

from tests.support.browser import (
    BRANCH_ADMIN,
    NEWCOMER,
    Page,
    browser_in,
    file_report,
    needs_chromium,
    register_newcomer,
    sandbox_in_background,
)

pytestmark = [needs_chromium, pytest.mark.slow]


@pytest.fixture
def background(monkeypatch):
    yield from sandbox_in_background(monkeypatch)


@pytest.fixture
def browser(tmp_path):
    yield from browser_in(tmp_path)


def test_newcomer_registers_and_reports_and_the_admin_exports(background, browser, tmp_path):
    sandbox = background.sandbox
    page = Page(browser)
    browser.get(sandbox.url)
    page.wait.until(lambda d: d.find_elements("css selector", ".persona"))
    assert "26.11.2026" in browser.find_element("id", "bot-clock").text

    code = register_newcomer(page)
    org = background.run(sandbox.app.repos.orgs.by_code(code))
    user = background.run(sandbox.app.repos.users.get(NEWCOMER))
    assert user.org_id == org.id and user.locale == "kk" and user.phone == "+77010000003"

    photo = tmp_path / "event.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF sandbox event photo")
    file_report(page, sandbox.config.form, photo)
    report = background.run(sandbox.app.repos.reports.get(org.id, "2026-11"))
    assert report is not None and not report.late
    assert report.answers["members_total"] == 180 and report.answers["appeals_resolved"] == 3
    assert len(report.answers["photos"]) == 1
    browser.save_screenshot(str(tmp_path / "report.png"))

    page.click(f'.persona[data-id="{BRANCH_ADMIN}"]')
    page.wait.until(lambda d: d.find_element("id", "chat-title").text.startswith("Ерлан"))
    page.type("/export")
    months = page.wait_bot_text("Қай айдың")  # «Which month to export?»
    page.click(".inline-button", "2026 жылғы қараша", months["id"])  # the open month
    link = page.wait.until(lambda d: d.find_elements("css selector", "#messages .file-link"))[-1]
    assert link.text.endswith("2026-11.xlsx")
    with urllib.request.urlopen(link.get_attribute("href"), timeout=10) as download:
        workbook_bytes = download.read()
    from openpyxl import load_workbook

    cells = {str(c.value) for sheet in load_workbook(io.BytesIO(workbook_bytes)).worksheets
             for row in sheet.iter_rows() for c in row if c.value is not None}
    assert any("Түлкібас ауылы" in c for c in cells)  # a demo report of the month
    assert any(org.name in c for c in cells)  # and the one just filed
    page.click('#jumps button[data-target="due"]')  # the clock: to the due date, 5 December 10:00
    page.wait.until(lambda d: "05.12.2026" in d.find_element("id", "bot-clock").text, "the clock did not move")
    browser.save_screenshot(str(tmp_path / "export.png"))
    assert (tmp_path / "export.png").stat().st_size > 0
