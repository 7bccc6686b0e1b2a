"""The reading list: every skill has cited reading, and the CLI finds skills by alias."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deepcareer.curriculum.catalog import Catalog
from deepcareer.errors import ContentError
from deepcareer.mentor.reading import Work, load_reading, reading_problems
from tests.conftest import run_cli


def test_every_skill_has_valid_reading(catalog: Catalog) -> None:
    reading = load_reading(catalog.root / "reading.yml")
    assert reading_problems(reading, set(catalog.skills)) == []


def test_the_landmarks_named_in_the_issue_are_there(catalog: Catalog) -> None:
    reading = load_reading(catalog.root / "reading.yml")
    found = {(w.year, w.arxiv or w.doi) for works in reading.values() for w in works}
    for landmark in [(1986, "10.1038/323533a0"), (1997, "10.1162/neco.1997.9.8.1735"),
                     (2014, "1412.6980"), (2015, "1502.03167"), (2015, "1502.01852")]:
        assert landmark in found, landmark
    assert any(w.year == 2010 and "Glorot" in w.authors for ws in reading.values() for w in ws)
    assert any(w.year == 2014 and "Srivastava" in w.authors for ws in reading.values()
               for w in ws)


def test_bad_entries_are_named(tmp_path: Path) -> None:
    path = tmp_path / "reading.yml"
    path.write_text("adam:\n  - id: x\n    authors: A\n    title: T\n    year: 2014\n"
                    "    venue: V\n    arxiv: '14126980'\n    note: a note long enough here.\n")
    with pytest.raises(ContentError, match="under adam"):
        load_reading(path)
    work = Work(id="a", authors="A", title="T", year=2000, venue="V", doi="10.1000/x",
                note="A note that is long enough.")
    other = work.model_copy(update={"year": 2001})
    problems = reading_problems({"adam": [work], "relu": [other], "nope": [work]},
                                {"adam", "relu", "tanh"})
    assert "reading.yml: nope is not a skill id" in problems
    assert "reading.yml: skill tanh has no reading" in problems
    assert "reading.yml: a appears with different fields" in problems


def test_read_finds_a_skill_by_alias_and_suggests_on_typos() -> None:
    done = run_cli("read", "batch normalization", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["skill"] == "batch-norm"
    assert any(w.get("arxiv") == "1502.03167" for w in data["works"])
    typo = run_cli("read", "lstmm")
    assert typo.returncode == 2
    assert "Did you mean: lstm" in typo.stdout + typo.stderr
    assert "Traceback" not in typo.stdout + typo.stderr
