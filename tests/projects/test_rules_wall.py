"""Issue 16, item 5, as a wall: a library a project's rules leave out is not in its sandbox.

A "NumPy only" project's sandbox has no scikit-learn, SciPy, PyTorch or TensorFlow: their
folders (found from the installed distributions, compiled code included) are covered by
empty ones. However the import is written, it fails with a sentence that names the rule
and the library, and the run is not verified. What the child reports it loaded is only
advisory; the honest reference still verifies.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from deepcareer.projects import rules
from deepcareer.projects.runs import RunResult, run_project, verify
from deepcareer.projects.spec import get_project
from deepcareer.store.db import Store
from tests.conftest import os_sandbox_skip

DIGITS = get_project("digits-mlp")

_BODY = '''
def fit(train, run):
    model = %(make)s
    return model.fit(train.X, train.y)

def predict(model, X):
    return model.predict(X)
'''
IMPORTS = {
    "statement": ("from sklearn.svm import SVC\n", "SVC()"),
    "importlib": ("import importlib\n",
                  'importlib.import_module("sk" + "learn.svm").SVC()'),
    "dunder-import": ("", '__import__("".join(["skl", "earn.svm"]), fromlist=["SVC"]).SVC()'),
    "exec": ("", '(lambda ns: (exec("from sklearn.svm import SVC as M", ns), ns["M"]())[1])({})'),
}


def _source(how: str) -> str:
    head, make = IMPORTS[how]
    return head + _BODY % {"make": make}


def _refused_by_the_rule(result: RunResult) -> dict[str, object]:
    assert not result.passed and result.status in ("error", "fail"), (result.status,
                                                                       result.message)
    found = [c for c in result.checks if c["check"] == "rules"]
    assert found, (result.message, result.checks)
    message = str(found[0]["message"])
    assert "NumPy only" in message and "scikit-learn" in message, message
    assert found[0]["severity"] == "refused"
    return found[0]


@os_sandbox_skip()
@pytest.mark.parametrize("how", sorted(IMPORTS))
def test_a_numpy_only_project_cannot_import_scikit_learn(pstore: Store, how: str) -> None:
    result = run_project(pstore, DIGITS, _source(how), record=False)
    assert result.isolation == "os"
    _refused_by_the_rule(result)
    assert result.metric is None  # it never ran: the library is not there
    # The learner is told which rule and which library, in the run's own message.
    assert "rule on libraries" in result.message and "scikit-learn" in result.message


# Removes the friendly finder first, then looks for the package's files itself.
AROUND_THE_FINDER = '''
import os, sys

def fit(train, run):
    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "_Unavailable"]
    import sklearn
    where = list(getattr(sklearn, "__path__", []))
    found = [name for folder in where for name in os.listdir(folder)]
    if found:
        raise RuntimeError("FOUND " + ",".join(sorted(found)[:5]))
    from sklearn.svm import SVC
    return SVC().fit(train.X, train.y)

def predict(model, X):
    return model.predict(X)
'''


@os_sandbox_skip()
def test_removing_the_finder_finds_an_empty_folder(pstore: Store) -> None:
    """The finder only words the message; the wall is the empty folder underneath."""
    result = run_project(pstore, DIGITS, AROUND_THE_FINDER, record=False)
    assert "FOUND" not in result.message, result.message
    (model,) = result.experiments
    assert model.status == "error" and model.error["type"] == "ModuleNotFoundError"
    _refused_by_the_rule(result)


def test_the_unreachable_folders_come_from_the_installed_distributions(
        tmp_path: Path) -> None:
    found = rules.unreachable(["numpy"], tmp_path)
    assert {"sklearn", "scipy", "torch"} <= set(found.modules)
    assert "numpy" not in found.modules
    names = {os.path.basename(p) for p in found.paths}
    assert "sklearn" in names and "scipy" in names
    # compiled code beside the packages, and the distributions' metadata
    assert any(n.endswith(".libs") for n in names) or not any(
        n.endswith(".libs") for n in os.listdir(os.path.dirname(found.paths[0])))
    assert any(n.startswith("scikit_learn") and n.endswith(".dist-info") for n in names)
    assert rules.unreachable(["numpy"], tmp_path) == found  # from the cache, the same
    # A library an allowed one needs stays (scikit-learn needs SciPy); any library: none.
    assert "scipy" not in rules.unreachable(["numpy", "sklearn"]).modules
    assert rules.unreachable([]).paths == ()
    torch_ok = rules.unreachable(["numpy", "torch"])
    assert "torch" not in torch_ok.modules and "sklearn" in torch_ok.modules


def test_what_the_child_reports_never_keeps_a_rule() -> None:
    """The child's report can add a broken rule; an empty report with the parent's
    evidence of scikit-learn (the file, the saved model) still breaks it."""
    assert rules.broken_rules(["numpy"], "", {"sklearn"}, [], [])
    assert rules.broken_rules(["numpy"], "", set(), [], ["sklearn"])
    assert rules.broken_rules(["numpy"], "", set(), ["sklearn"], [])  # advisory adds
    assert rules.unavailable_used({"type": "ModuleNotFoundError",
                                   "message": "... so 'sklearn.svm' cannot be imported"},
                                  {"sklearn"}) == {"sklearn"}
    assert rules.unavailable_used({"type": "ValueError", "message": "'sklearn'"},
                                  {"sklearn"}) == set()


@os_sandbox_skip()
def test_the_honest_reference_still_verifies(pstore: Store) -> None:
    result = run_project(pstore, DIGITS, DIGITS.reference.read_text())
    assert result.passed, (result.message, result.checks)
    assert not [c for c in result.checks if c["check"] == "rules"]
    _, again, ok = verify(pstore, DIGITS, result.id)
    assert ok, (again.message, again.checks)


KERAS_WITH_TORCH = '''
def fit(train, run):
    import torch  # the brief: TensorFlow and Keras only
    net = torch.nn.Linear(train.X.shape[1], 10)
    return net

def predict(model, X):
    import torch
    return model(torch.as_tensor(X, dtype=torch.float32)).argmax(1).numpy()
'''


@os_sandbox_skip()
@pytest.mark.slow  # starts TensorFlow's sandbox
def test_a_tensorflow_project_cannot_import_pytorch(pstore: Store) -> None:
    """The wall for a framework project: PyTorch is not in keras-digits' sandbox."""
    result = run_project(pstore, get_project("keras-digits"), KERAS_WITH_TORCH, record=False)
    assert result.isolation == "os" and not result.passed
    found = [c for c in result.checks if c["check"] == "rules"]
    assert found and found[0]["severity"] == "refused", (result.message, result.checks)
    assert "PyTorch" in str(found[0]["message"]) and "TensorFlow" in str(found[0]["message"])
    assert "rule on libraries" in result.message and "PyTorch" in result.message
