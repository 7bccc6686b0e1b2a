"""Mutation testing: the cases catch the classic slips in every reference."""

from __future__ import annotations

import ast

from deepcareer.curriculum.catalog import Catalog
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
