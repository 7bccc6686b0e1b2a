"""Framework tracks: a missing extra is a clear message, and the rest keeps working."""

from __future__ import annotations

import dataclasses

import pytest

from deepcareer.curriculum import tracks
from deepcareer.curriculum.catalog import Catalog
from deepcareer.errors import MissingExtraError
from deepcareer.grading.grader import grade


def test_every_exercise_track_is_known(catalog: Catalog) -> None:
    assert {ex.meta.track for ex in catalog} <= set(tracks.TRACKS)


def test_missing_framework_names_the_install_command(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    absent = dataclasses.replace(tracks.TRACKS["pytorch"], module="no_such_framework_xyz")
    monkeypatch.setitem(tracks.TRACKS, "pytorch", absent)
    ex = next(e for e in catalog if e.meta.track == "pytorch")
    with pytest.raises(MissingExtraError, match=r"pip install 'deepcareer\[torch\]'"):
        grade(ex, "def f(): pass\n")
    numpy_ex = next(e for e in catalog if e.meta.track == "numpy")
    assert grade(numpy_ex, numpy_ex.reference_source).status == "pass"


@pytest.mark.slow  # grades in TensorFlow or PyTorch: make test only
def test_torch_tensors_come_back_as_arrays(catalog: Catalog) -> None:
    ex = catalog.get("torch-autograd")
    report = grade(ex, ex.reference_source)
    assert report.status == "pass", report.message
