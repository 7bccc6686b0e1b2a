"""The terminal's side of a class server: ``deepcareer login URL`` and ``deepcareer submit``.

The server's address and an API token are kept in the learner's home (``server.json``,
mode 0600, written atomically); the password never is. A submission sends only the file:
the server grades it in its own sandbox and the report comes back as a local check's does.
Plain HTTP from the standard library, so the local install needs nothing more.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deepcareer.errors import ServerError, UsageError

LOGIN_FILE = "server.json"
POLL_S = 0.5
#: How long each request for the report may wait on the server (its limit is 60 s; a
#: proxy in front of it must allow a request that long). An older server's limit was 30 s.
WAIT_S = 55
OLD_WAIT_S = 25


@dataclass(frozen=True)
class Login:
    url: str
    token: str
    name: str


def _request(method: str, url: str, body: dict[str, Any] | None = None,
             token: str | None = None, timeout: float = 30.0) -> tuple[int, dict[str, Any]]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, _json(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, _json(err.read())
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise ServerError(f"Cannot reach the class server at {url.split('/api/')[0]}: "
                          f"{reason}. Check the address and your connection.") from err


def _json(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {"detail": "The server answered with something that is not JSON."}
    return value if isinstance(value, dict) else {"detail": str(value)[:200]}


def _base(url: str) -> str:
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"A class server address starts with https:// (or http://), "
                         f"like https://class.example.org, not {url[:60]!r}.")
    return url


def login(home: Path, url: str, email: str, password: str) -> Login:
    """Exchange an email and password for an API token and keep it in ``home``."""
    base = _base(url)
    status, body = _request("POST", f"{base}/api/token", {"email": email, "password": password})
    if status != 200 or "token" not in body:
        raise ServerError(str(body.get("detail") or f"The server refused the sign-in ({status})."))
    found = Login(base, str(body["token"]), str(body.get("name", "")))
    _save(home, found)
    return found


def _save(home: Path, found: Login) -> None:
    home.mkdir(parents=True, exist_ok=True)
    path = home / LOGIN_FILE
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"url": found.url, "token": found.token, "name": found.name}, f)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def current(home: Path) -> Login:
    path = home / LOGIN_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Login(str(data["url"]), str(data["token"]), str(data.get("name", "")))
    except FileNotFoundError:
        raise UsageError("Not signed in to a class server: run `deepcareer login URL` "
                         "first.") from None
    except (ValueError, KeyError, TypeError, OSError):
        raise UsageError(f"{path} is damaged: run `deepcareer login URL` again.") from None


def submit(home: Path, exercise_id: str, code: str, *, wait: bool = True,
           timeout: float = 180.0, kind: str = "exercise") -> dict[str, Any]:
    """Send the file (an exercise's, or a project's with ``kind="project"``); with
    ``wait``, return the report once the server has graded it, else ``{"id": ...,
    "state": "queued"}``."""
    who = current(home)
    status, body = _request("POST", f"{who.url}/api/submissions",
                            {"exercise": exercise_id, "code": code, "kind": kind},
                            who.token)
    if status == 401:
        raise UsageError("The class server no longer knows this login: run "
                         "`deepcareer login URL` again.")
    if status != 202:
        raise ServerError(str(body.get("detail") or f"The server refused it ({status})."))
    if not wait:
        return body
    sub_id = str(body["id"])
    deadline = time.monotonic() + timeout
    longest = WAIT_S
    while time.monotonic() < deadline:
        # The server holds each request until the grade is written (or WAIT_S pass).
        hold = max(1, min(longest, int(deadline - time.monotonic())))
        status, body = _request("GET", f"{who.url}/api/submissions/{sub_id}?wait={hold}",
                                token=who.token, timeout=hold + 30.0)
        if status == 400 and hold > OLD_WAIT_S:  # an older server: its shorter limit
            longest = OLD_WAIT_S
            continue
        if status != 200:
            raise ServerError(str(body.get("detail") or f"The server answered {status}."))
        if body.get("state") == "done" and isinstance(body.get("report"), dict):
            return dict(body["report"])
        time.sleep(POLL_S)  # an older server answers at once: do not spin
    raise ServerError(f"Still waiting for a grader after {timeout:g} s; the submission is "
                      f"recorded ({who.url}/submissions/{sub_id}): look there later.")


def as_report(data: dict[str, Any]) -> Any:
    """A report from the server's JSON, for the terminal's renderer."""
    from deepcareer.grading.report import Report

    return Report.from_dict(data)
