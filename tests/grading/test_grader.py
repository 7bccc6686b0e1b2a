"""The acceptance cases of the grader, on the softmax exercise."""

from __future__ import annotations

import numpy as np
import pytest

from deepcareer.curriculum.catalog import Catalog, Exercise
from deepcareer.grading.grader import build_cases, grade
from deepcareer.grading.sandbox import Limits

NAIVE = """import numpy as np

def softmax(logits):
    e = np.exp(logits)
    return e / e.sum(axis=-1, keepdims=True)
"""


@pytest.fixture(scope="module")
def softmax(catalog: Catalog) -> Exercise:
    return catalog.get("softmax")


def test_reference_passes(softmax: Exercise) -> None:
    rep = grade(softmax, softmax.reference_source)
    assert rep.status == "pass", rep.message
    assert all(c.status == "pass" for c in rep.checks)
    assert rep.findings == []


def test_naive_softmax_is_diagnosed_as_missing_the_max_shift(softmax: Exercise) -> None:
    rep = grade(softmax, NAIVE)
    assert rep.status == "fail"
    assert [f.misconception for f in rep.findings] == ["softmax.no-max-shift"]
    assert rep.findings[0].confidence == "diagnosed"
    assert "1000" in rep.findings[0].evidence
    assert rep.findings[0].hint
    failing = [c.name for c in rep.checks if c.status == "fail"]
    assert "softmax(logits near 1000)" in failing


def test_hard_coding_the_readme_example_fails(softmax: Exercise) -> None:
    src = ("import numpy as np\ndef softmax(logits):\n"
           "    return np.array([0.09003057, 0.24472847, 0.66524096])\n")
    rep = grade(softmax, src)
    assert rep.status == "fail"
    readme = next(c for c in rep.checks if c.name == "softmax(the README example)")
    assert readme.status == "pass"  # it does match the one example it copies


def test_infinite_loop_is_a_timeout(softmax: Exercise) -> None:
    rep = grade(softmax, "def softmax(logits):\n    while True:\n        pass\n",
                limits=Limits(wall_s=1.0))
    assert rep.status == "timeout"
    assert rep.duration_s < 5.0  # the 1 s wall limit plus start-up, with room for a busy machine
    assert "softmax(the README example)" in rep.message


def test_syntax_error_is_an_error_with_a_line_number(softmax: Exercise) -> None:
    rep = grade(softmax, "import numpy as np\n\ndef softmax(logits)\n    return logits\n")
    assert rep.status == "error"
    assert rep.error_line == 3
    assert "line 3" in rep.message
    assert "_child" not in rep.message and "Traceback" not in rep.message


def test_untouched_starter_is_not_attempted(softmax: Exercise) -> None:
    assert grade(softmax, softmax.starter).status == "not_attempted"


def test_starter_with_whitespace_edits_is_still_not_attempted(softmax: Exercise) -> None:
    edited = softmax.starter.replace("\n", "\n\n") + "\n# thinking...\n"
    rep = grade(softmax, edited)
    assert rep.status == "not_attempted"


def test_missing_function_asks_about_a_rename(softmax: Exercise) -> None:
    rep = grade(softmax, "def soft_max(logits):\n    return logits\n")
    assert rep.status == "error"
    assert "Did you rename it?" in rep.message and "soft_max" in rep.message


def test_none_return_asks_about_a_missing_return(softmax: Exercise) -> None:
    rep = grade(softmax, "def softmax(logits):\n    logits = logits + 1\n")
    assert rep.status == "fail"
    assert "return" in rep.message and "None" in rep.message


def test_wrong_shape_says_which(softmax: Exercise) -> None:
    rep = grade(softmax, "import numpy as np\ndef softmax(logits):\n    return logits.ravel()\n")
    assert rep.status == "fail"
    assert any("returned shape" in c.message for c in rep.checks)


def test_wrong_dtype_says_integers(softmax: Exercise) -> None:
    rep = grade(softmax, "import numpy as np\ndef softmax(logits):\n"
                         "    return np.zeros(logits.shape, dtype=int)\n")
    assert any("integers" in c.message for c in rep.checks)


def test_nan_output_is_named(softmax: Exercise) -> None:
    rep = grade(softmax, "import numpy as np\ndef softmax(logits):\n"
                         "    return np.full(logits.shape, np.nan)\n")
    assert rep.status == "fail"
    assert all("NaN" in c.message for c in rep.checks if c.status == "fail")


def test_unknown_mistake_falls_back_to_properties(softmax: Exercise) -> None:
    rep = grade(softmax, "import numpy as np\ndef softmax(logits):\n    return np.tanh(logits)\n")
    assert rep.status == "fail" and rep.findings == []
    assert any(c.name.startswith("property:") for c in rep.checks)


def test_hidden_cases_are_never_shown(softmax: Exercise) -> None:
    rep = grade(softmax, "import numpy as np\ndef softmax(logits):\n    return np.tanh(logits)\n")
    for check in rep.checks:
        if check.name.startswith("hidden"):
            assert "Called with" not in check.message


def test_random_cases_differ_between_seeds(softmax: Exercise) -> None:
    a = [c for c in build_cases(softmax, 1) if c.kind == "random"]
    b = [c for c in build_cases(softmax, 2) if c.kind == "random"]
    assert a and not np.allclose(a[0].args[0], b[0].args[0])


def test_report_json_contract(softmax: Exercise) -> None:
    data = grade(softmax, NAIVE).to_dict()
    assert data["version"] == 1
    assert set(data) >= {"version", "exercise", "status", "message", "checks", "findings",
                         "duration_s"}
    finding = data["findings"][0]
    assert set(finding) >= {"misconception", "title", "confidence", "evidence", "hint"}
    assert all(set(c) == {"name", "status", "message"} for c in data["checks"])


@pytest.mark.slow  # trains, or starts real processes: make test only
def test_judged_case_fails_a_model_below_target(catalog: Catalog) -> None:
    ex = catalog.get("torch-mlp-digits")
    lazy = ex.reference_source.replace(
        "def train_and_predict(X_train, y_train, X_test, seed):",
        "def train_and_predict(X_train, y_train, X_test, seed):\n"
        "    return np.zeros(len(X_test), dtype=np.int64)\n\n\n"
        "def _unused(X_train, y_train, X_test, seed):")
    rep = grade(ex, lazy)
    assert rep.status == "fail"
    judged = next(c for c in rep.checks if c.name.startswith("train_and_predict"))
    assert judged.status == "fail" and "test accuracy" in judged.message
    assert rep.findings == []  # no misconception is claimed for a judged failure


def test_nan_from_training_gets_divergence_advice(catalog: Catalog) -> None:
    ex = catalog.get("linear-regression-gd")
    diverging = ex.reference_source.replace("w = w - lr * dw", "w = w - 1e200 * lr * dw")
    rep = grade(ex, diverging)
    assert rep.status == "fail"
    fit_checks = [c for c in rep.checks if c.name.startswith("fit(") and c.status == "fail"]
    assert fit_checks and any("smaller learning rate" in c.message for c in fit_checks)
    assert "Traceback" not in rep.message
