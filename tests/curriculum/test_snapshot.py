"""The catalog snapshot: used when content is unchanged, ignored after any edit."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from deepcareer.curriculum import catalog as catalog_module
from deepcareer.curriculum import snapshot
from deepcareer.curriculum.catalog import Catalog, default_catalog


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DEEPCAREER_CACHE", str(tmp_path / "cache"))
    src = default_catalog().root
    dst = tmp_path / "content"
    shutil.copytree(src / "exercises" / "fundamentals", dst / "exercises" / "fundamentals")
    shutil.copy(src / "skills.yml", dst / "skills.yml")
    return dst


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: Path) -> None:
        raise AssertionError(f"parsed {path} although the snapshot was fresh")

    monkeypatch.setattr(catalog_module, "_read_meta", refuse)


def test_second_load_reads_the_snapshot(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = Catalog(root)
    skills = first.skills  # the snapshot is written once skills are parsed
    _no_parsing(monkeypatch)
    second = Catalog(root)
    assert [e.meta for e in second] == [e.meta for e in first]
    assert [e.folder for e in second] == [e.folder for e in first]
    assert second.skills == skills


def test_an_edit_invalidates_the_snapshot(root: Path) -> None:
    _ = Catalog(root).skills
    toml = root / "exercises" / "fundamentals" / "softmax" / "exercise.toml"
    toml.write_text(toml.read_text().replace('title = "', 'title = "Edited: ', 1))
    assert Catalog(root).get("softmax").meta.title.startswith("Edited: ")


def test_a_damaged_snapshot_is_a_miss(root: Path) -> None:
    expected = [e.meta for e in Catalog(root)]
    _ = Catalog(root).skills
    (path,) = snapshot.cache_dir().glob("catalog-*.json")
    data = json.loads(path.read_text())
    data["exercises"][0]["difficulty"] = "hard"  # the key still matches: content is bad
    path.write_text(json.dumps(data))
    assert [e.meta for e in Catalog(root)] == expected
    path.write_text("not json")
    assert [e.meta for e in Catalog(root)] == expected
