"""Export and import round-trip everything, and refuse malformed files clearly."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
        s.set_setting("goal", {"hours_per_week": 5, "role": "data scientist",
                               "target_date": "2027-06-30"})
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
    # Everything travels; the learner's rows arrive marked as imported (never evidence).
    assert again["attempts"] == [{**r, "origin": "imported"} for r in original["attempts"]]
    for key in ("events", "settings", "cards", "reviews"):
        assert again[key] == original[key]
    assert (second["reproduces"], first["verified_by"]) == (first["id"], second["id"])
    assert {first["origin"], second["origin"]} == {"imported"}
    assert "mastery_cursor" not in original["settings"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("not json", "not valid JSON"),
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


def _export(tmp_path: Path) -> dict[str, Any]:
    _fill(tmp_path / "source")
    with open_store(tmp_path / "source") as s:
        return export_data(s)


def _everything(home: Path) -> dict[str, Any]:
    """Every table's rows and the settings: what a refused import must leave as it was."""
    with open_store(home) as s:
        return {t: s.read(f"SELECT * FROM {t} ORDER BY rowid")
                for t in ("attempts", "events", "cards", "reviews", "runs", "settings")}


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change at a dotted path like ``reviews.0.rating``."""
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return change


BAD_RECORDS = [
    ("reviews.0.rating", 9, "reviews[0].rating is 9; it must be from 1 to 4"),
    ("reviews.0.reviewed_at", "x", "reviews[0].reviewed_at is 'x', which is not an ISO 8601"),
    ("reviews.0.reviewed_at", "2027-01-01T09:00:00", "a time without a time zone"),
    ("reviews.0.card_id", "exercise:nope",
     "reviews[0].card_id 'exercise:nope' is not a card in this file or in this home"),
    ("reviews.0.source", "magic", "reviews[0].source is 'magic'; it must be one of"),
    ("attempts.1.status", "great", "attempts[1].status is 'great'; it must be one of pass"),
    ("attempts.1.status", ["pass"], "attempts[1].status must be text, not a list"),
    ("attempts.0.exercise_id", 5, "attempts[0].exercise_id must be text, not a number"),
    ("attempts.0.content_version", "1", "attempts[0].content_version must be a whole number"),
    ("attempts.0.content_version", 10**30, "attempts[0].content_version is"),
    ("attempts.0.duration_s", -1, "attempts[0].duration_s is -1"),
    ("attempts.0.findings", "{}", "attempts[0].findings must hold a list"),
    ("attempts.0.findings", "[1]", "attempts[0].findings item 0 must be an object"),
    ("attempts.0.report", "not json", "attempts[0].report is not valid JSON"),
    ("attempts.0.code", "#" * 200_001, "attempts[0].code is 200,001 bytes"),
    ("attempts.0.isolation", "none", "attempts[0].isolation is 'none'; it must be one of os"),
    ("attempts.0.colour", "red", "attempts[0]: unknown field 'colour'"),
    ("events.0.data", "[]", "events[0].data must hold an object"),
    ("cards.0.card", '{"due": "x"}', "cards[0].card lacks 'card_id'"),
    ("cards.0.id", "exercise:other", "the exercise card for 'softmax' has the id"),
    ("cards.0.kind", "flash", "cards[0].kind is 'flash'"),
    ("runs.1.reproduces", 999, "runs[1].reproduces is 999, which is not the id of a run"),
    ("runs.0.passed", 2, "runs[0].passed is 2; it must be from 0 to 1"),
    ("runs.0.status", "won", "runs[0].status is 'won'"),
    ("settings.goal", {"hours": -5, "by": "not a date"},
     "settings.goal has an unknown field 'by'"),
    ("settings.goal.hours_per_week", -5, "settings.goal.hours_per_week: Weekly hours should "
     "be between 0 and 80"),
    ("settings.goal.target_date", "not a date", "settings.goal.target_date: 'not a date' is "
     "not a date"),
    ("settings.goal", [], "settings.goal must be an object"),
    ("settings.hours", -5, "settings: 'hours' is not a setting deepcareer knows"),
    ("settings.self_reported_skills", [1], "settings.self_reported_skills must be a list"),
    ("settings", [], "settings: must be an object, not a list"),
    ("attempts", {"a": 1}, "attempts: must be a list of records, not an object"),
    ("attempts.0", "row", "attempts[0]: must be an object, not a string"),
    ("notes", [], "'notes' is not a table of a deepcareer export"),
    ("format_version", "1", "format_version must be a whole number"),
]


@pytest.mark.parametrize(("path", "value", "fragment"), BAD_RECORDS,
                         ids=[f"{p}={str(v)[:20]}" for p, v, _ in BAD_RECORDS])
def test_a_bad_record_is_named_and_nothing_is_imported(
        tmp_path: Path, path: str, value: Any, fragment: str) -> None:
    data = _export(tmp_path)
    _set(path, value)(data)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    target = tmp_path / "target"
    with open_store(target) as s:  # a home with history of its own
        s.add_attempt(exercise_id="relu", content_version=1, status="pass")
        s.set_setting("goal", {"hours_per_week": 3})
    before = _everything(target)
    with open_store(target) as s, pytest.raises(UsageError) as caught:
        import_file(s, bad)
    assert fragment in caught.value.message
    assert _everything(target) == before


def test_records_are_checked_before_any_is_written(tmp_path: Path) -> None:
    """All or nothing: a bad record at the very end keeps every good one before it out."""
    data = _export(tmp_path)
    data["runs"][-1]["seed"] = "zero"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    with open_store(tmp_path / "t") as s:
        with pytest.raises(UsageError, match=r"runs\[1\]\.seed must be a whole number"):
            import_file(s, bad)
        assert s.attempts() == [] and s.cards() == [] and s.settings() == {}


def test_deep_nesting_and_lone_surrogates_are_refused(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"format": "deepcareer-export", "attempts": ' + "[" * 100_000
                    + "]" * 100_000 + "}")
    surrogate = tmp_path / "surrogate.json"
    data = _export(tmp_path)
    data["attempts"][0]["code"] = "\ud800"
    surrogate.write_text(json.dumps(data))  # json.dumps escapes it as \ud800
    with open_store(tmp_path / "t") as s:
        with pytest.raises(UsageError, match="nested too deeply"):
            import_file(s, deep)
        with pytest.raises(UsageError, match="lone surrogate"):
            import_file(s, surrogate)
        assert s.attempts() == []


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from deepcareer.store import exchange

    monkeypatch.setattr(exchange, "MAX_IMPORT_BYTES", 1_000)
    big = tmp_path / "big.json"
    big.write_text(json.dumps(_export(tmp_path)))
    with open_store(tmp_path / "t") as s:
        with pytest.raises(UsageError, match=r"deepcareer imports files up to 1,000 bytes"):
            import_file(s, big)
        assert s.attempts() == []


def test_older_exports_without_isolation_and_reviews_of_cards_here_are_accepted(
        tmp_path: Path) -> None:
    data = _export(tmp_path)
    for row in [*data["attempts"], *data["runs"]]:
        row.pop("isolation", None)  # written before migration 0004
    data["attempts"][0]["isolation"] = "os"
    cards, data["cards"] = data["cards"], []  # the card is already in the target home
    old = tmp_path / "old.json"
    old.write_text(json.dumps(data))
    with open_store(tmp_path / "t") as s:
        with s.transaction() as conn:
            for card in cards:
                conn.execute("INSERT INTO cards (id, kind, ref, created_at, due, card) "
                             "VALUES (:id, :kind, :ref, :created_at, :due, :card)", card)
        assert import_file(s, old)["reviews"] == 1
        if "isolation" in s.columns("attempts"):
            assert [a["isolation"] for a in s.attempts()] == ["os", "guard"]


def test_record_rules_know_every_value_deepcareer_writes() -> None:
    from typing import get_args

    from deepcareer.grading.report import Status
    from deepcareer.mentor.review import Kind
    from deepcareer.projects.report import STATUS_WORDS
    from deepcareer.store import records

    assert set(records.ATTEMPT_STATUSES) == set(get_args(Status))
    assert set(records.RUN_STATUSES) == set(STATUS_WORDS)
    assert set(records.CARD_KINDS) == set(get_args(Kind))
