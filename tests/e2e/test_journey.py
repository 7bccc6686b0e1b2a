"""The learner's journey with the keyboard only (issue 17's acceptance): fail softmax with
the classic mistake, pass it, then follow the dashboard's next step, which leads to
something to do in a few key presses. Tab leaves the editor; the report takes focus. The
web app's portfolio page, built from an empty profile, names every field to fill in.
Screenshots of each step land in ``test-artifacts/journey/`` (git-ignored)."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_accessibility import axe_engine, severe_violations
from tests.e2e.test_portfolio_browser import ARGS, CHROMIUM, require_browser
from tests.e2e.test_web_browser import NAIVE, TOKEN

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "journey"
FIXED = NAIVE.replace("exps = np.exp(logits)",
                      "exps = np.exp(logits - np.max(logits, axis=-1, keepdims=True))")
MAX_TABS = 120


@pytest.fixture(scope="module")
def fresh_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An app over a new learner's home (the journey starts from nothing)."""
    require_browser()
    import uvicorn

    from deepcareer.web.app import create_app
    from deepcareer.web.server import free_port

    home = tmp_path_factory.mktemp("journey") / "home"
    port = free_port(8830)
    server = uvicorn.Server(uvicorn.Config(create_app(home, TOKEN, "127.0.0.1", port),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _focused(page: Any) -> dict[str, str]:
    """What has focus: its tag, text, href, and whether it is inside the code editor."""
    return dict(page.evaluate("""() => {
        let el = document.activeElement, inEditor = false;
        while (el && el.shadowRoot && el.shadowRoot.activeElement) {
            inEditor = true; el = el.shadowRoot.activeElement; }
        return {tag: el ? el.tagName.toLowerCase() : "", inEditor: String(inEditor),
                text: el ? (el.innerText || el.value || "").trim().slice(0, 120) : "",
                href: el && el.getAttribute ? (el.getAttribute("href") || "") : ""};
    }"""))


def tab_to(page: Any, wanted: Any, backwards: bool = False) -> int:
    """Press Tab (or Shift+Tab) until ``wanted(focused)`` holds; the presses it took."""
    for n in range(1, MAX_TABS + 1):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if wanted(_focused(page)):
            return n
    raise AssertionError(f"Tab never reached it; focus is on {_focused(page)}")


def _type_code(page: Any, code: str) -> None:
    """Select all in the focused editor and type ``code`` line by line (the editor
    indents after Enter: each line's automatic indent is cleared first)."""
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    for line in code.splitlines():
        page.keyboard.press("Home")
        page.keyboard.press("Shift+Home")
        page.keyboard.press("Delete")
        page.keyboard.insert_text(line)
        page.keyboard.press("Enter")
    assert page.locator("#code").input_value().split() == code.split()


def _shot(page: Any, name: str) -> None:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000


def test_fail_pass_then_the_next_step_with_the_keyboard_only(fresh_app: str) -> None:
    from playwright.sync_api import sync_playwright

    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            page.goto(f"{fresh_app}/?token={TOKEN}")
            # From the dashboard to softmax with Tab and Enter: Exercises, then its link.
            tab_to(page, lambda f: f["text"] == "Exercises")
            page.keyboard.press("Enter")
            page.wait_for_url("**/exercises")
            tab_to(page, lambda f: f["href"] == "/exercises/softmax")
            page.keyboard.press("Enter")
            page.wait_for_selector(".cm-content")
            tab_to(page, lambda f: f["inEditor"] == "true")
            _type_code(page, NAIVE)
            # Tab leaves the editor (no keyboard trap) and indents nothing.
            page.keyboard.press("Tab")
            assert _focused(page)["inEditor"] == "false", _focused(page)
            assert page.locator("#code").input_value().split() == NAIVE.split()
            page.keyboard.press("Shift+Tab")
            assert _focused(page)["inEditor"] == "true"
            # The documented indent key: Ctrl+] indents the line, Ctrl+[ takes it back.
            typed = page.locator("#code").input_value()
            page.keyboard.press("Control+]")
            indented = page.locator("#code").input_value()
            page.keyboard.press("Control+[")
            assert len(indented) == len(typed) + 4, (typed, indented)
            assert page.locator("#code").input_value() == typed
            page.keyboard.press("Control+Enter")  # check: the classic mistake is named
            page.wait_for_selector("#report")
            report = page.locator("#report").inner_text()
            assert "Not yet" in report and "without subtracting the maximum" in report, report
            focused = _focused(page)
            assert focused["tag"] == "h2" and "Not yet" in focused["text"], focused
            _shot(page, "1-softmax-misconception")
            tab_to(page, lambda f: f["inEditor"] == "true", backwards=True)
            _type_code(page, FIXED)
            page.keyboard.press("Control+Enter")
            page.wait_for_selector(".status-pass")
            assert _focused(page)["tag"] == "h2"
            _shot(page, "2-softmax-passed")
            # Back to the dashboard and its next step, by keyboard: a few presses at most.
            tab_to(page, lambda f: f["text"] == "Dashboard", backwards=True)
            page.keyboard.press("Enter")
            page.wait_for_selector("#next")
            _shot(page, "3-dashboard-next-step")
            step = page.locator("#next a.button")
            target = step.get_attribute("href")
            presses = tab_to(page, lambda f: f["href"] == target)
            assert presses <= 12, presses  # the skip link, the menu, then the step
            page.keyboard.press("Enter")
            page.wait_for_load_state("load")
            _shot(page, "4-after-the-next-step")
            body = page.locator("main").inner_text()
            assert "Nothing is due" not in body and "Not found" not in body, body[:400]
            # Something to do: a control to answer, check or start with, reachable by Tab.
            doable = page.locator("main").locator(
                "textarea, input:not([type=hidden]), button, .cm-content, a.button")
            assert doable.count() > 0, body[:400]
            # The page a step leads to (a drill, a review card) is held to the same bar as
            # the pages the accessibility sweep visits.
            assert severe_violations(axe_engine(), page) == []
            assert errors == [], errors
        finally:
            browser.close()


def test_the_portfolio_page_names_every_field_to_fill_in(fresh_app: str) -> None:
    """Built from an empty profile in the browser, the site is a private preview and the
    page lists each file and field left, as the terminal's refusal does."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        try:
            page.goto(f"{fresh_app}/?token={TOKEN}")
            page.goto(f"{fresh_app}/portfolio")
            tab_to(page, lambda f: f["text"] == "Build a preview")
            page.keyboard.press("Enter")
            page.wait_for_selector("text=Before you publish")
            todo = page.locator("main ul").last.inner_text()
            for field in ("profile.md: name:", "profile.md: email:", "cv.md: Experience:"):
                assert field in todo, todo
            _shot(page, "5-portfolio-to-fill-in")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390  # long paths wrap
            page.goto(f"{fresh_app}/portfolio/site/index.html")
            assert "Private preview, not for publishing" in page.locator("body").inner_text()
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            _shot(page, "6-portfolio-preview")
        finally:
            browser.close()
