"""Malformed or oversized bodies at every POST route: a sentence, a 4xx, nothing changed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from deepcareer.limits import MAX_CODE_BYTES, MAX_REQUEST_BYTES
from deepcareer.store.db import open_store
from deepcareer.web.app import create_app
from deepcareer.web.security import COOKIE

TOKEN = "t"
BASE = "http://127.0.0.1:8765"
API = "/api/exercises/softmax/check"
FORM = "/exercises/softmax/check"
JSON = {"content-type": "application/json"}
POSTS = [API, FORM, "/exercises/softmax/hint", "/exercises/softmax/solution",
         "/quiz/classic-ml", "/career/analyze", "/portfolio/build"]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def client(home: Path) -> Iterator[TestClient]:
    # Without the app's lifespan: no warm pool to start per test (request handling is
    # what these tests are about; the warm path has its own tests in test_web_attacks).
    with closing(TestClient(create_app(home, TOKEN, "127.0.0.1", 8765), base_url=BASE,
                            raise_server_exceptions=False)) as c:
        c.cookies.set(COOKIE, TOKEN)
        assert c.get("/").status_code == 200  # the store exists from here on
        yield c


def state(home: Path) -> tuple[Any, ...]:
    """What a refused request must not change: the log and every file in the home but
    the database's own."""
    with open_store(home) as s:
        rows = (len(s.attempts()), len(s.events()), len(s.cards()), len(s.reviews()))
    files = sorted(str(p.relative_to(home)) for p in home.rglob("*")
                   if not p.name.startswith("progress.db") and p.name != ".integrity-checked")
    return rows, files


def test_a_body_over_the_limit_is_413_before_it_is_read(client: TestClient, home: Path
                                                        ) -> None:
    before = state(home)
    big = b'{"code": "' + b"#" * (5 * MAX_REQUEST_BYTES) + b'"}'
    response = client.post(API, content=big, headers=JSON)
    assert response.status_code == 413
    detail = response.json()["detail"]
    assert "5,000,012 bytes" in detail and f"{MAX_REQUEST_BYTES:,} bytes" in detail
    form = client.post(FORM, data={"code": "#" * (2 * MAX_REQUEST_BYTES)})
    assert form.status_code == 413 and "<html" in form.text and "accepts requests up to" in \
        form.text
    analysis = client.post("/career/analyze", data={"posting": "x" * (2 * MAX_REQUEST_BYTES)})
    assert analysis.status_code == 413
    assert state(home) == before


def test_a_streamed_body_without_a_length_is_cut_off_at_the_limit(client: TestClient,
                                                                  home: Path) -> None:
    before = state(home)
    sent = {"n": 0}

    def chunks() -> Iterator[bytes]:
        yield b'{"code": "'
        for _ in range(40):
            sent["n"] += 1
            yield b"#" * 100_000
        yield b'"}'

    response = client.post(API, content=chunks(), headers=JSON)
    assert response.status_code == 413 and "over 1,000,000 bytes" in response.json()["detail"]
    assert state(home) == before


def test_code_over_the_code_limit_is_refused_at_every_web_door(client: TestClient, home: Path
                                                               ) -> None:
    before = state(home)
    code = "# padding\n" * (MAX_CODE_BYTES // 10 + 1)  # 200,010 bytes: under the body limit
    api = client.post(API, json={"code": code})
    assert api.status_code == 400
    assert "200,010 bytes" in api.json()["detail"] and "200,000 bytes" in api.json()["detail"]
    page = client.post(FORM, data={"code": code})
    assert page.status_code == 400 and "<html" in page.text and "200,010 bytes" in page.text
    fragment = client.post(FORM, data={"code": code}, headers={"hx-request": "true"})
    assert fragment.status_code == 400 and "<html" not in fragment.text
    assert 'role="alert"' in fragment.text and "200,010 bytes" in fragment.text
    assert state(home) == before


@pytest.mark.parametrize(("body", "fragment"), [
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"code": "def softmax(x):\\n    return \\"\\ud800\\""}', "lone surrogate"),
    (b'{"code": 5}', "'code' is a number; it must be a string"),
    (b'{"code": ["def f(): ..."]}', "'code' is a list"),
    (b'{"code": null}', "'code' is null"),
    (b'{"cod": "x"}', "no 'code' field"),
    (b'["code"]', "is a list; send a JSON object"),
    (b"", "has no body"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b'{"code": NaN}', "not valid JSON"),
    (b"not json", "not valid JSON"),
])
def test_malformed_json_is_a_400_with_a_sentence(client: TestClient, home: Path,
                                                 body: bytes, fragment: str) -> None:
    before = state(home)
    response = client.post(API, content=body, headers=JSON)
    assert response.status_code == 400, response.text[:300]
    assert fragment in response.json()["detail"] and '{"code":' in response.json()["detail"]
    assert response.json()["error"] == response.json()["detail"]  # the older key, kept
    assert state(home) == before  # no attempt, no file, no temp file left behind


@pytest.mark.parametrize("form", [{"seed": "-1"}, {"seed": "99999999999999999999"},
                                  {"seed": "１２"}, {"seed": ""}, {}])
def test_a_tampered_quiz_form_is_a_400_page(client: TestClient, home: Path,
                                            form: dict[str, str]) -> None:
    before = state(home)
    response = client.post("/quiz/classic-ml", data={**form, "q0": "a"})
    assert response.status_code == 400 and "open the quiz again" in response.text
    assert "<html" in response.text
    assert state(home) == before


def test_forms_refuse_missing_fields_and_files(client: TestClient, home: Path) -> None:
    before = state(home)
    missing = client.post(FORM, data={"other": "x"})
    assert missing.status_code == 400 and "no &#39;code&#39; field" in missing.text
    upload = client.post(FORM, files={"code": ("a.py", b"x = 1\n")})
    assert upload.status_code == 400 and "is a file" in upload.text
    mangled = client.post(FORM, content=b"code=%ED%A0%80",  # a surrogate, UTF-8 encoded
                          headers={"content-type": "application/x-www-form-urlencoded"})
    assert mangled.status_code == 400 and "not UTF-8" in mangled.text
    as_json = client.post(FORM, json={"code": "x = 1"})
    assert as_json.status_code == 415 and "takes a form" in as_json.text
    assert state(home) == before


@pytest.mark.parametrize("path", POSTS)
@pytest.mark.parametrize(("body", "headers"), [
    (b"[" * 100_000, JSON),
    (b'{"code": "\\udc00"}', JSON),
    (b"\xff" * 1000, {"content-type": "application/x-www-form-urlencoded"}),
    (b"code=%ED%A0%80&seed=1", {"content-type": "application/x-www-form-urlencoded"}),
    (b"--x\r\nbroken", {"content-type": "multipart/form-data; boundary=x"}),
    (b"{}", {"content-type": "application/json", "content-length": "nonsense"}),
])
def test_no_post_route_answers_500(client: TestClient, path: str, body: bytes,
                                   headers: dict[str, str]) -> None:
    response = client.post(path, content=body, headers=headers)
    assert response.status_code < 500, (path, response.status_code, response.text[:300])
    assert "Traceback" not in response.text
