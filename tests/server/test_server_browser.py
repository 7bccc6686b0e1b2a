"""Issue 18's acceptance in Chromium: an instructor creates a cohort and an assignment, two
learners join by invite and submit, the dashboard shows their mastery and the class's top
misconception, the CSV downloads, and learner B cannot open learner A's submission."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from deepcareer.app import accounts
from tests.e2e.test_portfolio_browser import ARGS, CHROMIUM, require_browser
from tests.e2e.test_web_browser import _type_into_editor
from tests.server.conftest import Stack

PASSWORD = "correct horse battery"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "server"
MINE = """import numpy as np


def softmax(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
"""
NO_SHIFT = MINE.replace("logits - logits.max(axis=-1, keepdims=True)", "logits")


@pytest.mark.slow
def test_a_cohort_in_the_browser(stack: Stack, server: str) -> None:
    require_browser()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    teacher = accounts.create_user(stack.engine, f"t-{uuid.uuid4().hex[:6]}@example.org",
                                   "Tess Teacher", PASSWORD, role="instructor")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            t = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
            t.goto(server)
            t.fill("#email", teacher.email)
            t.fill("#password", PASSWORD)
            t.get_by_role("button", name="Sign in", exact=True).click()
            t.fill("#cohort-name", "Browser cohort")
            t.get_by_role("button", name="Create", exact=True).click()
            cohort_url = t.url
            t.select_option("#item", "exercise:softmax")
            t.get_by_role("button", name="Assign", exact=True).click()
            t.get_by_role("button", name="Make an invite link", exact=True).click()
            link = re.search(r"/join/\S+", t.inner_text("[role=status] code")).group(0)  # type: ignore[union-attr]
            pages = {}
            for name, code in (("Ann", NO_SHIFT), ("Ben", NO_SHIFT)):
                page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
                page.goto(server + link)
                page.fill("#name", name)
                page.fill("#email", f"{name.lower()}-{uuid.uuid4().hex[:6]}@example.org")
                page.fill("#password", PASSWORD)
                page.get_by_role("button", name="Join", exact=True).click()
                page.locator("#assignments").get_by_role("link").first.click()
                _type_into_editor(page, code)  # the local app's editor, typed into
                page.keyboard.press("Control+Enter")  # submits, as the label says
                page.wait_for_selector("#report", timeout=60_000)
                assert "Not yet" in page.inner_text("#report")
                assert page.evaluate("document.documentElement.scrollWidth") <= 390
                page.screenshot(path=str(ARTIFACTS / f"report-{name}.png"), full_page=True)
                pages[name] = page
            ann = pages["Ann"]
            ann_submission = ann.url
            ann.goto(server + "/exercises/softmax")
            _type_into_editor(ann, MINE)
            ann.get_by_role("button", name="Submit for checking", exact=True).click()
            ann.wait_for_selector("#report", timeout=60_000)
            assert "Passed" in ann.inner_text("#report")
            # Ben cannot open Ann's submission.
            refused = pages["Ben"].goto(ann_submission)
            assert refused is not None and refused.status == 403
            assert "not yours to see" in pages["Ben"].inner_text("main")
            # The dashboard: the top misconception, both learners' mastery, the CSV.
            t.goto(cohort_url)
            top = t.inner_text("table >> nth=0")
            assert "maximum" in top and "\t2\t2\t" in top, top  # two failures, two learners
            heat = t.inner_text("table.heatmap")
            assert "Ann" in heat and "Ben" in heat and "✓" in heat
            t.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
            with t.expect_download() as download:
                t.get_by_role("link", name=re.compile("Download results")).click()
            csv_text = Path(download.value.path()).read_text()
            assert csv_text.startswith("Email address,Full name,deepcareer: softmax")
            assert len(csv_text.strip().splitlines()) == 3
        finally:
            browser.close()
