"""Long-lived graders keep a sandboxed child with the framework imported for the next check."""

from __future__ import annotations

import time

import pytest

from deepcareer.app import practice
from deepcareer.curriculum.catalog import Catalog
from deepcareer.curriculum.tracks import TRACKS
from deepcareer.grading import sandbox
from deepcareer.grading.grader import grade
from tests.conftest import track_skip


def _ready(kind: tuple[sandbox.Limits, tuple[str, ...]], timeout: float = 60.0) -> int:
    """The pid of the child waiting for runs of this kind, once it is there."""
    pool = sandbox._WARM[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with pool._lock:
            queue = pool._ready.get(kind) or []
            if queue:
                return queue[0].pid
        time.sleep(0.05)
    raise AssertionError("no framework child was started")


@pytest.mark.slow
@track_skip("pytorch")
def test_a_pytorch_check_takes_a_child_with_torch_already_imported(catalog: Catalog) -> None:
    ex = catalog.get("torch-autograd")
    track = TRACKS[ex.meta.track]
    with sandbox.warm(size=1):
        practice.keep_ready(ex)
        pid = _ready((track.limits, track.preload))
        report = grade(ex, ex.reference_source, seed=0)
        assert report.status == "pass", report.message
        # the run took that child, and another is started for the check after it
        with sandbox._WARM[0]._lock:
            assert pid not in [c.pid for c in sandbox._WARM[0]._ready[(track.limits,
                                                                        track.preload)]]
        assert _ready((track.limits, track.preload)) != pid
    assert not sandbox._WARM  # the pool and its children are gone with the block


def test_outside_a_warm_block_nothing_is_kept_ready(catalog: Catalog) -> None:
    practice.keep_ready(catalog.get("torch-autograd"))  # no pool: a no-op
    assert not sandbox._WARM
