"""Reports: plots, tables beside baselines and the paper, readable HTML."""

from __future__ import annotations

import re
from pathlib import Path

from deepcareer.projects.report import write_report
from deepcareer.projects.runs import ExperimentResult, RunResult, run_project
from deepcareer.projects.spec import get_project
from deepcareer.store.db import Store
from tests.projects import learners as L


def _fake_mnist1d_run() -> RunResult:
    """A stored-looking run (no training), to check the paper table's wiring."""
    exps = [ExperimentResult(n, n.split("-")[0], "shuffled" if "-" in n else "plain", "ok",
                             metric=m, fit_s=1.0,
                             history=[{"epoch": i, "loss": 2.0 / (i + 1)} for i in range(5)],
                             extra={"confusion": [[5, 1], [0, 4]]} if n == "cnn" else {})
            for n, m in [("logistic", 0.31), ("mlp", 0.66), ("cnn", 0.95), ("gru", 0.9),
                         ("mlp-shuffled", 0.65), ("cnn-shuffled", 0.7)]]
    return RunResult("mnist1d", 0, "pass", 0.95, True, 30.0, "f" * 64, exps,
                     baselines={"majority": 0.1}, dataset={"n_train": 4000, "n_test": 1000,
                                                           "classes": ["0", "1"]},
                     environment={"python": "3.11", "packages": {"torch": "2.13.0"}},
                     message="cnn: 95.00% accuracy", id=12)


def test_mnist1d_report_puts_results_beside_the_paper(tmp_path: Path) -> None:
    paths = write_report(tmp_path, get_project("mnist1d"), _fake_mnist1d_run())
    md = paths["markdown"].read_text()
    assert "| cnn | 95.0 | 94 ± 2 |" in md and "| human | - | 96 ± 1 |" in md
    assert "CNN: 95.0% in order, 70.0% shuffled (-25.0 points)" in md
    assert "deepcareer project run mnist1d --seed 0" in md
    assert "Not yet reproduced" in md
    for name in ("learning_curves", "confusion"):
        assert paths[name].stat().st_size > 5_000
        assert paths[name].with_suffix(".svg").exists()
    page = paths["html"].read_text()
    assert '<html lang="en">' in page and "<title>" in page
    assert all('alt="' in img for img in re.findall(r"<img[^>]*>", page))
    assert page.count("<figcaption>") == 2


def test_a_planted_leak_is_named_in_the_report(pstore: Store) -> None:
    project = get_project("digits-mlp")
    run = run_project(pstore, project, L.LEAKY_SCALER)
    md = write_report(pstore.home, project, run)["markdown"].read_text()
    assert "**LEAK**" in md and "**test-statistics** (leak)" in md
    assert "| Gradient boosting (histogram) |" in md
