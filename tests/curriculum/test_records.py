"""Content records: every malformed field is refused with its name and the rule."""

from __future__ import annotations

from typing import Any

import pytest

from deepcareer.curriculum.records import RecordError, build, dump
from deepcareer.curriculum.schema import BKTParams, ExerciseMeta, Skill

GOOD: dict[str, Any] = {
    "id": "softmax", "title": "Softmax", "area": "fundamentals", "skills": ["softmax"],
    "difficulty": 1, "minutes": 10, "track": "numpy",
    "entries": [{"name": "softmax"}], "hints": ["a", "b", "c"]}


def test_a_good_record_round_trips() -> None:
    meta = build(ExerciseMeta, GOOD)
    assert meta.entries[0].name == "softmax" and meta.version == 1 and meta.aliases == []
    assert build(ExerciseMeta, dump(meta)) == meta


@pytest.mark.parametrize(("change", "message"), [
    ({"difficulty": 9}, "difficulty: must be at most 5 (got 9)"),
    ({"difficulty": 0}, "difficulty: must be at least 1"),
    ({"difficulty": True}, "difficulty: expected int, got True"),
    ({"minutes": "ten"}, "minutes: expected int"),
    ({"skills": []}, "skills: needs at least 1 item"),
    ({"skills": "softmax"}, "skills: expected a list"),
    ({"hints": ["a", 2, "c"]}, "hints[1]: expected str"),
    ({"track": "jax"}, "track: must be one of"),
    ({"id": "Soft Max"}, "id: 'Soft Max' is not a lowercase-hyphenated slug"),
    ({"entries": [{"name": "1x"}]}, "entries[0].name: '1x' is not a Python identifier"),
    ({"entries": [{"name": "f", "extra": 1}]}, "entries[0]: unknown field(s) extra"),
    ({"colour": "red"}, "unknown field(s) colour"),
])
def test_bad_fields_are_named(change: dict[str, Any], message: str) -> None:
    with pytest.raises(RecordError) as info:
        build(ExerciseMeta, {**GOOD, **change})
    assert message in str(info.value)


def test_missing_required_field_is_named() -> None:
    data = dict(GOOD)
    del data["title"]
    with pytest.raises(RecordError, match="title: required"):
        build(ExerciseMeta, data)


def test_nested_defaults_and_ranges() -> None:
    skill = build(Skill, {"id": "bp", "title": "Backprop", "description": "d",
                          "bkt": {"prior": 0.2, "learn": 1}})
    assert skill.bkt == BKTParams(prior=0.2, learn=1.0, guess=0.15, slip=0.1)
    with pytest.raises(RecordError, match=r"bkt.slip: must be below 0.5"):
        build(Skill, {"id": "bp", "title": "t", "description": "d", "bkt": {"slip": 0.5}})
    with pytest.raises(RecordError, match="expected a table"):
        build(Skill, ["not", "a", "table"])
