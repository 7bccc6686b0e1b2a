"""axe-core on every page of the web app and of the built portfolio, on a phone (390x844)
and a laptop (1366x768), in light and dark (prefers-color-scheme emulated): any serious or
critical violation fails the test, named by page, viewport, scheme, rule and element, and
so does a page wider than the screen.

axe-core comes from the ``axe-playwright-python`` dev dependency (it bundles
``axe.min.js``; nothing is fetched at test time). It reads open shadow roots, so the code
editor's own colours are checked too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deepcareer.curriculum.catalog import Catalog
from tests.e2e.test_portfolio_browser import ARGS, CHROMIUM, require_browser
from tests.e2e.test_portfolio_browser import site as site
from tests.e2e.test_web_browser import TOKEN
from tests.e2e.test_web_browser import app_url as app_url

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 768}}
SCHEMES = ("light", "dark")
SEVERE = ("serious", "critical")
# One page of each kind in every viewport and scheme; the other exercise, quiz and project
# pages share their templates and are swept once each (laptop, both schemes).
APP_PAGES = ["/", "/skills", "/exercises", "/exercises/softmax", "/exercises/conv2d",
             "/review", "/quiz", "/quiz/classic-ml", "/projects", "/projects/mnist1d",
             "/portfolio", "/career", "/career?role=machine-learning-engineer",
             "/no/such/page", "/exercises/no-such-exercise"]


def axe_engine() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def severe_violations(axe: Any, page: Any) -> list[str]:
    """Every serious or critical axe-core violation on the page, one line per element."""
    results = axe.run(page, options={"resultTypes": ["violations"]})
    out = []
    for v in results.response["violations"]:
        if v.get("impact") not in SEVERE:
            continue
        for node in v["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())
            out.append(f"{v['id']} ({v['impact']}): {node['target']} {summary[:220]}")
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            yield b
        finally:
            b.close()


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"


def _sweep(browser: Any, base: str, paths: list[str], viewport: str, scheme: str,
           sign_in: str | None = None, shots: str = "") -> list[str]:
    """axe-core and the width on each page; with ``shots``, a full-page screenshot of each
    under ``test-artifacts/screens/<shots>/`` (git-ignored) for a person to look at."""
    axe = axe_engine()
    context = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme)
    page = context.new_page()
    found: list[str] = []  # one line per violation, in page order
    try:
        if sign_in:
            page.goto(sign_in)
        for path in paths:
            page.goto(base + path)
            page.wait_for_load_state("load")
            page.wait_for_timeout(50)  # let the editor and KaTeX settle
            found += [f"{path} {viewport} {scheme}: {p}" for p in severe_violations(axe, page)]
            if shots:
                name = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-")
                folder = ARTIFACTS / shots
                folder.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(folder / f"{name or 'dashboard'}-{viewport}-"
                                                  f"{scheme}.png"), full_page=True)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > VIEWPORTS[viewport]["width"]:  # nothing may scroll sideways
                found.append(f"{path} {viewport} {scheme}: {width} px wide")
    finally:
        context.close()
    return found


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("scheme", SCHEMES)
def test_app_pages_have_no_serious_violation(browser: Any, app_url: str,
                                             viewport: str, scheme: str) -> None:
    found = _sweep(browser, app_url, APP_PAGES, viewport, scheme,
                   sign_in=f"{app_url}/?token={TOKEN}", shots="app")
    _report(found)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_exercise_quiz_and_project_page(browser: Any, app_url: str,
                                              catalog: Catalog, scheme: str) -> None:
    from deepcareer.app.quiz import quizzes
    from deepcareer.projects.spec import load_projects

    paths = [f"/exercises/{ex.id}" for ex in catalog]
    paths += [f"/quiz/{q.id}" for q in quizzes()]
    paths += [f"/projects/{p}" for p in load_projects()]
    found = _sweep(browser, app_url, paths, "laptop", scheme,
                   sign_in=f"{app_url}/?token={TOKEN}")
    _report(found)


def _report(found: list[str]) -> None:
    if found:  # every violation on its own line, none cut short
        pytest.fail(f"{len(found)} serious or critical axe-core violations:\n"
                    + "\n".join(found), pytrace=False)


PORTFOLIO_PAGES = ["index.html", "skills.html", "cv.html", "projects/tabular-classic.html"]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("scheme", SCHEMES)
def test_portfolio_pages_have_no_serious_violation(browser: Any, site: str,
                                                   viewport: str, scheme: str) -> None:
    found = _sweep(browser, site, PORTFOLIO_PAGES, viewport, scheme, shots="portfolio")
    _report(found)
