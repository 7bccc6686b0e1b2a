"""Reference outputs of framework exercises ship with the content, so a one-shot check never
imports PyTorch or TensorFlow in the grading process (only in the sandboxed child)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from deepcareer.curriculum.catalog import Catalog
from deepcareer.curriculum.tracks import TRACKS
from deepcareer.grading import references
from deepcareer.grading.compare import compare
from deepcareer.grading.grader import build_cases, expected_outputs
from deepcareer.grading.spec import Case
from tests.conftest import track_skip

FRAMEWORK_EXERCISES = {
    "pytorch": ["torch-autograd", "torch-cnn", "torch-lstm-classifier", "torch-mlp-digits",
                "torch-training-loop"],
    "tensorflow": ["tf-custom-loop", "tf-gradient-tape", "tf-keras-digits"],
}
ALL = [pytest.param(e, marks=track_skip(t), id=e)
       for t, ids in FRAMEWORK_EXERCISES.items() for e in ids]


def test_the_list_above_is_every_framework_exercise(catalog: Catalog) -> None:
    on_tracks = sorted(ex.id for ex in catalog if TRACKS[ex.meta.track].module)
    assert on_tracks == sorted(e for ids in FRAMEWORK_EXERCISES.values() for e in ids)


def _same(shipped: object, live: object) -> None:
    """Same structure and kinds of value, and equal values (tensors as arrays)."""
    if isinstance(live, tuple | list):
        assert type(shipped) is type(live) and len(shipped) == len(live)  # type: ignore[arg-type]
        for s, v in zip(shipped, live, strict=True):  # type: ignore[call-overload]
            _same(s, v)
        return
    if isinstance(live, dict):
        assert isinstance(shipped, dict) and shipped.keys() == live.keys()
        for k in live:
            _same(shipped[k], live[k])
        return
    if hasattr(live, "detach"):
        live = live.detach().numpy()  # type: ignore[attr-defined]
    elif hasattr(live, "numpy") and not isinstance(live, np.ndarray | np.generic):
        live = live.numpy()  # type: ignore[attr-defined]
    assert np.asarray(shipped).dtype == np.asarray(live).dtype
    assert np.shape(shipped) == np.shape(live)  # type: ignore[arg-type]
    assert compare(shipped, live, rtol=1e-12, atol=1e-12) is None


@pytest.mark.parametrize("exercise_id", ALL)
def test_shipped_reference_outputs_are_current_and_equal_the_reference(
        exercise_id: str, catalog: Catalog) -> None:
    """Fails when solution.py, checks.py or the framework changed since the outputs were
    computed: run `make frameworks`. Shipped values must be what the reference returns."""
    ex = catalog.get(exercise_id)
    assert not references.stale(ex), (
        f"{exercise_id}: shipped reference outputs are stale; run `make frameworks`")
    for seed in (0, references.BANK - 1):
        cases = build_cases(ex, seed)
        shipped = references._read(ex)
        live = expected_outputs(ex, cases)
        used = references.expected(ex, cases)
        hits = 0
        for case, want, got in zip(cases, live, used, strict=True):
            if case.judge is not None:
                assert got is None
                continue
            key = references.case_key(case)
            assert key in shipped, f"{exercise_id} seed {seed}: {case.call} not shipped"
            _same(shipped[key], want)
            _same(got, want)
            hits += 1
        assert hits >= 3


@pytest.mark.parametrize("exercise_id", ALL)
def test_a_check_draws_a_seed_from_the_bank(exercise_id: str, catalog: Catalog) -> None:
    ex = catalog.get(exercise_id)
    seeds = {references.draw_seed(ex) for _ in range(200)}
    assert seeds <= set(range(references.BANK)) and len(seeds) > 4


def test_a_case_outside_the_file_or_a_stale_stamp_is_computed_live(
        catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    ex = catalog.get("softmax")  # NumPy track: nothing ships, everything is live
    assert references.path(ex) is None
    cases = build_cases(ex, 123)
    got, want = references.expected(ex, cases), expected_outputs(ex, cases)
    for g, w in zip(got, want, strict=True):
        assert compare(g, w) is None
    assert references.draw_seed(ex) >= 0

    calls: list[str] = []
    real = ex.reference_function

    def counting(name: str):  # type: ignore[no-untyped-def]
        calls.append(name)
        return real(name)

    monkeypatch.setattr(type(ex), "reference_function", lambda _self, name: counting(name))
    fake = Case("softmax", [np.array([[0.5, 0.25]])])
    monkeypatch.setattr(references, "_fits", lambda _ex: True)
    monkeypatch.setattr(references, "_read", lambda _ex: {})
    out = references.expected(ex, [fake])
    assert calls == ["softmax"] and compare(out[0], np.array([[0.5621765, 0.4378235]]),
                                            rtol=1e-6) is None


def test_case_keys_follow_every_input() -> None:
    a = Case("f", [np.array([1.0, 2.0])], kwargs={"k": 3})
    assert references.case_key(a) == references.case_key(
        Case("f", [np.array([1.0, 2.0])], kwargs={"k": 3}))
    different = [
        Case("g", [np.array([1.0, 2.0])], kwargs={"k": 3}),  # another function
        Case("f", [np.array([1.0, 2.5])], kwargs={"k": 3}),  # a value
        Case("f", [np.array([1.0, 2.0], dtype=np.float32)], kwargs={"k": 3}),  # a dtype
        Case("f", [np.array([[1.0, 2.0]])], kwargs={"k": 3}),  # a shape
        Case("f", [np.array([1.0, 2.0])], kwargs={"k": 4}),  # a keyword
        Case("f", [[1.0, 2.0]], kwargs={"k": 3}),  # a list, not an array
    ]
    keys = {references.case_key(c) for c in different} | {references.case_key(a)}
    assert len(keys) == len(different) + 1
    assert references.case_key(Case("f", [object()])) is None


def test_the_shipped_file_round_trips_every_kind_of_output(tmp_path: Path) -> None:
    value = (np.arange(3.0), np.float32(1.5), 2.0, 3, True,
             [np.eye(2, dtype=np.float32), {"loss": [0.5, 0.25]}])
    arrays: dict[str, np.ndarray] = {}
    spec = references._encode(value, arrays)
    np.savez(tmp_path / "f.npz", **arrays)
    with np.load(tmp_path / "f.npz") as data:
        back = references._decode(json.loads(json.dumps(spec)), data)
    _same(back, value)
    assert type(back[1]) is np.float32 and type(back[2]) is float and type(back[3]) is int
    with pytest.raises(TypeError):
        references._encode({"x": object()}, {})


CHILD = """
import sys
from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases, grade
catalog = default_catalog()
for name in {ids!r}:
    ex = catalog.get(name)
    build_cases(ex, 3)
    ex.checks.misconceptions  # loaded, not run
assert {module!r} not in sys.modules, "checks.py imported the framework"
ex = catalog.get({first!r})
report = grade(ex, ex.reference_source)
assert report.status == "pass", report.message
assert {module!r} not in sys.modules, "the grading process imported the framework"
print("ok", report.seed)
"""


@pytest.mark.parametrize("track", [pytest.param(t, marks=track_skip(t))
                                   for t in FRAMEWORK_EXERCISES])
def test_a_one_shot_check_leaves_the_framework_to_the_child(track: str) -> None:
    """checks.py imports its framework inside the variants, and a passing check reads the
    shipped outputs: only the sandboxed child imports PyTorch or TensorFlow."""
    ids = FRAMEWORK_EXERCISES[track]
    code = CHILD.format(ids=ids, module=TRACKS[track].module, first=ids[0])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    seed = int(done.stdout.split()[-1])
    assert 0 <= seed < references.BANK
