"""Every page renders; the check loop works with and without JavaScript; the browser and
the terminal share one store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.web.app import create_app
from deepcareer.web.security import COOKIE
from tests.conftest import run_cli

TOKEN = "t"
BASE = "http://127.0.0.1:8765"
NAIVE = default_catalog().get("softmax").reference_source.replace("np.max(logits",
                                                                  "np.min(logits")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    # Without the app's lifespan (no warm pool per test): checks here take a cold child;
    # the warm path has its own tests (test_web_attacks, e2e).
    with closing(TestClient(create_app(tmp_path / "home", TOKEN, "127.0.0.1", 8765),
                            base_url=BASE)) as c:
        c.cookies.set(COOKIE, TOKEN)
        yield c


@pytest.mark.parametrize("path", ["/", "/skills", "/exercises", "/exercises/softmax",
                                  "/review", "/quiz", "/quiz/classic-ml", "/projects",
                                  "/projects/mnist1d", "/portfolio",
                                  "/career", "/career?role=nlp-engineer"])
def test_pages_render(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text[:500]
    assert '<html lang="en">' in response.text and "<title>" in response.text


def test_unknown_things_are_a_page_not_a_traceback(client: TestClient) -> None:
    missing = client.get("/exercises/no-such-thing")
    assert missing.status_code == 404 and "no exercise called" in missing.text
    assert "Traceback" not in missing.text
    bad = client.post("/api/exercises/softmax/check", content=b"not json")
    assert bad.status_code == 400 and "code" in bad.json()["error"]


def test_the_check_loop_with_htmx_and_without(client: TestClient, tmp_path: Path) -> None:
    fragment = client.post("/exercises/softmax/check", data={"code": NAIVE},
                           headers={"hx-request": "true"}).text
    assert "Not yet" in fragment and "finding" in fragment and "<html" not in fragment
    hint = client.post("/exercises/softmax/hint").text
    assert "Hint 1 of" in hint
    full = client.post("/exercises/softmax/check", data={"code": NAIVE.replace(
        "np.min(logits", "np.max(logits")}).text
    assert "<html" in full and "Passed" in full and "Mastery now" in full
    saved = (tmp_path / "home" / "workspace" / "softmax.py").read_text()
    assert "np.max(logits" in saved  # the terminal's file is the browser's file
    listed = json.loads(run_cli("list", "--json", home=tmp_path / "home").stdout)
    assert next(r for r in listed if r["id"] == "softmax")["state"] == "passed"


def test_the_api_contract(client: TestClient) -> None:
    report = client.post("/api/exercises/softmax/check", json={"code": NAIVE}).json()
    assert report["status"] == "fail" and report["findings"]
    assert {"version", "exercise", "status", "message", "checks", "duration_s"} <= set(report)
    assert client.get("/api/next").json()["kind"] in {"exercise", "drill", "review"}


def test_career_analysis_in_the_page(client: TestClient) -> None:
    out = client.post("/career/analyze", data={"posting": "Requirements:\n- PyTorch and "
                                               "CNNs\n- 3+ years of experience"},
                      headers={"hx-request": "true"}).text
    assert "PyTorch" in out and "3+ years" in out
    empty = client.post("/career/analyze", data={"posting": ""},
                        headers={"hx-request": "true"}).text
    assert "empty" in empty


def test_a_quiz_in_the_browser_is_judged_and_recorded(client: TestClient,
                                                      tmp_path: Path) -> None:
    from deepcareer.mentor.quiz import get_quiz, questions_for

    form = client.get("/quiz/classic-ml").text
    seed = int(form.split('name="seed" value="')[1].split('"')[0])
    asked = questions_for(get_quiz("classic-ml"), seed)
    from deepcareer.mentor.quiz import Choice
    from deepcareer.store.db import open_store

    # Replies that are not answers are asked again, and nothing is recorded.
    answers = {"seed": str(seed), **{f"q{n}": "zzz" for n in range(len(asked))}}
    out = client.post("/quiz/classic-ml", data=answers).text
    assert "nothing was recorded" in out and "Not an answer" in out
    with open_store(tmp_path / "home") as store:
        assert not store.events(kind="quiz") and store.card("quiz:classic-ml:0") is None

    def wrong(a: object) -> str:  # a readable answer that is not the right one
        q = a.question  # type: ignore[attr-defined]
        if isinstance(q, Choice):
            return chr(97 + (q.answer + 1) % len(q.options)) + ")"  # "b)" reads as b
        return str(float(a.answer) * 7 + 1234.5)  # type: ignore[attr-defined]

    answers = {"seed": str(seed), **{f"q{n}": wrong(a) for n, a in enumerate(asked)}}
    out = client.post("/quiz/classic-ml", data=answers).text
    assert f"Score: 0 of {len(asked)}" in out and "Not quite" in out
    with open_store(tmp_path / "home") as store:
        assert store.events(kind="quiz") and store.card("quiz:classic-ml:0") is not None


def test_a_goal_set_in_the_browser_is_the_terminals_goal(client: TestClient,
                                                        tmp_path: Path) -> None:
    page = client.get("/career").text
    assert 'id="choose-role"' in page  # no goal yet: the page asks, it does not guess
    saved = client.post("/goal", data={"role": "machine-learning-engineer", "hours": "5"},
                        follow_redirects=True)
    assert saved.status_code == 200 and 'id="choose-role"' not in saved.text
    shown = json.loads(run_cli("goal", "--json", home=tmp_path / "home").stdout)
    assert shown["role"] == "machine-learning-engineer" and shown["hours_per_week"] == 5
    bad = client.post("/goal", data={"role": "astronaut"})
    assert bad.status_code == 400 and "no role called" in bad.text
    bad = client.post("/goal", data={"hours": "lots"})
    assert bad.status_code == 400 and "not a number" in bad.text


def test_a_quiz_form_has_radios_for_choices_and_number_fields(client: TestClient) -> None:
    import re

    from deepcareer.mentor.quiz import Choice, get_quiz, questions_for

    for quiz_id in ("classic-ml", "transformers"):
        form = client.get(f"/quiz/{quiz_id}").text
        seed = int(form.split('name="seed" value="')[1].split('"')[0])
        for n, a in enumerate(questions_for(get_quiz(quiz_id), seed)):
            radios = re.findall(rf'<input type="radio" id="q{n}-([a-z])" name="q{n}"', form)
            number = re.search(rf'<input id="q{n}" name="q{n}" type="number" step="any"', form)
            if isinstance(a.question, Choice):
                assert radios == [chr(97 + i) for i in range(len(a.question.options))]
                assert number is None
                for option in a.question.options:  # every option is a labelled radio
                    assert f"{option}</label>" in html_unescape(form)
            else:
                assert radios == [] and number is not None


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)
