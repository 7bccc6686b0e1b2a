"""Held-out rows carried in by the learner's file or the model ``fit`` returned.

The sandbox keeps every copy of a public dataset out of the child's reach (its files,
generators and caches are not mounted), so the one way left for the held-out rows to get
in is the learner's own file: a copy pasted into it (a table of rows and labels, an
approximate nearest-neighbour index over the public data), read by ``predict`` or built
into the model. A lookup like that is as smooth as a k-NN model, so the perturbed copies
do not expose it. The parent holds the held-out rows and looks for them where the copy
must be: in the numbers of the source (literals, numbers written in strings or comments,
and byte strings decoded from base64 or hex, decompressed, read as ``.npy`` or as raw
arrays of every common dtype) and in the bytes of the saved model (``fit`` never saw a
test row, so a model that holds them got them from a copy).

Rows are compared by windows of 24 consecutive features (or the whole row), each
scaled by its largest magnitude and rounded, so a copy in the dataset's raw units
(digits as 0..16) matches rows scaled by the project (0..1). Windows that also occur in
the training split, row by row or as its rows stored one after another, are not counted
(a k-NN model rightly holds training rows, and some rows are duplicated
across the split). A copy encrypted with a key, or transformed beyond scaling, is not
found; this check names the plain forms, and the report says what it looked for.
"""

from __future__ import annotations

import base64
import binascii
import bz2
import contextlib
import gzip
import io
import lzma
import re
import zlib
from collections.abc import Iterator

import numpy as np

