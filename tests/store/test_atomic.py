"""Files written whole under a unique temp name: concurrent writers never collide."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from deepcareer.atomic import write_text_atomic


def test_twenty_concurrent_writers_of_one_file_all_succeed(tmp_path: Path) -> None:
    """As 20 web checks of one exercise at once: each saves the learner's file."""
    path = tmp_path / "softmax.py"
    texts = [f"# version {i}\n" * 2000 for i in range(20)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(texts))

    def save(text: str) -> None:
        start.wait()
        try:
            write_text_atomic(path, text)
        except BaseException as exc:  # every failure is the finding
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert path.read_text() in texts  # whole, one of them
    assert sorted(os.listdir(tmp_path)) == ["softmax.py"]  # no temp left


def test_create_only_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "mine.py"
    assert write_text_atomic(path, "first", overwrite=False)
    assert not write_text_atomic(path, "second", overwrite=False)
    assert path.read_text() == "first" and os.listdir(tmp_path) == ["mine.py"]


def test_a_failed_write_leaves_no_temp_and_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    write_text_atomic(path, "old")
    with pytest.raises(UnicodeEncodeError):
        write_text_atomic(path, "\ud800")  # cannot be encoded: fails before the rename
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["f.txt"]
    os.chmod(path, 0o640)
    write_text_atomic(path, "new")
    assert path.stat().st_mode & 0o777 == 0o640  # the file keeps its mode
