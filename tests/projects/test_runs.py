"""Running a learner's project: results recorded, every mistake named, no leak unseen."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from deepcareer.projects.runs import find_run, run_project, runs_of, verify
from deepcareer.projects.spec import get_project
from deepcareer.store.db import Store
from tests.projects import learners as L

DIGITS = get_project("digits-mlp")


def test_a_working_learner_is_scored_and_recorded(pstore: Store) -> None:
    seen: list[str] = []
    result = run_project(pstore, DIGITS, L.GOOD, seed=3, progress=lambda e: seen.append(
        e["event"]))
    assert result.status == "fail"  # softmax regression lands near 95 %, under the 96 % bar
    assert 0.9 < result.metric < 0.99 and not result.passed
    assert {"start", "params", "epochs", "log", "epoch_end", "done"} <= set(seen)
    (row,) = [r for r in pstore.runs("digits-mlp") if r["id"] == result.id]
    assert row["seed"] == 3 and row["code"] == L.GOOD and row["status"] == "fail"
    stored = row["result"]
    exp = stored["experiments"][0]
    assert exp["params"] == {"lr": 0.5, "epochs": 60} and len(exp["history"]) == 60
    assert stored["environment"]["packages"]["numpy"]
    assert stored["environment"]["cpus"] and len(row["code_sha256"]) == 64
    assert set(stored["baselines"]) == {"majority", "logistic-regression",
                                        "gradient-boosting"}
    assert find_run(pstore, "digits-mlp").id == result.id


def test_test_labels_never_reach_the_child(pstore: Store) -> None:
    spy = L.GOOD.replace("    return X @ W + b", "    import os\n"
                         "    files = sorted(os.listdir(os.path.join(os.getcwd(), 'model')))\n"
                         "    assert 'test_y.npy' not in files, files\n"
                         "    return X @ W + b")
    assert run_project(pstore, DIGITS, spy, record=False).status == "fail"  # scored, no error


def test_a_scaler_fitted_on_the_test_split_is_named(pstore: Store) -> None:
    result = run_project(pstore, DIGITS, L.LEAKY_SCALER)
    assert result.status == "leak" and not result.passed
    assert [c["check"] for c in result.checks] == ["test-statistics"]
    assert "scaler fitted on the test split" in result.checks[0]["message"]


def test_reading_the_dataset_inside_fit_is_named(pstore: Store) -> None:
    """On "NumPy only" scikit-learn is not in the sandbox: the rule stops the import.
    Where any library is allowed, the bundled data's folder is still not mounted."""
    result = run_project(pstore, DIGITS, L.READS_TEST)
    assert not result.passed and result.metric is None
    (rule,) = [c for c in result.checks if c["check"] == "rules"]
    assert "scikit-learn" in rule["message"]
    any_library = replace(DIGITS, spec=replace(DIGITS.spec, libraries=[]))
    result = run_project(pstore, any_library, L.READS_TEST)
    assert result.status == "leak"
    (check,) = [c for c in result.checks if c["severity"] == "leak"]
    assert check["check"] == "test-split-read"
    assert "sklearn/datasets/data" in check["message"]  # the folder the guard refused


@pytest.mark.parametrize(("source", "fragment"), [
    (L.SYNTAX_ERROR, "SyntaxError"),
    (L.NO_PREDICT, "must define fit(train, run) and predict(model, X)"),
    (L.RETURNS_NONE, "predict returned None"),
    (L.WRONG_SHAPE, "expected labels (450,) or class scores (450, 10)"),
    (L.RAISES_IN_FIT, "ZeroDivisionError"),
    (L.NETWORK, "does not allow looking up network addresses"),
])
def test_learner_mistakes_get_a_message_not_a_traceback(pstore: Store, source: str,
                                                         fragment: str) -> None:
    result = run_project(pstore, DIGITS, source, record=False)
    assert result.status == "error" and fragment in result.message
    assert "Traceback" not in result.message


def test_the_failing_line_is_named(pstore: Store) -> None:
    result = run_project(pstore, DIGITS, L.RAISES_IN_FIT, record=False)
    line = L.RAISES_IN_FIT.splitlines().index("    1 / 0") + 1
    assert f"at line {line}" in result.message


def test_an_endless_fit_is_stopped_by_the_budget(pstore: Store) -> None:
    result = run_project(pstore, DIGITS, L.LOOPS, budget_s=1.0, record=False)
    assert result.status == "timeout" and "time budget" in result.message


def test_a_memory_bomb_is_contained(pstore: Store) -> None:
    result = run_project(pstore, DIGITS, L.MEMORY_BOMB, record=False)
    assert result.status == "error"
    assert "MemoryError" in result.message or "memory" in result.message


def test_nan_loss_gets_advice(pstore: Store) -> None:
    result = run_project(pstore, DIGITS, L.NAN_LOSS, record=False)
    (check,) = [c for c in result.checks if c["check"] == "nan-loss"]
    assert "learning rate" in check["message"]


def test_what_the_learner_prints_is_kept(pstore: Store) -> None:
    result = run_project(pstore, DIGITS, L.PRINTS, record=False)
    assert "trained, last loss logged" in result.output


def test_a_deterministic_run_is_verified(pstore: Store) -> None:
    project = get_project("tabular-classic")
    first = run_project(pstore, project, L.STANDARDISED, seed=1)
    assert first.passed, first.message
    original, again, ok = verify(pstore, project)
    assert ok and original.id == first.id
    assert original.verified_by == again.id and again.reproduces == original.id
    assert again.seed != first.seed  # a seed the tool drew, not the learner's
    assert again.metric is not None and first.metric is not None
    assert abs(again.metric - first.metric) <= project.spec.tolerance


def test_verification_needs_the_same_figure(pstore: Store) -> None:
    """A passing run whose recorded figure the code cannot reproduce is not verified."""
    honest = run_project(pstore, DIGITS, L.GOOD, seed=0)
    fake = pstore.add_run(project_id="digits-mlp", seed=0, status="pass", metric=0.999,
                          passed=1, duration_s=1.0, code_sha256="x", code=L.GOOD,
                          result=json.loads(json.dumps({"experiments": [
                              {"name": "model", "variant": "model", "data": "plain",
                               "status": "ok", "metric": 0.999}]})))
    original, again, ok = verify(pstore, DIGITS, fake)
    assert not ok and original.verified_by is None
    assert again.metric is not None and honest.metric is not None
    assert abs(again.metric - honest.metric) <= DIGITS.spec.tolerance  # the code's figure
    assert [r.id for r in runs_of(pstore, "digits-mlp") if r.reproduces == fake] == [again.id]


def test_a_search_that_failed_in_its_thread_is_done_again_before_it_counts(
        tmp_path: Path) -> None:
    """The held-out-rows search runs in a thread; a fault there is retried in the
    caller's thread, and only a second failure becomes a "could not be searched"."""
    from concurrent.futures import Future

    from deepcareer.projects.datasets import load_dataset
    from deepcareer.projects.runs import HeldOutScan

    ds = load_dataset("digits", tmp_path)
    failed: Future[int] = Future()
    failed.set_exception(RuntimeError("the thread's fault"))
    with HeldOutScan("", None) as scan:
        scan.jobs = [("your project.py", failed, lambda: len(ds.test.X))]
        (found,) = scan.checks(ds)
        assert found["severity"] == "leak" and "your project.py" in str(found["message"])

        def broken() -> int:
            raise RuntimeError("again")

        scan.jobs = [("your project.py", failed, broken)]
        (refused,) = scan.checks(ds)
        assert refused["severity"] == "refused" and "could not be searched" in str(
            refused["message"])
