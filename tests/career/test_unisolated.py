"""Work graded behind the in-process guard only is labelled wherever it counts."""

from __future__ import annotations

from deepcareer.career.evidence import UNISOLATED, skill_evidence, unisolated_passes
from deepcareer.curriculum.catalog import Catalog
from deepcareer.mentor.report import report_data, to_markdown
from deepcareer.store.db import Store


def _pass(store: Store, exercise_id: str, isolation: str) -> None:
    store.add_attempt(exercise_id=exercise_id, content_version=1, status="pass",
                      isolation=isolation)


def test_a_pass_behind_the_guard_only_is_labelled_in_evidence_and_report(
        store: Store, catalog: Catalog) -> None:
    _pass(store, "softmax", "guard")
    _pass(store, "relu-family", "os")
    assert unisolated_passes(store, catalog) == {"softmax"}
    evidence = skill_evidence(store, catalog)
    softmax_lines = [s for e in evidence.values() for s in e.sources if "softmax passed" in s]
    relu_lines = [s for e in evidence.values() for s in e.sources if "relu-family passed" in s]
    assert softmax_lines and all(UNISOLATED in s for s in softmax_lines)
    assert relu_lines and not any(UNISOLATED in s for s in relu_lines)
    data = report_data(store, catalog)
    assert data["passed_without_isolation"] == ["softmax"]
    assert "graded without OS isolation: softmax" in to_markdown(data)


def test_one_pass_inside_the_sandbox_lifts_the_label(store: Store, catalog: Catalog) -> None:
    _pass(store, "softmax", "guard")
    _pass(store, "softmax", "os")
    assert unisolated_passes(store, catalog) == set()
