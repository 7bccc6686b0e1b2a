"""The terminal, the browser and the mentor's report agree, for the same home, on a
project's result, a role's readiness and a skill's mastery: they read one application
layer, and this test would catch a face that decided for itself."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from deepcareer.app import practice
from deepcareer.app.progress import report_data
from deepcareer.app.session import open_home
from deepcareer.curriculum.catalog import Catalog
from deepcareer.web.app import create_app
from deepcareer.web.security import COOKIE
from tests.conftest import run_cli

ROW = {"project_id": "digits-mlp", "seed": 0, "duration_s": 1.0, "code_sha256": "mine",
       "code": "", "result": {}}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real checks of two exercises, a quiz, and project runs whose representative is not
    the latest: a verified pass (run 1) followed by a later failure (run 3) and a run of
    our reference (run 4) that passed."""
    from deepcareer.app.session import catalog as load

    catalog = load()
    home = tmp_path_factory.mktemp("agree") / "home"
    with open_home(home) as store:
        for ex_id in ("activations", "softmax"):
            ex = catalog.get(ex_id)
            mine = ex.reference_source + "\n\n# written by the learner\n"
            practice.check_source(store, ex, mine)
        first = store.add_run(**ROW, status="pass", metric=0.975, passed=1)
        store.mark_verified(first, store.add_run(**ROW, status="pass", metric=0.974,
                                                 passed=1, reproduces=first))
        store.add_run(**ROW, status="fail", metric=0.80, passed=0)
        store.add_run(**ROW | {"code_sha256": "ours"}, status="pass", metric=0.99, passed=1,
                      origin="reference")
        store.add_event("quiz:classic-ml", "quiz", {"seed": 1, "score": 3, "total": 3,
                                                    "misconceptions": []})
    return home


@pytest.fixture(scope="module")
def browser(home: Path) -> Iterator[TestClient]:
    with closing(TestClient(create_app(home, "t", "127.0.0.1", 8765),
                            base_url="http://127.0.0.1:8765")) as c:  # no warm pool
        c.cookies.set(COOKIE, "t")
        yield c


def _json(*args: str, home: Path) -> object:
    out = run_cli(*args, "--json", home=home)
    assert out.stdout, out.stderr
    return json.loads(out.stdout)


def test_a_project_result_is_the_same_run_everywhere(home: Path, browser: TestClient,
                                                     catalog: Catalog) -> None:
    listed = {r["id"]: r for r in _json("project", "list", home=home)}["digits-mlp"]
    assert (listed["status"], listed["verified"], listed["metric"]) == ("pass", True, 0.975)
    with open_home(home) as store:
        reported = {p["project"]: p for p in report_data(store, catalog)["projects"]}
    assert reported["digits-mlp"]["run"] == 1 and reported["digits-mlp"]["verified"]
    assert reported["digits-mlp"]["metric"] == listed["metric"]
    page = browser.get("/projects").text
    row = page[page.index('href="/projects/digits-mlp"'):]
    row = row[:row.index("</tr>")]
    assert "97.5" in row and "(verified)" in row
    detail = browser.get("/projects/digits-mlp").text
    assert re.search(r"Your result: 97\.5[^<]*</strong>, run #1\b", detail)


def test_a_roles_readiness_is_the_same_everywhere(home: Path, browser: TestClient) -> None:
    cli = _json("career", "readiness", "data-scientist", home=home)
    assert isinstance(cli, dict)
    pct = round(100 * cli["score"])
    page = browser.get("/career?role=data-scientist").text
    assert f"Data scientist: {pct}%" in page or f": {pct}% " in page
    unknown = browser.get("/career?role=machine-learnin")
    assert unknown.status_code == 400 and "Did you mean" in unknown.text  # never a guess


def test_a_skills_mastery_is_the_same_everywhere(home: Path, browser: TestClient,
                                                  catalog: Catalog) -> None:
    cli = _json("progress", home=home)
    assert isinstance(cli, dict)
    with open_home(home) as store:
        reported = {m["skill"]: m["p"] for m in report_data(store, catalog)["mastery"]}
    page = browser.get("/skills").text
    shown = dict(re.findall(r'data-skill="([^"]+)" data-percent="(\d+)"', page))
    assert reported, "the fixture's checks give some skills evidence"
    for sid, p in reported.items():
        assert round(cli["skills"][sid], 4) == round(p, 4)
        assert int(shown[sid]) == round(100 * p)
        assert f"{catalog.skills[sid].title}</a>: {round(100 * p)}%" in page  # the list too
