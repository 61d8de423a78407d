"""The Mini App in headless Chromium, opened from the sandbox page as Telegram would open it (initData
signed by the sandbox). A chair files the month's report with a photo on a phone-sized page (412x915);
the district admin of Sayram opens the dashboard, sees the open month, opens Құтарыс and its report with
the photo, at 412x915 and at 1280x800. Screenshots go to the test's folder."""
from __future__ import annotations

import struct
import zlib

import pytest

from bot.sandbox.apimodels import User
from tests.support.browser import (
    DISTRICT_ADMIN,
    Page,
    answer_remaining,
    browser_in,
    file_report,
    needs_chromium,
    sandbox_in_background,
    viewport,
)

pytestmark = [needs_chromium, pytest.mark.slow]
CHAIR = 1001  # Айбек, chair of Құтарыс in Sayram, kk; the November report is not filed yet


@pytest.fixture
def background(monkeypatch):
    yield from sandbox_in_background(monkeypatch)


@pytest.fixture
def phone(tmp_path):
    for driver in browser_in(tmp_path, 600, 1000):
        driver.get("about:blank")
        viewport(driver, 412, 915)
        yield driver


def png(width: int = 24, height: int = 16) -> bytes:
    """A real (decodable) picture: the page must show it, not just fetch it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes((40, 120, 200)) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def in_view(driver, css: str) -> bool:
    """The element is on screen: inside the window, and at least partly inside its scrolling pane."""
    return driver.execute_script("""
        const node = document.querySelector(arguments[0]);
        if (!node) return false;
        const r = node.getBoundingClientRect();
        const w = window.innerWidth + 1, h = window.innerHeight + 1;
        const inside = r.top >= 0 && r.bottom <= h && r.left >= 0 && r.right <= w;
        if (r.height < 10 || !inside) return false;
        const pane = node.closest('#messages');
        if (!pane) return true;
        const p = pane.getBoundingClientRect();
        return r.bottom <= p.bottom + 1 && r.bottom > p.top;
    """, css)


def check_sandbox_phone_layout(driver) -> None:
    assert driver.execute_script("return [window.innerWidth, window.innerHeight]") == [412, 915]
    assert driver.execute_script("return document.scrollingElement.scrollHeight") <= 916  # the page does not grow
    assert in_view(driver, ".persona.selected") and in_view(driver, "#text-input")
    assert in_view(driver, "#messages .msg:last-child")
    assert driver.execute_script("return document.getElementById('personas').getBoundingClientRect().height") > 100


def open_dashboard_checks(page: Page, folder, size: str) -> None:
    from selenium.webdriver.common.by import By

    driver = page.driver
    assert "x".join(map(str, driver.execute_script("return [window.innerWidth, window.innerHeight]"))) == size
    progress = page.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#progress .district-row"))
    assert driver.find_element(By.ID, "scope").text == "Сайрам ауданы"
    # Telegram's theme (tgWebAppThemeParams, as the sandbox passes them) colours the page, and a
    # theme_changed event from Telegram recolours it.
    background = "return getComputedStyle(document.body).backgroundColor"
    assert driver.execute_script(background) == "rgb(255, 255, 255)"
    driver.execute_script("Telegram.WebView.receiveEvent('theme_changed', {theme_params: "
                          "{bg_color: '#17212b', text_color: '#f5f5f5', secondary_bg_color: '#232e3c'}})")
    assert driver.execute_script(background) == "rgb(23, 33, 43)"
    assert "ноябрь 2026" in driver.find_element(By.CSS_SELECTOR, "#progress h2").text  # the open month, in ru
    assert "осталось 9 дней" in driver.find_element(By.ID, "deadline").text
    assert [r.find_element(By.CSS_SELECTOR, ".name").text for r in progress] == ["Сайрам ауданы"]
    headers = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "#progress thead th")]
    assert headers[-2:] == ["Возвращено", "Принято"]  # the review's columns
    review = progress[0].find_elements(By.CSS_SELECTOR, '[data-count="returned"], [data-count="accepted"]')
    assert [c.text for c in review] == ["0", "0"]
    assert driver.find_elements(By.CSS_SELECTOR, "#missing .remind-button")
    assert page.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#trends svg.chart"))
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= driver.execute_script("return window.innerWidth") + 1  # nothing wider than the screen
    driver.save_screenshot(str(folder / f"dashboard-{size}.png"))
    progress[0].click()
    page.click("#district .org-row .name", "Құтарыс")
    page.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#report dl.answers"))
    assert "Құтарыс" in driver.find_element(By.CSS_SELECTOR, "#org-card h2").text
    chip = driver.find_element(By.CSS_SELECTOR, '.month-chip[data-month="2026-11"]')
    assert "selected" in chip.get_attribute("class") and "on_time" in chip.get_attribute("class")
    assert "180" in driver.find_element(By.ID, "report").text  # members_total as the chair typed it
    page.wait.until(lambda d: d.execute_script(
        "const i = document.querySelector('#report img.report-photo'); return i && i.complete && i.naturalWidth > 0"),
        "the report's photo is not shown")
    driver.save_screenshot(str(folder / f"report-{size}.png"))


def test_district_admin_opens_the_dashboard_an_organization_and_a_report_with_a_photo(background, phone, tmp_path):
    from selenium.webdriver.common.by import By

    sandbox = background.sandbox
    page = Page(phone)
    phone.get(sandbox.url)
    page.click(f'.persona[data-id="{CHAIR}"]')
    page.type("/start")  # the main menu, with its report button
    page.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#reply-keyboard .reply-button"))
    photo = tmp_path / "event.png"
    photo.write_bytes(png())
    file_report(page, sandbox.config.form, photo)
    page.wait.until(lambda d: in_view(d, "#messages .msg:last-child"), "the newest message is not in view")
    check_sandbox_phone_layout(phone)
    phone.save_screenshot(str(tmp_path / "sandbox-phone-after-report.png"))

    page.click(f'.persona[data-id="{DISTRICT_ADMIN}"]')
    sandbox_window = phone.current_window_handle
    page.click("#open-webapp")
    page.wait.until(lambda d: len(d.window_handles) == 2, "the Mini App did not open")
    phone.switch_to.window(next(h for h in phone.window_handles if h != sandbox_window))
    page.wait.until(lambda d: "/app/" in d.current_url)
    viewport(phone, 412, 915)  # a new window: the phone's screen again
    open_dashboard_checks(page, tmp_path, "412x915")

    viewport(phone, 360, 740)  # the narrowest phones: nothing wider than the screen
    phone.refresh()  # the launch parameters stay in the address, as in Telegram
    page.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#trends svg.chart"))
    assert phone.execute_script("return [window.innerWidth, document.documentElement.scrollWidth]") == [360, 360]
    phone.save_screenshot(str(tmp_path / "dashboard-360x740.png"))

    phone.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    phone.set_window_size(1280, 800)
    viewport(phone, 1280, 800, mobile=False)
    phone.refresh()
    open_dashboard_checks(page, tmp_path, "1280x800")
    assert phone.find_elements(By.CSS_SELECTOR, "#back")
    for name in ("sandbox-phone-after-report", "dashboard-412x915", "report-412x915", "dashboard-360x740",
                 "dashboard-1280x800",
                 "report-1280x800"):
        assert (tmp_path / f"{name}.png").stat().st_size > 0


RU_CHAIR = 1002  # Анна, chair of Қайнарбұлақ, ru; the November report is not filed yet


def test_a_chair_fills_the_form_switches_to_the_chat_mid_way_and_finishes_there(background, phone, tmp_path):
    from selenium.webdriver.common.by import By

    sandbox = background.sandbox
    page = Page(phone)
    phone.get(sandbox.url)
    page.click(f'.persona[data-id="{RU_CHAIR}"]')
    sandbox_window = phone.current_window_handle
    page.click("#open-webapp")
    page.wait.until(lambda d: len(d.window_handles) == 2, "the Mini App did not open")
    phone.switch_to.window(next(h for h in phone.window_handles if h != sandbox_window))
    viewport(phone, 412, 915)
    page.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, '#report-form .field[data-key="members_total"]'))
    assert phone.find_element(By.ID, "title").text == "Ваш отчёт"
    total = phone.find_element(By.ID, "f-members_total")
    total.send_keys("abc")
    page.wait.until(lambda d: "число" in d.find_element(
        By.CSS_SELECTOR, '.field[data-key="members_total"] .error').text, "no error for a bad number")
    total.clear()
    total.send_keys("520")
    for key, value in (("members_joined", "4"), ("members_left", "1"), ("events_held", "2")):
        phone.find_element(By.ID, f"f-{key}").send_keys(value)
    from selenium.webdriver.common.keys import Keys

    phone.find_element(By.ID, "f-events_summary").send_keys("Сенбілік өтті.", Keys.TAB)  # leaving it saves it
    page.wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".field .saved")) >= 5 and all(
        "✓" in e.text for e in d.find_elements(By.CSS_SELECTOR, '.field[data-key^="members"] .saved, '
                                               '.field[data-key="events_held"] .saved, '
                                               '.field[data-key="events_summary"] .saved')), "answers not saved")
    phone.save_screenshot(str(tmp_path / "form-412x915.png"))
    org = next(o for o in background.run(sandbox.app.repos.orgs.all()) if o.name == "Қайнарбұлақ")
    draft = background.run(sandbox.app.repos.reports.get_draft(org.id, "2026-11"))
    assert draft.answers == {"members_total": 520, "members_joined": 4, "members_left": 1, "events_held": 2,
                             "events_summary": "Сенбілік өтті."}

    phone.switch_to.window(sandbox_window)  # the chat, mid-way
    page.type("/report")
    resume = page.wait_bot_text("незаконченный отчёт")
    page.click(".inline-button", "Продолжить", resume["id"])
    page.wait_bot_text("Встречи депутатов маслихата")  # the first question the page left unanswered
    photo = tmp_path / "event.png"
    photo.write_bytes(png())
    answer_remaining(page, sandbox.config.form, photo, after=resume["id"], received="принят")
    report = background.run(sandbox.app.repos.reports.get(org.id, "2026-11"))
    assert report is not None and report.answers["members_total"] == 520
    assert report.answers["events_summary"] == "Сенбілік өтті."
    phone.save_screenshot(str(tmp_path / "finished-in-chat.png"))


def test_the_page_without_telegrams_launch_parameters_says_to_open_it_from_the_bot(background, phone):
    from selenium.webdriver.common.by import By

    page = Page(phone)
    user = User(2001, first_name="Гүлнар", language_code="ru")
    url = page.wait.until(lambda _: background.sandbox.webapp_url(user), "the Mini App's server did not start")
    phone.get(url.split("#")[0])  # the address alone, no signed initData
    message = page.wait.until(lambda d: d.find_elements(By.ID, "error"))[0].text
    assert "боттан қайта ашыңыз" in message and "заново из бота" in message


def test_the_form_warns_by_the_soft_rules_and_the_chair_confirms_anyway(background, phone, tmp_path):
    """Құтарыс's answers filled (as if typed earlier) with a members' total that October's does not give; the
    form opened from «Fill in as a form» under /start's menu: «Submit» shows the warning with the numbers
    beside the field, «Confirm anyway» files the report."""
    from selenium.webdriver.common.by import By

    from bot.features.webapp import form

    sandbox = background.sandbox
    org = next(o for o in background.run(sandbox.app.repos.orgs.all()) if o.name == "Құтарыс")
    october = background.run(sandbox.app.repos.reports.get(org.id, "2026-10")).answers
    chair = background.run(sandbox.app.repos.users.get(CHAIR))
    expected = october["members_total"] + 3 - 1
    answers = {"members_total": str(expected + 7), "members_joined": "3", "members_left": "1",
               "events_held": "1", "events_summary": "Жиналыс өтті.", "deputy_meetings": "0",
               "appeals_received": "0", "appeals_resolved": "0", "projects": [], "trainings": "0", "needs": ""}
    for key, value in answers.items():
        background.run(form.save_answer(sandbox.app, chair, key, value, "kk"))
    page = Page(phone)
    phone.get(sandbox.url)
    page.click(f'.persona[data-id="{CHAIR}"]')
    sandbox_window = phone.current_window_handle
    page.type("/start")  # the main menu offers the form beside the chat: the page opens it as Telegram would
    page.click(".inline-button.web-app", "Нысанмен толтыру")
    page.wait.until(lambda d: len(d.window_handles) == 2, "the Mini App did not open")
    phone.switch_to.window(next(h for h in phone.window_handles if h != sandbox_window))
    viewport(phone, 412, 915)
    page.wait.until(lambda d: d.find_elements(By.ID, "submit-report"))
    page.click("#submit-report")
    warning = page.wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#form-result .warning"))[0].text
    assert f"{expected + 7}" in warning and f"{expected}" in warning
    assert warning in phone.find_element(By.CSS_SELECTOR, '.field[data-key="members_total"] .error').text
    assert background.run(sandbox.app.repos.reports.get(org.id, "2026-11")) is None  # nothing filed yet
    assert "null" not in phone.find_element(By.ID, "report-form").text  # no missing part written as «null»
    phone.save_screenshot(str(tmp_path / "form-warned-412x915.png"))
    page.click("#confirm-anyway", "Бәрібір растау")
    page.wait.until(lambda d: "қабылданды" in d.find_element(By.ID, "form-result").text, "not submitted")
    report = background.run(sandbox.app.repos.reports.get(org.id, "2026-11"))
    assert report is not None and report.answers["members_total"] == expected + 7
