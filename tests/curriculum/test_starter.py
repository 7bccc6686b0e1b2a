"""Starters are generated from the solution and can never drift from it."""

from __future__ import annotations

import pytest

from deepcareer.curriculum.catalog import Catalog
from deepcareer.curriculum.starter import make_starter, same_code, strip_markers
from deepcareer.errors import ContentError

SOLUTION = """import numpy as np

def f(x):
    \"\"\"Double x.\"\"\"
    # BEGIN SOLUTION: double every element
    y = 2 * x
    return y
    # END SOLUTION
"""


def test_regions_become_a_named_not_implemented_stub() -> None:
    starter = make_starter(SOLUTION, "demo")
    assert "2 * x" not in starter
    assert "    # TODO: double every element" in starter
    assert "    raise NotImplementedError('double every element')" in starter
    assert '"""Double x."""' in starter
    compile(starter, "starter.py", "exec")


def test_markers_are_stripped_from_the_reference() -> None:
    ref = strip_markers(SOLUTION)
    assert "SOLUTION" not in ref and "y = 2 * x" in ref


@pytest.mark.parametrize("bad", [
    "def f():\n    # END SOLUTION\n",
    "def f():\n    # BEGIN SOLUTION\n    pass\n",
    "def f():\n    pass\n",
    "# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n",
])
def test_unbalanced_markers_are_content_errors(bad: str) -> None:
    with pytest.raises(ContentError):
        make_starter(bad, "demo")


def test_same_code_ignores_whitespace_only() -> None:
    assert same_code("a = 1\n\n\nb = 2\n", "a = 1   \nb = 2")
    assert not same_code("a = 1\n", "a = 2\n")


def test_every_shipped_starter_compiles_and_raises(catalog: Catalog) -> None:
    for ex in catalog:
        compile(ex.starter, f"{ex.id}.py", "exec")
        assert "NotImplementedError" in ex.starter
        assert "BEGIN SOLUTION" not in ex.starter
