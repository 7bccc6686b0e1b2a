"""Every shipped exercise verifies, and verification can fail."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from deepcareer.curriculum.catalog import Catalog, default_catalog
from deepcareer.grading.verify import verify_exercise
from tests.conftest import track_skip

IDS = [ex.id for ex in default_catalog()]
PARAMS = [pytest.param(ex.id, marks=track_skip(ex.meta.track)) for ex in default_catalog()]


@pytest.mark.parametrize("exercise_id", PARAMS)
def test_shipped_exercise_verifies(exercise_id: str, catalog: Catalog) -> None:
    assert verify_exercise(catalog.get(exercise_id)) == []


def _copy_softmax(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    src = default_catalog().get("softmax").folder
    dst = root / "exercises" / "fundamentals" / "softmax"
    shutil.copytree(src, dst)
    shutil.copy(default_catalog().root / "skills.yml", root / "skills.yml")
    toml = dst / "exercise.toml"
    toml.write_text(toml.read_text().replace('prerequisites = ["activations"]',
                                             "prerequisites = []"))
    return dst


def test_verify_fails_when_a_variant_equals_the_reference(tmp_path: Path) -> None:
    folder = _copy_softmax(tmp_path)
    checks = folder / "checks.py"
    text = checks.read_text()
    # Make the min-shift "mistake" the correct max shift: it is now the reference.
    text = text.replace("np.min(logits, axis=-1, keepdims=True)",
                        "np.max(logits, axis=-1, keepdims=True)")
    checks.write_text(text)
    problems = verify_exercise(Catalog(tmp_path / "content").get("softmax"))
    assert any("reference and softmax.min-shift give the same outputs" in p for p in problems)
    assert any("softmax.min-shift is diagnosed as nothing" in p for p in problems)


def test_every_exercise_has_an_oracle_test() -> None:
    # verify cannot tell a wrong reference from a right one; the oracle test can.
    tests = Path(__file__).resolve().parent.parent / "content"
    for exercise_id in IDS:
        assert (tests / f"test_{exercise_id.replace('-', '_')}_oracle.py").exists(), exercise_id