WINDOW = 24  # consecutive features compared at once: long enough that two rows' ends
# stored one after the other (a k-NN model's training rows) do not pass for a third row
DECIMALS = 2  # after scaling a window by its largest magnitude
MIN_DISTINCT = 5  # a window of mostly one value (a blank margin) says nothing
MAX_SCAN = 64 << 20  # bytes of one blob looked through as text
MAX_RAW = 1 << 20  # bytes of one blob also read as raw arrays (every dtype and offset)
FOUND_SHARE = 0.02  # rows found, as a share of the held-out rows, before it counts
FOUND_MIN = 5  # ... and at least this many
_NUMBER = re.compile(rb"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
_B64 = re.compile(rb"[A-Za-z0-9+/=_\-\n]{64,}")
_HEX = re.compile(rb"(?:[0-9a-fA-F]{2}){32,}")
_WEIGHTS = np.random.default_rng(20261202).integers(1, 2**61, size=WINDOW, dtype=np.int64)


def _keys(rows: np.ndarray, window: int, *, filtered: bool = True) -> np.ndarray:
    """One integer per window of ``window`` consecutive values of each row of ``rows``
    (2-D), scaled by the window's largest magnitude and rounded; when ``filtered``,
    windows of fewer than ``MIN_DISTINCT`` distinct values give -1 (only the held-out
    rows' windows need that: a stream's keys are only looked up among theirs)."""
    if rows.ndim != 2 or rows.shape[1] < window or len(rows) == 0:
        return np.empty((0,), dtype=np.int64)
    with np.errstate(all="ignore"):
        flat = np.lib.stride_tricks.sliding_window_view(
            rows.astype(np.float32), window, axis=1).reshape(-1, window)  # (n * w, window)
        scale = np.abs(flat).max(axis=1)
        ok = np.isfinite(scale)
        scale[~ok | (scale == 0)] = 1.0
        ints = np.rint(flat * (10**DECIMALS / scale)[:, None])
        ints[~np.isfinite(ints)] = 0
        keys = ints.astype(np.int64) @ _WEIGHTS[:window]  # wraps around: a hash
    keys[~ok] = -1
    if filtered:
        ordered = np.sort(ints, axis=1)
        distinct = 1 + (np.diff(ordered, axis=1) != 0).sum(axis=1)
        keys[distinct < MIN_DISTINCT] = -1
    return keys


def _stream_keys(values: np.ndarray, window: int) -> np.ndarray:
    values = values.ravel()
    if values.size < window:
        return np.empty((0,), dtype=np.int64)
    chunks = []
    step = 1 << 20
    for start in range(0, values.size - window + 1, step):
        part = values[start:start + step + window - 1]
        chunks.append(_keys(part[None, :], window, filtered=False))
    return np.concatenate(chunks)


def _decoded(blob: bytes, binary: bool = False) -> Iterator[tuple[bytes, bool]]:
    """``blob`` and what it decodes and decompresses to (one level of each), each with
    whether it is worth reading as raw arrays (decoded or decompressed bytes, or
    ``blob`` itself when it is not text)."""
    layers = [blob]
    for match in _B64.finditer(blob):
        text = re.sub(rb"\s", b"", match.group())
        text += b"=" * (-len(text) % 4)
        for decode in (base64.b64decode, base64.urlsafe_b64decode):
            try:
                layers.append(decode(text, validate=True) if decode is base64.b64decode
                              else decode(text))
                break
            except (ValueError, binascii.Error):
                continue
    for match in _HEX.finditer(blob):
        with contextlib.suppress(ValueError, binascii.Error):
            layers.append(binascii.unhexlify(match.group()))
    for i, layer in enumerate(layers):
        unpacked = False
        for decompress in (zlib.decompress, gzip.decompress, bz2.decompress,
                           lzma.decompress):
            try:
                unpacked_bytes = decompress(layer)[:MAX_SCAN]
            except (OSError, ValueError, EOFError, zlib.error, lzma.LZMAError):
                continue
            if unpacked_bytes:  # some formats read anything as an empty stream
                yield unpacked_bytes, True
                unpacked = True
                break
        # A compressed layer's own bytes are noise; a text layer's numbers are read as text.
        yield layer, not unpacked and (i > 0 or binary or not _is_text(layer))


def _is_text(blob: bytes) -> bool:
    try:
        blob[:MAX_SCAN].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _arrays(blob: bytes, raw: bool, aligned: bool = False) -> Iterator[np.ndarray]:
    """Numbers ``blob`` may hold: written as text, an ``.npy`` or ``.npz``, or (``raw``)
    packed as the bytes of an array of a common dtype, at any offset."""
    numbers = _NUMBER.findall(blob[:MAX_SCAN]) if not raw or _is_text(blob) else []
    if numbers:
        yield np.array([float(n) for n in numbers[:5_000_000]])
    if blob.startswith(b"\x93NUMPY") or blob.startswith(b"PK"):
        try:
            loaded = np.load(io.BytesIO(blob), allow_pickle=False)
            found = [loaded[k] for k in loaded.files] if hasattr(loaded, "files") else [
                loaded]
            for arr in found:  # an archive's members that are not .npy come back as bytes
                if isinstance(arr, np.ndarray) and arr.dtype.kind in "iuf":
                    yield arr.astype(np.float64).ravel()
        except Exception:
            pass
    if not raw:
        return
    blob = blob[:MAX_RAW]
    for dtype in (np.uint8, np.int32, np.int64, np.float32, np.float64):
        size = np.dtype(dtype).itemsize
        for offset in range(1 if aligned else size):
            usable = (len(blob) - offset) // size * size
            if usable >= WINDOW * size:
                with np.errstate(all="ignore"):
                    yield np.frombuffer(blob, dtype=dtype, count=usable // size,
                                        offset=offset).astype(np.float64)


def snapshot_blobs(data: bytes) -> list[bytes]:
    """The byte strings a pickle carries (where NumPy keeps an array's data), each read
    from its start; a pickle that does not parse gives what was read before."""
    import pickletools

    found: list[bytes] = []
    try:
        for _, arg, _ in pickletools.genops(data):
            if isinstance(arg, bytes | bytearray) and len(arg) >= WINDOW:
                found.append(bytes(arg[:MAX_RAW]))
    except (ValueError, KeyError, IndexError, EOFError, OverflowError):
        pass
    return found


def source_blobs(source: str) -> list[bytes]:
    """The source itself and its string literals' bytes, decoded where they decode."""
    import ast

    blobs = [source.encode("utf-8", errors="replace")]
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return blobs  # the numbers written in the source are still read from its text
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
            value = node.value
            raw = value.encode("latin-1", errors="ignore") if isinstance(value, str) else value
            if len(raw) >= 64:
                blobs.append(raw)
    return blobs


def wanted_keys(test_X: np.ndarray, train_X: np.ndarray) -> np.ndarray:
    """The held-out rows' window keys, (n, windows per row), with -1 for the windows that
    say nothing or that the training split holds too (alone, or its rows stored one after
    another: a model's right). The costly part; ``rows_found`` takes it precomputed."""
    test = np.asarray(test_X, dtype=np.float64).reshape(len(test_X), -1)
    window = min(WINDOW, test.shape[1])
    if window < 6 or len(test) == 0:
        return np.full((len(test), 0), -1, dtype=np.int64)
    train = np.asarray(train_X, dtype=np.float64).reshape(len(train_X), -1)
    per_row = _keys(test, window).reshape(len(test), -1)  # (n, windows per row)
    known = np.concatenate([_keys(train, window), _stream_keys(train.ravel(), window)])
    per_row[np.isin(per_row, known)] = -1
    return per_row


def rows_found(blobs: list[bytes], test_X: np.ndarray, train_X: np.ndarray,
               wanted: np.ndarray | None = None, *, aligned: bool = False) -> int:
    """How many held-out rows appear in ``blobs`` (see the module's docstring);
    ``wanted``: :func:`wanted_keys` of the same rows, when already computed; ``aligned``:
    arrays in the blobs start at their first byte (``snapshot_blobs``)."""
    per_row = wanted_keys(test_X, train_X) if wanted is None else wanted
    if per_row.size == 0:
        return 0
    window = min(WINDOW, np.asarray(test_X).reshape(len(test_X), -1).shape[1])
    wanted_arr = np.unique(per_row[per_row != -1])
    if wanted_arr.size == 0:
        return 0
    member = _Members(wanted_arr)
    seen: set[int] = set()
    for blob in blobs:
        for layer, raw in _decoded(blob, binary=aligned):
            for values in _arrays(layer, raw, aligned):
                keys = _stream_keys(values, window)
                hits = keys[member(keys)]
                seen.update(int(k) for k in hits.tolist())
    if not seen:
        return 0
    hit = _Members(np.unique(np.fromiter(seen, dtype=np.int64)))(per_row)
    return int(hit.any(axis=1).sum())


class _Members:
    """``np.isin(keys, known)`` for a sorted, duplicate-free ``known``, made fast for
    many keys and few hits: a table of a million bits indexed by middle bits of each key
    lets through the few keys that may be known (keys are hashes, so their bits are
    evenly spread), and only those are searched for. ``isin`` sorts both sides each
    time, and a model's weights give a million keys per blob, read as five dtypes."""

    BITS = 20
    SHIFT = 24

    def __init__(self, known: np.ndarray) -> None:
        self.known = known
        self.table = np.zeros(1 << self.BITS, dtype=bool)
        self.table[self._slot(known)] = True

    def _slot(self, keys: np.ndarray) -> np.ndarray:
        return (keys >> self.SHIFT) & ((1 << self.BITS) - 1)

    def __call__(self, keys: np.ndarray) -> np.ndarray:
        out = np.zeros(keys.shape, dtype=bool)
        if self.known.size == 0 or keys.size == 0:
            return out
        maybe = self.table[self._slot(keys)]
        candidates = keys[maybe]
        at = np.minimum(np.searchsorted(self.known, candidates), self.known.size - 1)
        out[maybe] = self.known[at] == candidates
        return out


def enough(found: int, n: int) -> bool:
    return found >= max(FOUND_MIN, FOUND_SHARE * n)
