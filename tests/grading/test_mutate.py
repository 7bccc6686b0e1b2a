"""Mutation testing: the cases catch the classic slips in every reference."""

from __future__ import annotations

import ast

import pytest

from deepcareer.curriculum.catalog import Catalog
from deepcareer.curriculum.tracks import TRACKS
from deepcareer.grading.mutate import mutants, mutation_score

SRC = """import numpy as np

def f(x):
    m = np.mean(x[1:], axis=0, keepdims=True)
    return -(x - m) / np.std(x)
"""


def test_every_kind_of_slip_is_generated() -> None:
    kinds = {m.kind for m in mutants(SRC)}
    assert kinds == {"sign-flip", "wrong-axis", "drop-keepdims", "ddof-change", "sum-for-mean",
                     "off-by-one"}
    for m in mutants(SRC):
        ast.parse(m.source)
        assert m.source != ast.unparse(ast.parse(SRC))


def test_module_level_code_is_not_mutated() -> None:
    assert mutants("import numpy as np\nX = np.mean([1, 2])\n") == []


def test_the_track_kills_at_least_90_percent_of_mutants(catalog: Catalog) -> None:
    scores = [mutation_score(ex) for ex in catalog if ex.meta.track == "numpy"]
    total = sum(s.total for s in scores)
    killed = sum(s.killed for s in scores)
    survivors = {s.exercise: [(m.kind, m.line) for m in s.survivors] for s in scores if s.survivors}
    assert total > 0
    assert killed / total >= 0.9, survivors


FRAMEWORK_SRC = """import torch

def train(model, opt, X, y, W):
    with torch.no_grad():
        model.weight.copy_(torch.from_numpy(W.T))
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(X), y)
    loss.backward()
    opt.step()
    return torch.load('c.pt', weights_only=True), loss.sum(dim=0, keepdim=True)
"""


def test_framework_slips_are_generated() -> None:
    found = {(m.kind, m.line) for m in mutants(FRAMEWORK_SRC)}
    kinds = {k for k, _ in found}
    assert {"flip-flag", "drop-transpose", "drop-call", "swap-calls", "wrong-axis",
            "drop-keepdims"} <= kinds
    assert ("drop-transpose", 5) in found and ("flip-flag", 10) in found
    swapped = next(m.source for m in mutants(FRAMEWORK_SRC) if m.kind == "swap-calls")
    assert swapped.index("opt.step()") < swapped.index("loss.backward()")
    # super().__init__() is never left out: that breaks the class, not the idea
    assert not [m for m in mutants("class A:\n    def __init__(self):\n        "
                                   "super().__init__()\n") if m.kind == "drop-call"]


@pytest.mark.slow
@pytest.mark.parametrize("track", ["pytorch", "tensorflow"])
def test_framework_tracks_kill_at_least_95_percent_of_mutants(catalog: Catalog,
                                                              track: str) -> None:
    if not TRACKS[track].available():
        pytest.skip(f"needs {TRACKS[track].module}")
    scores = [mutation_score(ex) for ex in catalog if ex.meta.track == track]
    total = sum(s.total for s in scores)
    killed = sum(s.killed for s in scores)
    survivors = {s.exercise: [(m.kind, m.line) for m in s.survivors] for s in scores if s.survivors}
    assert total >= 10
    assert killed / total >= 0.95, survivors
