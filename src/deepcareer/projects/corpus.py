"""Text of the Python standard library as a character-level language-modelling dataset.

Every Python install carries its own standard library, so this corpus needs no download
and no licence beyond Python's own. The dataset is a pure function of the interpreter's
stdlib and the arguments: a stable hash of each file's relative path decides its side of
the split and its place in the training text, and the test windows are drawn with a seed.
"""

from __future__ import annotations

import hashlib
import os
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Folders whose files are not ordinary library code: installed third-party packages, the
# test suite (huge and repetitive) and two large tools with a style of their own.
SKIPPED_DIRS = frozenset({"site-packages", "test", "tests", "idlelib", "lib2to3"})

# One file in ten goes to the held-out side.
HELD_OUT_BUCKETS = 10

OTHER = "\ufffd"

VOCAB: list[str] = ["\n", "\t", *(chr(code) for code in range(32, 127)), OTHER]
"""Token id -> character. Fixed in advance (newline, tab, the 95 printable ASCII characters,
then one token for anything else) so that ids never depend on which files were read."""

_OTHER_ID = len(VOCAB) - 1

# Code point -> id for the first 128 code points; any larger code point is "other".
_ASCII_TO_ID = np.full(128, _OTHER_ID, dtype=np.int64)
for _index, _char in enumerate(VOCAB[:-1]):
    _ASCII_TO_ID[ord(_char)] = _index


def encode(text: str) -> np.ndarray:
    """Token ids (int64) of ``text``; characters outside the vocabulary become the last id.

    Vectorised through UTF-32 so that millions of characters encode in milliseconds
    rather than in a Python loop.
    """
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    ids = np.full(codes.shape, _OTHER_ID, dtype=np.int64)
    ascii_mask = codes < 128
    ids[ascii_mask] = _ASCII_TO_ID[codes[ascii_mask]]
    return ids


def decode(ids: np.ndarray | list[int]) -> str:
    """The text of token ids (the "other" token prints as U+FFFD)."""
    return "".join(VOCAB[int(i)] for i in np.asarray(ids).ravel())


@dataclass(frozen=True)
class Corpus:
    """The split the runner uses: training text for ``fit``, held-out windows for scoring.

    ``test_files`` lists the held-out files by absolute path because the runner's leakage
    check watches for any of them being opened while ``fit`` runs.
    """

    train_ids: np.ndarray  # (n_chars,) int64: the training text
    test_windows: np.ndarray  # (n_windows, window) int64: held-out text
    vocab: list[str]
    train_files: list[str]  # the files whose text makes up train_ids, in that order (the
    #                         last one maybe cut short)
    test_files: list[str]


def _stdlib_files(root: Path) -> list[Path]:
    """The library's ``.py`` files in relative-path order, without skipped folders.

    ``os.walk`` prunes the skipped folders before entering them: ``site-packages`` alone
    can hold hundreds of megabytes, and listing it would cost most of the build time.
    """
    files: list[Path] = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in SKIPPED_DIRS]
        files.extend(
            Path(folder, name)
            for name in names
            # _sysconfigdata* is generated at build time and differs on every platform.
            if name.endswith(".py") and not name.startswith("_sysconfigdata")
        )
    return sorted(files, key=lambda path: path.relative_to(root).as_posix())


def _path_digest(relative: str) -> bytes:
    """A stable hash of a relative path: the same on every machine and every run (Python's
    own ``hash`` is salted per process, so not that)."""
    return hashlib.sha256(relative.encode()).digest()


def _is_held_out(relative: str) -> bool:
    """One file in HELD_OUT_BUCKETS, chosen by its path's hash, is held out."""
    return int.from_bytes(_path_digest(relative)[:8], "big") % HELD_OUT_BUCKETS == 0


def _training_order(relative: str) -> bytes:
    """Sort key of the training files: another part of the path's hash, so that the
    training text is a shuffled but fixed sample of the whole library. In path order the
    first two million characters stop in the middle of the d's (asyncio, ctypes, distutils)
    and a model trained on them is about 0.15 bits per character worse on held-out files."""
    return _path_digest(relative)[8:16]


def _read_text(path: Path) -> str | None:
    """The file's text, or None when it is not valid UTF-8 (a few legacy files are not)."""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return None


def build_corpus(*, max_train_chars: int = 2_000_000, n_test_windows: int = 256,
                 window: int = 257, seed: int = 0) -> Corpus:
    """Build the dataset from this interpreter's standard library.

    The split is by file, never by character: a window cut from the middle of a training
    file would let a model score well by remembering that file. Training text is the
    training files concatenated in a fixed shuffled order (see ``_training_order``) and cut
    at ``max_train_chars``; test windows are non-overlapping slices of the held-out files'
    text, concatenated in path order, chosen with ``seed``.
    """
    root = Path(sysconfig.get_paths()["stdlib"])
    relative = {path: path.relative_to(root).as_posix() for path in _stdlib_files(root)}
    test_paths = [path for path, rel in relative.items() if _is_held_out(rel)]
    train_paths = sorted((path for path, rel in relative.items() if not _is_held_out(rel)),
                         key=lambda path: _training_order(relative[path]))

    test_files: list[str] = []
    test_parts: list[str] = []
    for path in test_paths:  # path order
        text = _read_text(path)
        if text is not None:
            test_files.append(str(path))
            test_parts.append(text)

    train_files: list[str] = []
    train_parts: list[str] = []
    train_chars = 0
    for path in train_paths:
        if train_chars >= max_train_chars:
            break  # the training text is full: reading more would only cost time
        text = _read_text(path)
        if text is not None:
            train_files.append(str(path))
            train_parts.append(text)
            train_chars += len(text)

    train_ids = encode("".join(train_parts))[:max_train_chars]
    test_ids = encode("".join(test_parts))
    n_slots = len(test_ids) // window
    if n_slots < n_test_windows:
        raise ValueError(f"held-out text has room for {n_slots} windows of {window}, "
                         f"not {n_test_windows}")
    # Cutting the text into aligned slots and picking some keeps windows from overlapping.
    rng = np.random.default_rng(seed)
    slots = np.sort(rng.choice(n_slots, size=n_test_windows, replace=False))
    starts = slots * window
    test_windows = test_ids[starts[:, None] + np.arange(window)]  # (n_windows, window)
    return Corpus(train_ids=train_ids, test_windows=test_windows, vocab=list(VOCAB),
                  train_files=train_files, test_files=test_files)
