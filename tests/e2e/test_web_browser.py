"""The whole loop in a real browser (Debian's chromium through Playwright): a new learner
opens the dashboard, starts softmax, types a naive solution into the editor, checks, sees
the misconception named, asks a hint, fixes it, passes and sees mastery change. Foreign
origins and hosts are refused. Screenshots of every page land in test-artifacts/web/."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_portfolio_browser import ARGS, CHROMIUM, require_browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
TOKEN = "browser-test-token"
SOFTMAX_TITLE = "Softmax over the last axis, numerically stable"
NAIVE = '''import numpy as np


def softmax(logits):
    exps = np.exp(logits)
    return exps / np.sum(exps, axis=-1, keepdims=True)
'''


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_browser()
    import uvicorn

    from deepcareer.web.app import create_app
    from deepcareer.web.server import free_port

    home = tmp_path_factory.mktemp("web") / "home"
    port = free_port(8790)
    server = uvicorn.Server(uvicorn.Config(create_app(home, TOKEN, "127.0.0.1", port),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _shot(page: Any, name: str) -> None:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000


def test_a_new_learner_goes_round_the_loop(app_url: str) -> None:
    from playwright.sync_api import sync_playwright

    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            page.goto(f"{app_url}/?token={TOKEN}")  # the startup URL signs in
            assert "token" not in page.url
            assert "Your next step" in page.locator("h1").inner_text()
            _shot(page, "dashboard-new")
            page.get_by_role("link", name="Exercises", exact=True).click()
            page.get_by_role("link", name=SOFTMAX_TITLE, exact=True).click()
            page.wait_for_selector(".cm-content, .deepcareer-editor")
            _shot(page, "exercise-start")
            before = page.locator("body").inner_text()
            _type_into_editor(page, NAIVE)
            page.keyboard.press("Control+Enter")  # the check shortcut
            page.wait_for_selector("#report")
            report = page.locator("#report").inner_text()
            assert "Not yet" in report and "without subtracting the maximum" in report, report
            _shot(page, "exercise-misconception")
            page.get_by_role("button", name="Hint").click()
            page.wait_for_selector("#hint-box")
            assert "Hint 1 of" in page.locator("#hint-box").inner_text()
            fixed = NAIVE.replace("exps = np.exp(logits)",
                                  "exps = np.exp(logits - np.max(logits, axis=-1, "
                                  "keepdims=True))")
            _type_into_editor(page, fixed)
            page.get_by_role("button", name="Check").click()
            page.wait_for_selector(".status-pass")
            mastery = page.locator("#mastery").inner_text()
            assert "Softmax" in mastery and "%" in mastery
            _shot(page, "exercise-passed")
            assert "0 attempts so far" in before
            page.reload()  # the page remembers: the count and the pass survive a reload
            again = page.locator("body").inner_text()
            assert "2 attempts so far" in again and "passed" in again, again[:600]
            for path, name in (("/", "dashboard"), ("/skills", "skills"),
                               ("/exercises", "exercises"), ("/review", "review"),
                               ("/projects", "projects"), ("/projects/mnist1d", "project"),
                               ("/portfolio", "portfolio"), ("/career", "career")):
                response = page.goto(app_url + path)
                assert response is not None and response.status == 200, path
                _shot(page, name)
            dashboard = page.goto(app_url + "/")
            assert dashboard is not None
            assert SOFTMAX_TITLE in page.locator("body").inner_text()  # recent activity
            assert errors == [], errors
            _attacks(page, app_url)
        finally:
            context.close()
            browser.close()


def _type_into_editor(page: Any, code: str) -> None:
    """Replace the editor's text by typing, as a person would (select all, then type)."""
    editor = page.locator(".cm-content").first
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    # CodeMirror auto-indents after a newline: type line by line without leading spaces.
    for line in code.splitlines():
        page.keyboard.press("Home")
        page.keyboard.press("Shift+Home")
        page.keyboard.press("Delete")
        page.keyboard.insert_text(line)
        page.keyboard.press("Enter")
    value = page.locator("#code").input_value()
    assert value.split() == code.split(), value


