"""Driving the sandbox page in headless Chromium: the sandbox on a background loop, the browser, and what a
visitor does on the page (register a newcomer, file a report). Debian's chromium and chromedriver, driven by
Selenium through an explicit driver path: nothing is downloaded; without them the tests are skipped.
"""
from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.runner import Sandbox
from tests.support.harness import at

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
needs_chromium = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists() and find_spec("selenium")),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver) and selenium")
START = at("2026-11-26 10:00")  # the November report is open
NEWCOMER, DISTRICT_ADMIN, BRANCH_ADMIN = 1003, 2001, 2002
INT_ANSWERS = {"members_total": 180, "members_joined": 2, "members_left": 0, "events_held": 3,
               "deputy_meetings": 1, "appeals_received": 4, "appeals_resolved": 3, "trainings": 1}


class BackgroundSandbox:
    """The sandbox on its own event loop in a thread, while Selenium blocks this one."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def run(self, coro, timeout: float = 30):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __enter__(self) -> Sandbox:
        self.thread.start()

        async def start() -> Sandbox:
            sandbox = Sandbox(web_port=0, api_port=0, start_at=START)
            await sandbox.start()
            return sandbox

        self.sandbox = self.run(start())
        return self.sandbox

    def __exit__(self, *exc: object) -> None:
        self.run(self.sandbox.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def sandbox_in_background(monkeypatch: pytest.MonkeyPatch) -> Iterator[BackgroundSandbox]:
    """For a fixture: `yield from sandbox_in_background(monkeypatch)`."""
    monkeypatch.delenv("BASTAU_DB", raising=False)
    monkeypatch.delenv("TELEGRAM_API_SERVER", raising=False)
    runner = BackgroundSandbox()
    with runner:
        yield runner


def chromium(profile: Path, width: int = 1280, height: int = 900):
    """Headless Chromium with its own profile folder; the window at width x height."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 f"--window-size={width},{height}", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)


def viewport(driver: Any, width: int, height: int, mobile: bool = True) -> None:
    """The page's viewport exactly width x height CSS pixels (headless Chromium's windows are at least
    500 px wide, so phones are emulated through the DevTools protocol)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})


def browser_in(folder: Path, width: int = 1280, height: int = 900) -> Iterator[Any]:
    """For a fixture: `yield from browser_in(tmp_path)`; the profile is removed afterwards."""
    driver = chromium(folder / "chromium-profile", width, height)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(folder / "chromium-profile", ignore_errors=True)


class Page:
    """What a visitor does on the sandbox page; every read goes through the DOM as rendered."""

    def __init__(self, driver) -> None:
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver = driver
        self.wait = WebDriverWait(driver, 20, ignored_exceptions=[StaleElementReferenceException])

    def type(self, text: str) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys

        self.driver.find_element(By.ID, "text-input").send_keys(text, Keys.ENTER)

    def bot_messages(self) -> list[dict]:
        """[{id, text, buttons: [[text, callback]]}] of the bot's messages on screen."""
        return self.driver.execute_script("""
            return [...document.querySelectorAll('#messages .msg.bot')].map(m => ({
              id: Number(m.dataset.id), text: m.querySelector('.bubble').textContent,
              buttons: [...m.querySelectorAll('.inline-button')].map(b => [b.textContent, b.dataset.callback || ''])}));
        """)

    def wait_bot_text(self, part: str, after: int = 0) -> dict:
        def found(_):
            return next((m for m in reversed(self.bot_messages()) if m["id"] > after and part in m["text"]), None)
        return self.wait.until(found, f"no bot message with {part!r}")

    def last_bot_id(self) -> int:
        messages = self.bot_messages()
        return messages[-1]["id"] if messages else 0

    def click(self, css: str, text: str | None = None, message_id: int | None = None) -> None:
        """Click the last element matching css (and containing text, within a message) once it is there."""
        from selenium.webdriver.common.by import By

        scope = f'#messages .msg[data-id="{message_id}"] ' if message_id is not None else ""

        def clicked(driver):
            elements = [e for e in driver.find_elements(By.CSS_SELECTOR, scope + css) if text is None or text in e.text]
            if not elements:
                return False
            elements[-1].click()
            return True
        self.wait.until(clicked, f"nothing to click: {css} {text!r}")


