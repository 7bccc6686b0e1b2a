"""The held-out rows search reads archives from hostile bytes without failing the run."""

from __future__ import annotations

import io
import zipfile

import numpy as np

from deepcareer.projects import embedded


def test_an_archive_with_members_that_are_not_arrays_is_read_without_error() -> None:
    """A Keras model pickles a zip of config and weights: members that are not ``.npy``
    come back from NumPy as bytes, and a member that claims to be one may be garbage."""
    rng = np.random.default_rng(0)
    test = rng.normal(size=(20, 64))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("config.json", "{}")
        z.writestr("weights.npy", b"\x93NUMPY garbage")
        arr = io.BytesIO()
        np.save(arr, test)  # a real copy of the held-out rows, inside the archive
        z.writestr("copy.npy", arr.getvalue())
    found = embedded.rows_found([buf.getvalue()], test, rng.normal(size=(50, 64)),
                                aligned=True)
    assert found == len(test)
    assert embedded.rows_found([b"PK\x03\x04 broken"], test, test[:1]) == 0