def _attacks(page: Any, app_url: str) -> None:
    """A page elsewhere cannot post to the app, and a rebinding host gets nothing."""
    status = page.evaluate(
        """async (url) => {
            const r = await fetch(url + "/exercises/softmax/hint",
                                  {method: "POST", headers: {"X-Test": "1"}});
            return r.status; }""", app_url)
    assert status == 200  # same origin, with the cookie: allowed
    request = page.context.request
    evil = request.post(app_url + "/exercises/softmax/hint",
                        headers={"Origin": "https://evil.example"})
    assert evil.status == 403
    rebind = request.get(app_url + "/", headers={"Host": "evil.example"})
    assert rebind.status == 400


PHONE_PAGES = ["/", "/skills", "/exercises", "/exercises/softmax", "/exercises/conv2d",
               "/review", "/quiz/classic-ml", "/quiz/transformers", "/projects",
               "/projects/mnist1d", "/career?role=machine-learning-engineer"]


def test_every_page_fits_a_phone_screen(app_url: str) -> None:
    """At 390 px (a phone held upright) no page scrolls sideways: long editor lines, quiz
    questions, the skill map, plots and tables stay inside the screen."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844},
                                      device_scale_factor=2, is_mobile=True, has_touch=True)
        page = context.new_page()
        page.goto(f"{app_url}/?token={TOKEN}")
        wide = {}
        try:
            for path in PHONE_PAGES:
                page.goto(f"{app_url}{path}")
                page.wait_for_load_state("load")
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 390:
                    wide[path] = width
        finally:
            browser.close()
    assert wide == {}, f"pages wider than the phone's 390 px: {wide}"


def test_every_readmes_maths_typesets(app_url: str) -> None:
    """KaTeX typesets every formula of every exercise README (no `.katex-error`, and a page
    with TeX has rendered maths): the test that the source survives Markdown cannot see
    whether KaTeX knows each command."""
    from playwright.sync_api import sync_playwright

    from deepcareer.curriculum.catalog import default_catalog

    failed: dict[str, list[str]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_context().new_page()
        page.goto(f"{app_url}/?token={TOKEN}")
        try:
            for ex in default_catalog():
                source = ex.readme_path.read_text(encoding="utf-8")
                page.goto(f"{app_url}/exercises/{ex.id}")
                page.wait_for_load_state("load")
                errors = page.eval_on_selector_all(".katex-error",
                                                   "els => els.map(e => e.textContent)")
                rendered = page.locator("#readme .katex").count()
                if errors or ("$" in source and rendered == 0):
                    failed[ex.id] = errors or ["no formula was typeset"]
        finally:
            browser.close()
    assert failed == {}, failed


def test_quiz_maths_typesets(app_url: str) -> None:
    """Every quiz with TeX in its questions or options shows typeset formulas in the
    browser, none left as raw TeX and no `.katex-error`."""
    from playwright.sync_api import sync_playwright

    from deepcareer.app.quiz import sit

    failed: dict[str, str] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_context().new_page()
        page.goto(f"{app_url}/?token={TOKEN}")
        try:
            from deepcareer.app.quiz import quizzes

            for q in quizzes():
                sitting = sit(q.id, seed=1)
                source = " ".join(a.text for a in sitting.asked)
                page.goto(f"{app_url}/quiz/{q.id}")
                page.wait_for_load_state("load")
                main = page.locator("main")
                rendered = main.locator(".katex").count()
                errors = main.locator(".katex-error").count()
                raw = "\\hat" in main.inner_text() or "\\frac" in main.inner_text()
                if errors or raw or ("$" in source and rendered == 0):
                    failed[q.id] = f"{rendered} typeset, {errors} errors, raw TeX: {raw}"
        finally:
            browser.close()
    assert failed == {}, failed
