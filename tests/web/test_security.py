"""Attacks on the web app, each refused: no token, a foreign Host (DNS rebinding), a
foreign Origin (CSRF), inline script, path traversal, and learner code outside the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from deepcareer.web.app import create_app
from deepcareer.web.security import COOKIE

TOKEN = "t0ken-for-tests"
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"


@pytest.fixture
def anon(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(tmp_path / "home", TOKEN, "127.0.0.1", PORT)
    with TestClient(app, base_url=BASE) as client:
        yield client


@pytest.fixture
def client(anon: TestClient) -> TestClient:
    anon.cookies.set(COOKIE, TOKEN)
    return anon


def test_no_token_no_entry(anon: TestClient) -> None:
    for path in ("/", "/exercises/softmax", "/api/next"):
        assert anon.get(path).status_code == 401
    assert anon.get("/?token=wrong").status_code == 401
    assert anon.post("/api/exercises/softmax/check", json={"code": "x"}).status_code == 401


def test_the_startup_url_sets_a_strict_httponly_cookie(anon: TestClient) -> None:
    first = anon.get(f"/?token={TOKEN}", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/"
    cookie = first.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert anon.get("/").status_code == 200  # the cookie now opens the app


def test_a_foreign_host_is_refused_dns_rebinding(client: TestClient) -> None:
    for host in ("evil.example:8765", "127.0.0.1:9999", "attacker.localhost"):
        assert client.get("/", headers={"host": host}).status_code == 400
    assert client.get("/", headers={"host": f"localhost:{PORT}"}).status_code == 200


def test_a_cross_origin_post_is_refused_csrf(client: TestClient) -> None:
    evil = {"origin": "https://evil.example"}
    assert client.post("/exercises/softmax/hint", headers=evil).status_code == 403
    assert client.post("/api/exercises/softmax/check", json={"code": "x"},
                       headers=evil).status_code == 403
    sneaky = {"referer": "https://evil.example/page"}
    assert client.post("/exercises/softmax/hint", headers=sneaky).status_code == 403
    ours = {"origin": BASE}
    assert client.post("/exercises/softmax/hint", headers=ours).status_code == 200


def test_every_response_carries_the_policy(client: TestClient) -> None:
    for path in ("/", "/nope", "/static/app.css"):
        csp = client.get(path).headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
    page = client.get("/").text
    assert "<script>" not in page and "onclick=" not in page and "style=" not in page


@pytest.mark.parametrize("path", [
    "/exercises/..%2f..%2fetc%2fpasswd", "/exercises/%2e%2e", "/projects/..%2f..",
    "/files/reports/mnist1d/..%2f..%2fprogress.db", "/files/reports/..%2f../confusion.png",
    "/portfolio/site/../../progress.db", "/portfolio/site/%2e%2e/%2e%2e/progress.db",
    "/static/../app.py",
])
def test_no_directory_traversal(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (400, 404), (path, response.status_code)
    assert "SQLite format" not in response.text and "def create_app" not in response.text


def test_learner_code_runs_only_in_the_sandbox(client: TestClient, tmp_path: Path) -> None:
    code = ("import numpy as np\n\ndef softmax(logits):\n"
            f"    open({str(tmp_path / 'home' / 'progress.db')!r}, 'rb').read()\n"
            "    return logits\n")
    report = client.post("/api/exercises/softmax/check", json={"code": code}).json()
    assert report["status"] == "error" and "not allow" in report["message"]
