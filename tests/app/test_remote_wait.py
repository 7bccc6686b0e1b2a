"""``deepcareer submit`` waits for its report in held requests, and still works with an
older class server whose longest hold was 30 s (no network: the requests are faked)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from deepcareer.app import remote


def test_an_older_servers_shorter_hold_is_used_after_its_refusal(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / remote.LOGIN_FILE).write_text(json.dumps(
        {"url": "http://class.example.org", "token": "t", "name": "Ada"}), encoding="utf-8")
    asked: list[str] = []

    def fake(method: str, url: str, body: dict[str, Any] | None = None,
             token: str | None = None, timeout: float = 30.0) -> tuple[int, dict[str, Any]]:
        if method == "POST":
            return 202, {"id": "s1", "state": "queued"}
        asked.append(url.rsplit("?", 1)[1])
        if url.endswith(f"wait={remote.WAIT_S}"):
            return 400, {"detail": "wait is between 0 and 30 seconds."}
        return 200, {"id": "s1", "state": "done", "report": {"status": "pass"}}

    monkeypatch.setattr(remote, "_request", fake)
    assert remote.submit(tmp_path, "softmax", "code") == {"status": "pass"}
    assert asked == [f"wait={remote.WAIT_S}", f"wait={remote.OLD_WAIT_S}"]
