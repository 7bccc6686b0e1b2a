"""Cross-framework checks: frameworks agree with our references, and name themselves when a
learner's output disagrees with them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from deepcareer.curriculum import tracks
from deepcareer.curriculum.catalog import Catalog
from deepcareer.grading import crosscheck
from deepcareer.grading.compare import compare
from deepcareer.grading.grader import build_cases, case_labels, expected_outputs, grade
from tests.conftest import track_skip

BLOCKS = ["softmax", "cross-entropy", "dense-layer", "conv2d", "lstm-cell"]
needs_both = [track_skip("pytorch"), track_skip("tensorflow")]


def test_at_least_five_blocks_are_covered_by_both_frameworks(catalog: Catalog) -> None:
    covered = [ex.id for ex in catalog
               if any(set(impls) == set(crosscheck.FRAMEWORKS)
                      for impls in crosscheck.implementations(ex).values())]
    assert set(BLOCKS) <= set(covered)


@pytest.mark.parametrize("exercise_id", BLOCKS)
@needs_both[0]
@needs_both[1]
def test_both_frameworks_agree_with_the_reference(exercise_id: str, catalog: Catalog,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # Computed afresh by the frameworks here, not read from the shipped files.
    monkeypatch.setattr(crosscheck, "_shipped_fits", lambda _ex, _fw: False)
    ex = catalog.get(exercise_id)
    cases = build_cases(ex, 0)
    expected = expected_outputs(ex, cases)
    found = crosscheck.agreements(ex, cases, expected, [True] * len(cases), case_labels(cases))
    assert {a.framework for a in found} == {"PyTorch", "TensorFlow"}
    for a in found:
        assert a.status == "agrees", a.sentence()
        assert a.cases >= 3


@needs_both[0]
@needs_both[1]
def test_a_wrong_softmax_is_named_by_each_framework(catalog: Catalog, tmp_path: Path) -> None:
    ex = catalog.get("softmax")
    wrong = ex.reference_source.replace("axis=-1, keepdims=True)\n    return",
                                        "axis=0, keepdims=True)\n    return", 1)
    wrong = wrong.replace("np.sum(exps, axis=-1", "np.sum(exps, axis=0")
    report = grade(ex, wrong, seed=0, frameworks_cache=tmp_path)
    assert report.status == "fail"
    by_name = {f.framework: f for f in report.frameworks}
    assert by_name["PyTorch"].status == by_name["TensorFlow"].status == "disagrees"
    assert "PyTorch disagrees on" in by_name["PyTorch"].message
    assert report.to_dict()["frameworks"][0]["framework"] in ("PyTorch", "TensorFlow")


@needs_both[0]
@needs_both[1]
def test_only_the_disagreeing_framework_is_named(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    ex = catalog.get("softmax")
    table = crosscheck.implementations(ex)

    def first_axis_softmax(logits):  # a framework call with the wrong axis
        e = np.exp(logits - logits.max(axis=0, keepdims=True))
        return e / e.sum(axis=0, keepdims=True)

    patched = {"softmax": {"PyTorch": table["softmax"]["PyTorch"],
                           "TensorFlow": first_axis_softmax}}
    monkeypatch.setattr(crosscheck, "implementations", lambda _ex: patched)
    monkeypatch.setattr(crosscheck, "_shipped_fits", lambda _ex, _fw: False)
    cases = build_cases(ex, 0)
    expected = expected_outputs(ex, cases)
    found = {a.framework: a for a in crosscheck.agreements(
        ex, cases, expected, [True] * len(cases), case_labels(cases))}
    assert found["PyTorch"].status == "agrees"
    assert found["TensorFlow"].status == "disagrees"
    assert found["TensorFlow"].sentence().startswith("TensorFlow disagrees on")


@needs_both[0]
@needs_both[1]
def test_outputs_are_cached_and_stale_files_pruned(catalog: Catalog, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # As with a framework version the shipped outputs were not computed with.
    monkeypatch.setattr(crosscheck, "_shipped_fits", lambda _ex, _fw: False)
    ex = catalog.get("conv2d")
    cases = build_cases(ex, 0)
    assert crosscheck.needs_computing(ex, tmp_path) == ["PyTorch", "TensorFlow"]
    first = crosscheck.framework_outputs(ex, cases, "PyTorch", tmp_path)
    assert crosscheck.needs_computing(ex, tmp_path) == ["TensorFlow"]
    stale = tmp_path / "frameworks" / "conv2d-torch-0000000000000000.npz"
    stale.write_bytes(b"old")
    crosscheck._cache_path(ex, "PyTorch", tmp_path).unlink()
    again = crosscheck.framework_outputs(ex, cases, "PyTorch", tmp_path)
    assert not stale.exists()
    cached = crosscheck.framework_outputs(ex, cases, "PyTorch", tmp_path)
    for i, value in first.items():
        for a, b in zip(value if isinstance(value, tuple) else (value,),
                        cached[i] if isinstance(cached[i], tuple) else (cached[i],), strict=True):
            np.testing.assert_array_equal(a, b)
        assert type(again[i]) is type(value)


def test_a_missing_framework_is_reported_with_its_install_command(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, fake in (("tensorflow", "no_such_tf_xyz"), ("pytorch", "no_such_torch_xyz")):
        monkeypatch.setitem(tracks.TRACKS, name,
                            dataclasses.replace(tracks.TRACKS[name], module=fake))
    ex = catalog.get("softmax")
    cases = build_cases(ex, 0)
    found = crosscheck.agreements(ex, cases, expected_outputs(ex, cases), [True] * len(cases),
                                  case_labels(cases))
    assert [a.status for a in found] == ["not_installed", "not_installed"]
    assert "pip install 'deepcareer[tensorflow]'" in found[1].sentence()


def test_grading_without_a_cache_folder_skips_the_frameworks(catalog: Catalog) -> None:
    ex = catalog.get("softmax")
    assert grade(ex, ex.reference_source, seed=0).frameworks == []


# --- outputs shipped with the content ------------------------------------------------


@pytest.mark.parametrize("exercise_id", BLOCKS)
def test_shipped_outputs_are_current_and_match_the_reference(exercise_id: str,
                                                              catalog: Catalog) -> None:
    """Fails when frameworks.py or checks.py changed since the outputs were computed: run
    `make frameworks`. The shipped values must agree with the reference."""
    ex = catalog.get(exercise_id)
    cases = build_cases(ex, 5)
    expected = expected_outputs(ex, cases)
    table = crosscheck.implementations(ex)
    for framework in crosscheck._named(table):
        stamp = crosscheck.shipped_stamp(ex, framework)
        assert stamp is not None, f"{exercise_id}: no shipped {framework} outputs"
        assert stamp["content"] == crosscheck.content_hash(ex), (
            f"{exercise_id}: shipped {framework} outputs are stale; run `make frameworks`")
        indices = [i for i in crosscheck.fixed_cases(cases, table)
                   if framework in table[cases[i].call]]
        assert len(indices) >= 3
        shipped = crosscheck._read_cache(crosscheck.shipped_path(ex, framework),
                                         crosscheck._keys(cases, indices))
        for i, theirs in shipped.items():
            assert compare(expected[i], theirs, rtol=1e-6, atol=1e-8) is None, (framework, i)


def test_a_stale_stamp_is_not_used(catalog: Catalog, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    ex = catalog.get("softmax")
    fits = crosscheck._shipped_fits(ex, "PyTorch")
    assert fits == (crosscheck.shipped_stamp(ex, "PyTorch")["version"]  # type: ignore[index]
                    == crosscheck.framework_version("PyTorch"))
    monkeypatch.setattr(crosscheck, "content_hash", lambda _ex: "0" * 16)
    assert not crosscheck._shipped_fits(ex, "PyTorch")


@needs_both[0]
@needs_both[1]
def test_a_first_check_reads_the_shipped_outputs(catalog: Catalog, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    ex = catalog.get("softmax")
    for framework in ("PyTorch", "TensorFlow"):
        if not crosscheck._shipped_fits(ex, framework):
            pytest.skip(f"installed {framework} is not the version the outputs were made with")
    assert crosscheck.needs_computing(ex, tmp_path) == []

    def no_computing(*_a: object) -> None:
        raise AssertionError("computed the framework outputs instead of reading them")

    monkeypatch.setattr(crosscheck, "_compute", no_computing)
    report = grade(ex, ex.reference_source, seed=0, frameworks_cache=tmp_path)
    assert [f.status for f in report.frameworks] == ["agrees", "agrees"]
    assert not (tmp_path / "frameworks").exists()
