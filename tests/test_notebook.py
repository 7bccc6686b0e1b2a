"""The Jupyter API: a generated notebook runs headless (nbclient) and grades through the
sandbox into the same store as the terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.notebook import exercise, source_of, write_notebook
from tests.conftest import run_cli

SOFTMAX = default_catalog().get("softmax")


def test_source_of_takes_helpers_and_aliases(tmp_path: Path) -> None:
    cell = ("import numpy as np\n\ndef helper(x):\n    return x - x.max(axis=-1, keepdims=True)"
            "\n\ndef my_softmax(x):\n    e = np.exp(helper(x))\n"
            "    return e / e.sum(axis=-1, keepdims=True)\n")
    path = tmp_path / "cell.py"
    path.write_text(cell)
    ns: dict = {"__name__": "__main__"}  # type: ignore[type-arg]
    exec(compile(cell, str(path), "exec"), ns)  # as a notebook cell defines them
    src = source_of((ns["my_softmax"],), ["softmax"])
    assert "def helper" in src and "softmax = my_softmax" in src
    assert src.startswith("import math")


def test_check_hint_solution_from_python(tmp_path: Path) -> None:
    ex = exercise("softmax", home=tmp_path / "home")
    assert "softmax" in ex._repr_html_().lower()
    ns: dict = {}  # type: ignore[type-arg]
    path = tmp_path / "cell.py"
    wrong = SOFTMAX.reference_source.replace("np.max(logits", "np.min(logits")
    path.write_text(wrong)
    exec(compile(wrong, str(path), "exec"), ns)  # inspect.getsource reads the file
    result = ex.check(ns["softmax"])
    assert result.status == "fail" and "<strong" in result._repr_html_()
    assert "Hint 1 of" in repr(ex.hint())
    assert "Not yet" in repr(ex.solution())


@pytest.mark.slow  # trains, or starts real processes: make test only
def test_a_generated_notebook_runs_headless(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    home = tmp_path / "home"
    out = json.loads(run_cli("notebook", "softmax", "--json", home=home).stdout)
    path = Path(out["path"])
    nb = nbformat.read(path, as_version=4)
    nb.cells[2].source = SOFTMAX.reference_source  # the learner solves it
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    check_output = nb.cells[3].outputs[0]["data"]
    assert "PASS" in check_output["text/html"] and "softmax" in check_output["text/plain"]
    assert "Hint" in nb.cells[5].outputs[0]["data"]["text/plain"]
    listed = json.loads(run_cli("list", "--json", home=home).stdout)
    assert next(r for r in listed if r["id"] == "softmax")["state"] == "passed"
    assert write_notebook(home, "softmax") == path  # never overwritten


def test_check_refuses_oversized_or_broken_code_before_touching_the_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from deepcareer import notebook
    from deepcareer.errors import UsageError

    home = tmp_path / "home"
    ex = exercise("softmax", home=home)
    padding = "x" * 250_000
    cell = (f'def softmax(logits):\n    """{padding}"""\n'
            "    e = np.exp(logits - logits.max(axis=-1, keepdims=True))\n"
            "    return e / e.sum(axis=-1, keepdims=True)\n")
    path = tmp_path / "cell.py"
    path.write_text(cell)
    ns: dict = {"np": __import__("numpy")}  # type: ignore[type-arg]
    exec(compile(cell, str(path), "exec"), ns)
    with pytest.raises(UsageError) as caught:
        ex.check(ns["softmax"])
    assert "200,000 bytes" in caught.value.message and "250," in caught.value.message
    monkeypatch.setattr(notebook, "source_of", lambda *a: "def softmax(x):\n    '\ud800'\n")
    with pytest.raises(UsageError, match="lone surrogate"):
        ex.check(ns["softmax"])
    assert not (home / "progress.db").exists()  # nothing graded, nothing stored
