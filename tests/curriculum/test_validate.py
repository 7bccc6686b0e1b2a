"""Static validation: the shipped content is valid; broken content is caught."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from deepcareer.curriculum.catalog import Catalog, default_catalog
from deepcareer.curriculum.validate import find_cycle, validate_catalog
from deepcareer.errors import ContentError, ExerciseNotFound

REQUIRED_FIRST_EIGHT = ["activations", "softmax", "cross-entropy", "mse", "linear-regression-gd",
                        "dense-layer", "weight-init", "dropout"]


def test_shipped_content_is_valid(catalog: Catalog) -> None:
    assert validate_catalog(catalog) == []


def test_the_first_eight_exercises_exist_on_the_numpy_track(catalog: Catalog) -> None:
    for exercise_id in REQUIRED_FIRST_EIGHT:
        ex = catalog.get(exercise_id)
        assert ex.meta.track == "numpy"
        assert len(ex.checks.misconceptions) >= 3
        assert all(len(m.hints) >= 3 for m in ex.checks.misconceptions)
        assert len(ex.meta.hints) >= 3


def test_find_cycle() -> None:
    assert find_cycle({"a": ["b"], "b": []}) is None
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    src = default_catalog().get("softmax").folder
    shutil.copytree(src, root / "exercises" / "fundamentals" / "softmax")
    shutil.copy(default_catalog().root / "skills.yml", root / "skills.yml")
    return root


def test_unknown_skill_and_prerequisite_are_reported(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    toml = root / "exercises" / "fundamentals" / "softmax" / "exercise.toml"
    toml.write_text(toml.read_text().replace('"broadcasting"]', '"telepathy"]'))
    problems = validate_catalog(Catalog(root))
    assert any("'telepathy' is not in skills.yml" in p for p in problems)
    assert any("'activations' is not an exercise" in p for p in problems)


def test_bad_toml_is_a_content_error_naming_the_file(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    toml = root / "exercises" / "fundamentals" / "softmax" / "exercise.toml"
    toml.write_text(toml.read_text().replace("difficulty = 1", "difficulty = 9"))
    with pytest.raises(ContentError, match=r"exercise\.toml"):
        Catalog(root)


def test_id_must_match_folder(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (root / "exercises" / "fundamentals" / "softmax").rename(
        root / "exercises" / "fundamentals" / "soft")
    with pytest.raises(ContentError, match="must match its folder"):
        Catalog(root)


def test_aliases_follow_renamed_exercises(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    toml = root / "exercises" / "fundamentals" / "softmax" / "exercise.toml"
    text = toml.read_text().replace("version = 1\n", 'version = 1\naliases = ["softmax-v0"]\n')
    toml.write_text(text)
    cat = Catalog(root)
    assert cat.get("softmax-v0").id == "softmax"
    with pytest.raises(ExerciseNotFound):
        cat.get("softmax-v1")


def test_too_few_misconceptions_are_reported(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    checks = root / "exercises" / "fundamentals" / "softmax" / "checks.py"
    text = checks.read_text()
    start = text.index("        Misconception(\n            id=\"softmax.wrong-axis\"")
    checks.write_text(text[:start] + "    ],\n)\n")  # keep only the first misconception
    problems = validate_catalog(Catalog(root))
    assert any("at least 3 misconceptions" in p for p in problems)



def test_order_before_a_prerequisite_is_reported(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    src = default_catalog().get("activations").folder
    shutil.copytree(src, root / "exercises" / "fundamentals" / "activations")
    toml = root / "exercises" / "fundamentals" / "activations" / "exercise.toml"
    toml.write_text(toml.read_text().replace("order = 10", "order = 99"))
    problems = validate_catalog(Catalog(root))
    assert any("softmax: comes before its prerequisites ['activations']" in p for p in problems)
