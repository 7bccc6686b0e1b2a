"""The review session as a use case: any card starts now, in the terminal and the browser,
and is rated the same way in both."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from deepcareer.app import practice
from deepcareer.app import review as reviews
from deepcareer.app.progress import next_step
from deepcareer.app.session import open_home
from deepcareer.curriculum.catalog import Catalog
from deepcareer.errors import UsageError
from deepcareer.web.app import create_app
from deepcareer.web.security import COOKIE
from tests.conftest import run_cli
from tests.mentor.test_planner import WRONG_SOFTMAX, _log_pass

BASE = "http://127.0.0.1:8765"


@pytest.fixture
def drilled(tmp_path: Path, catalog: Catalog) -> Path:
    """A home where softmax failed with a named mistake, then passed: `next` proposes the
    drill for that mistake, which is not due for review yet."""
    home = tmp_path / "home"
    softmax = catalog.get("softmax")
    with open_home(home) as store:
        for prereq in softmax.meta.prerequisites:
            _log_pass(store, catalog, prereq)
        practice.check_source(store, softmax, softmax.reference_source.replace(*WRONG_SOFTMAX))
        practice.check_source(store, softmax, softmax.reference_source)
    return home


@pytest.fixture
def browser(drilled: Path) -> Iterator[TestClient]:
    with closing(TestClient(create_app(drilled, "t", "127.0.0.1", 8765),
                            base_url=BASE)) as c:  # no warm pool: cold checks
        c.cookies.set(COOKIE, "t")
        yield c


def test_the_proposed_drill_is_not_due_yet_but_starts_now(drilled: Path,
                                                            catalog: Catalog) -> None:
    with open_home(drilled) as store:
        step = next_step(store, catalog)
        assert step.kind == "drill" and step.command == f"deepcareer review {step.id}"
        assert step.title and step.title != step.id  # a title for people, not the id
        assert all(c.ref != step.id for c in reviews.session(store, catalog).due)
        card = reviews.card(store, catalog, step.id)
        assert card.kind == "drill" and card.exercise_id == "softmax" and card.mistake


def test_the_terminal_starts_the_drill_from_the_command_next_prints(drilled: Path) -> None:
    shown = run_cli("next", home=drilled)
    command = next(line.strip() for line in shown.stdout.splitlines()
                   if line.strip().startswith("deepcareer review "))
    args = command.split()[1:]
    assert args[-2] == "--home"  # the command repeats the --home the learner gave
    out = run_cli(*args, input="q\n")
    assert out.returncode == 0, out.stderr
    assert "Nothing is due" not in out.stdout
    assert "The mistake:" in out.stdout and "Re-implement" in out.stdout


def test_the_browser_starts_the_drill_and_a_pass_rates_it(browser: TestClient, drilled: Path,
                                                          catalog: Catalog) -> None:
    with open_home(drilled) as store:
        step = next_step(store, catalog)
    dashboard = browser.get("/").text
    assert f'href="/review/card/{step.id}"' in dashboard and step.title in dashboard
    page = browser.get(f"/review/card/{step.id}")
    assert page.status_code == 200 and step.title in page.text and 'name="code"' in page.text
    began = page.text.split('name="began" value="')[1].split('"')[0]
    softmax = catalog.get("softmax")
    wrong = browser.post(f"/review/card/{step.id}", data={
        "code": softmax.reference_source.replace(*WRONG_SOFTMAX), "action": "check",
        "began": began, "checks": "0", "hints": "0"}).text
    assert 'id="same"' in wrong and 'name="checks" value="1"' in wrong
    done = browser.post(f"/review/card/{step.id}", data={
        "code": softmax.reference_source, "action": "check", "began": began, "checks": "1",
        "hints": "0"}).text
    assert 'id="rating"' in done and "hard" in done  # passed after a retry: Hard
    with open_home(drilled) as store:
        rated = store.reviews(card_id=f"drill:{step.id}")
        assert rated and rated[-1]["source"] == "review"


def test_a_hint_and_a_skip_in_the_browser(browser: TestClient, drilled: Path,
                                          catalog: Catalog) -> None:
    with open_home(drilled) as store:
        step = next_step(store, catalog)
        before = len(store.reviews(card_id=f"drill:{step.id}"))
    hinted = browser.post(f"/review/card/{step.id}", data={"action": "hint"}).text
    assert 'id="hint-box"' in hinted and 'name="hints" value="1"' in hinted
    skipped = browser.post(f"/review/card/{step.id}", data={"action": "skip"}).text
    assert "not rated, it stays due" in skipped  # skipped untried: no lapse
    with open_home(drilled) as store:
        assert len(store.reviews(card_id=f"drill:{step.id}")) == before


def test_a_quiz_card_in_the_browser_asks_again_after_a_typo(browser: TestClient,
                                                            drilled: Path) -> None:
    page = browser.get("/review/card/quiz:classic-ml:0").text
    # the same answer field as the quiz page: radios for a choice, a number field otherwise
    assert 'type="radio" id="answer-a" name="answer"' in page or \
        '<input id="answer" name="answer" type="number"' in page
    seed = page.split('name="seed" value="')[1].split('"')[0]
    typo = browser.post("/review/card/quiz:classic-ml:0",
                        data={"seed": seed, "answer": "zz"}).text
    assert "Not an answer" in typo and 'id="rating"' not in typo
    with open_home(drilled) as store:
        assert store.card("quiz:classic-ml:0") is None  # nothing rated


def test_cards_are_resolved_from_what_people_type(catalog: Catalog) -> None:
    assert reviews.resolve(catalog, "softmax") == ("exercise", "softmax")
    assert reviews.resolve(catalog, "softmax.min-shift") == ("drill", "softmax.min-shift")
    assert reviews.resolve(catalog, "drill:softmax.min-shift") == ("drill", "softmax.min-shift")
    assert reviews.resolve(catalog, "quiz:classic-ml:0") == ("quiz", "classic-ml:0")
    for bad in ("softmax.no-such-mistake", "no-such-exercise", "../etc", "quiz:classic-ml:99"):
        with pytest.raises(UsageError):
            reviews.resolve(catalog, bad)


def test_unknown_cards_are_a_clear_error_in_both_faces(browser: TestClient,
                                                       drilled: Path) -> None:
    out = run_cli("review", "softmax.no-such-mistake", home=drilled)
    assert out.returncode != 0 and "no mistake called" in out.stderr
    assert "Traceback" not in out.stderr
    assert browser.get("/review/card/softmax.no-such-mistake").status_code in (400, 404)
    assert browser.get("/review/card/..%2Fetc").status_code == 404
