"""The portfolio in a real browser: Debian's chromium, headless, driven by Playwright.

Every page of a site built from a fixture store must load with no console error and no
failed request; a screenshot of each page, light and dark, is saved under
``test-artifacts/portfolio/`` for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deepcareer.curriculum.catalog import Catalog
from deepcareer.portfolio.build import build_site
from deepcareer.portfolio.serve import make_server
from deepcareer.store.db import open_store
from tests.portfolio.test_portfolio import fill

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "portfolio"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def require_browser() -> None:
    """Skip without chromium or Playwright; under ``make test`` (which installs both),
    fail instead, so a browser test never passes by skipping."""
    reason = None
    if not CHROMIUM.exists():
        reason = "Debian's chromium is not installed (make test installs it)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "playwright is not installed (pip install -e '.[dev]')"
    if reason and os.environ.get("DEEPCAREER_REQUIRE_EXTRAS"):
        pytest.fail(reason)
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> Iterator[str]:
    require_browser()
    home = tmp_path_factory.mktemp("browser") / "home"
    with open_store(home) as store:
        fill(store)
        result = build_site(store, catalog)
    server = make_server(result.out)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield f"http://{host!s}:{port}/"
    finally:
        server.shutdown()
        server.server_close()


PAGES = ["index.html", "skills.html", "cv.html", "projects/tabular-classic.html"]


def _visit(browser: Any, site: str, scheme: str) -> list[str]:
    """Open every page in one colour scheme; return the console errors seen."""
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
    for name in PAGES:
        response = page.goto(site + name)
        assert response is not None and response.status == 200, name
        assert page.title(), name
        for img in page.locator("img").all():  # every image decoded
            assert img.evaluate("i => i.complete && i.naturalWidth > 0"), name
        shot = ARTIFACTS / f"{name.replace('/', '-')[:-5]}-{scheme}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 5_000
    page.goto(site + "index.html")  # links work in the browser, not only on disk
    page.get_by_role("link", name="Skills").first.click()
    assert page.url.endswith("skills.html")
    context.close()
    return errors


def test_every_page_loads_cleanly_light_and_dark(site: str) -> None:
    from playwright.sync_api import sync_playwright

    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            for scheme in ("light", "dark"):
                assert _visit(browser, site, scheme) == [], scheme
        finally:
            browser.close()


def test_the_home_page_shows_each_project_card_with_its_thumbnail(site: str) -> None:
    """A filled profile and one verified project: the card carries a thumbnail drawn from
    the run's own figures (decoded by the browser), the metric's name and the baseline;
    the contact is a mailto: link; no page is marked a preview."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
            page.goto(site + "index.html")
            card = page.locator(".cards li").first
            thumb = card.locator("img.thumb")
            assert thumb.evaluate("i => i.complete && i.naturalWidth > 0")
            assert "learning_curves.png" in (thumb.get_attribute("src") or "")
            text = card.inner_text()
            assert "Test accuracy" in text and "Baseline:" in text, text
            assert page.locator('a[href^="mailto:"]').count() >= 1
            assert "Private preview" not in page.locator("body").inner_text()
            card.get_by_role("link").first.click()
            assert page.url.endswith("projects/tabular-classic.html")
            page.get_by_role("link", name="The code of run").click()
            assert "def " in page.locator("body").inner_text()  # the exported code
        finally:
            browser.close()
