"""Export and import round-trip everything, and refuse malformed files clearly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deepcareer.errors import UsageError
from deepcareer.store.db import open_store
from deepcareer.store.exchange import export_data, export_file, import_file


def _fill(home: Path) -> None:
    with open_store(home) as s:
        s.add_attempt(exercise_id="softmax", content_version=1, status="fail",
                      findings=[{"misconception": "softmax.no-max-shift"}], report={"x": 1},
                      code="def softmax(x): ...", code_sha256="abc")
        s.add_attempt(exercise_id="softmax", content_version=1, status="pass", findings=[],
                      report={})
        s.add_event("softmax", "hint", {"level": 1, "ladder": ""})
        s.set_setting("goal", {"hours": 5})
        from deepcareer.mentor import review

        review.record(s, "exercise", "softmax", review.Rating.Good, source="check")
        s.set_setting("mastery_cursor", {"attempt": 2})  # a cache: must not travel
        # Two runs where the second reproduces the first: the link must survive new ids.
        first = s.add_run(project_id="digits-mlp", seed=0, status="pass", metric=0.97,
                          passed=1, duration_s=1.0, code_sha256="c", code="x", result={})
        second = s.add_run(project_id="digits-mlp", seed=0, status="pass", metric=0.97,
                           passed=1, duration_s=1.0, code_sha256="c", code="x", result={},
                           reproduces=first, created_at="2027-01-01T00:00:00+00:00")
        s.mark_verified(first, second)


def test_round_trip_is_lossless_and_idempotent(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    _fill(a)
    out = tmp_path / "export.json"
    with open_store(a) as s:
        export_file(s, out)
        original = export_data(s)
    with open_store(b) as s:
        s.add_run(project_id="mnist1d", seed=1, status="fail", metric=0.5, passed=0,
                  duration_s=1.0, code_sha256="d", code="y", result={})  # ids will differ
        assert import_file(s, out) == {"attempts": 2, "events": 1, "cards": 1, "reviews": 1,
                                       "runs": 2}
        # merging twice adds nothing
        assert import_file(s, out) == {"attempts": 0, "events": 0, "cards": 0, "reviews": 0,
                                       "runs": 0}
        again = export_data(s)
        first, second = s.runs("digits-mlp")
    for key in ("attempts", "events", "settings", "cards", "reviews"):
        assert again[key] == original[key]
    assert (second["reproduces"], first["verified_by"]) == (first["id"], second["id"])
    assert "mastery_cursor" not in original["settings"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("not json", "not readable JSON"),
        ("[1, 2]", "not a deepcareer export"),
        ('{"format": "deepcareer-export", "attempts": [{"status": "pass"}]}', "lacks"),
        ('{"format": "deepcareer-export", "format_version": 99}', "newer"),
    ],
)
def test_malformed_imports_are_refused_and_change_nothing(
    tmp_path: Path, text: str, fragment: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(text)
    with open_store(tmp_path / "h") as s:
        with pytest.raises(UsageError, match=fragment):
            import_file(s, bad)
        assert s.attempts() == []


def test_import_of_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with open_store(tmp_path / "h") as s, pytest.raises(UsageError, match="no file"):
        import_file(s, tmp_path / "nope.json")


def test_export_is_plain_json(tmp_path: Path) -> None:
    _fill(tmp_path / "a")
    out = tmp_path / "e.json"
    with open_store(tmp_path / "a") as s:
        export_file(s, out)
    data = json.loads(out.read_text())
    assert data["format"] == "deepcareer-export" and len(data["attempts"]) == 2