def register_newcomer(page: Page) -> str:
    from selenium.webdriver.common.by import By

    page.click(f'.persona[data-id="{NEWCOMER}"]')
    code = page.driver.find_element(By.CSS_SELECTOR, f'.persona[data-id="{NEWCOMER}"] .invite-code').text
    page.type("/start")
    page.wait_bot_text("Тілді таңдаңыз")
    page.click(".inline-button", "Қазақша")
    page.wait_bot_text("шақыру кодын")
    page.type(code)
    page.wait_bot_text("аты-жөніңізді")
    page.type("Сейітов Дәулет Асқарұлы")
    page.wait_bot_text("телефон")
    page.click("#reply-keyboard .reply-button", "📱")  # request_contact: the persona's own number
    confirm = page.wait_bot_text("Бәрі дұрыс па?")
    # Formatting is rendered, not shown as tags.
    assert page.driver.find_elements(By.CSS_SELECTOR, f'.msg[data-id="{confirm["id"]}"] .bubble b')
    assert "<b>" not in confirm["text"]
    page.click(".inline-button", "Растау", confirm["id"])
    page.wait_bot_text("тіркелдіңіз")
    return code


def file_report(page: Page, form, photo: Path) -> None:
    """Answer every question of the dialog in the page, then confirm (a chair in Kazakh)."""
    page.click("#reply-keyboard .reply-button", "Айлық есепті")
    answer_remaining(page, form, photo)


def answer_remaining(page: Page, form, photo: Path, after: int = 0, received: str = "қабылданды") -> None:
    """Answer the dialog's questions from the first after message `after` on, then confirm."""
    from bot.form.render import ReportCb

    def question(after: int):
        def found(_):
            for message in reversed(page.bot_messages()):
                if message["id"] <= after:
                    return None
                actions = {}
                for text, data in message["buttons"]:
                    try:
                        actions.setdefault(ReportCb.unpack(data).action, (ReportCb.unpack(data), text))
                    except (TypeError, ValueError):
                        continue
                if actions:
                    return message, actions
            return None
        return page.wait.until(found, "no report question")

    while True:
        message, actions = question(after)
        after = message["id"]
        if "confirm" in actions or "confirm_anyway" in actions:
            action = "confirm" if "confirm" in actions else "confirm_anyway"
            page.click(".inline-button", actions[action][1], message["id"])

            def outcome(_, after=after):
                """Received, or the summary again with the soft rules' «Confirm anyway» (the demo's
                last month need not add up with these answers)."""
                for m in page.bot_messages():
                    if m["id"] > after and received in m["text"]:
                        return "received"
                    if m["id"] > after and any(d.startswith("rep:confirm_anyway") for _t, d in m["buttons"]):
                        return "warned"
                return None
            if page.wait.until(outcome, f"no bot message with {received!r}") == "received":
                return
            continue
        key = next(cb.key for cb, _ in actions.values() if cb.key)
        field = form.field(key)
        if field.type == "int":
            page.type(str(INT_ANSWERS.get(key, 1)))
        elif field.type == "text":
            page.type("Ардагерлермен кездесу өтті.")
        elif field.type == "choice":
            page.click(".inline-button", actions["pick"][1], message["id"])
        elif field.type == "multi":
            page.click(".inline-button", actions["toggle"][1].lstrip("▫️ "), message["id"])
            shown = message["id"]
            page.wait.until(lambda _, shown=shown: any(t.startswith("✅") for t, _ in next(
                m for m in page.bot_messages() if m["id"] == shown)["buttons"]))
            page.click(".inline-button", actions["done"][1], message["id"])
        else:
            page.driver.find_element("id", "photo-input").send_keys(str(photo))
            receipt, receipt_actions = question(after)
            after = receipt["id"]
            page.click(".inline-button", receipt_actions["done"][1], receipt["id"])
