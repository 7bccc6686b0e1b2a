"""Every built-in project is complete and consistent; a bad project.yml is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.errors import ContentError
from deepcareer.projects.datasets import BUILDERS
from deepcareer.projects.spec import PROJECTS_DIR, load_project, load_projects

REQUIRED = {"digits-mlp", "tabular-classic", "mnist1d", "char-lstm", "tiny-gpt", "keras-digits",
            "capstone"}


def test_the_issue_s_projects_are_all_there() -> None:
    assert set(load_projects()) >= REQUIRED


@pytest.mark.parametrize("project_id", sorted(REQUIRED))
def test_each_project_is_complete(project_id: str) -> None:
    p = load_projects()[project_id]
    skills = set(default_catalog().skills)
    assert set(p.spec.skills) <= skills, set(p.spec.skills) - skills
    for path in (p.template, p.reference, p.readme):
        assert path.is_file(), path
    assert p.spec.dataset.name in BUILDERS or p.spec.dataset.name == "capstone"
    template = p.template.read_text()
    assert "def fit(train, run)" in template and "def predict(model, X)" in template
    assert "NotImplementedError" in template


def test_mnist1d_carries_the_paper_table() -> None:
    paper = load_projects()["mnist1d"].spec.paper
    assert paper is not None and "2011.14439" in paper.citation
    assert {k: (v.mean, v.sd) for k, v in paper.table.items()} == {
        "logistic": (32, 1), "mlp": (68, 2), "cnn": (94, 2), "gru": (91, 2), "human": (96, 1)}


def test_a_bad_project_file_names_the_field(tmp_path: Path) -> None:
    folder = tmp_path / "digits-mlp"
    folder.mkdir()
    text = (PROJECTS_DIR / "digits-mlp" / "project.yml").read_text()
    (folder / "project.yml").write_text(text.replace("level: 2", "level: 9"))
    with pytest.raises(ContentError, match="level: must be at most 5"):
        load_project(folder)
    (folder / "project.yml").write_text(text.replace("main: model", "main: cnn"))
    with pytest.raises(ContentError, match="main 'cnn' is not one of the experiments"):
        load_project(folder)
