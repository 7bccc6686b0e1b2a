"""How long the whole NumPy track takes to verify, against one plain pytest session.

`deepcareer content verify` runs, for every exercise, the reference through the real
sandbox, the starter, and every misconception's variant through diagnosis, for two
seeds. The peer is a plain pytest session doing the same comparisons in-process (no
sandbox, no diagnosis): reference on every case, and every variant against the
reference. Both are timed in this run, interleaved; the ratio of medians is printed.
Goal: under 15 s on 2 cores, ratio <= 1.0.

Like for like: the NumPy-track run leaves out the cross-framework comparisons
(--no-frameworks), which the peer does not do either. The framework work (the PyTorch
and TensorFlow tracks, and the cross-framework checks of NumPy exercises) is timed
once afterwards and reported on its own lines.

Usage: python bench/curriculum_verify.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import time_command

PYTEST_FILE = '''
import pytest

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.diagnose import _agree, variant_outputs
from deepcareer.grading.grader import build_cases, expected_outputs

EXERCISES = [ex for ex in default_catalog() if ex.meta.track == "numpy"]


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.id)
@pytest.mark.parametrize("seed", [0, 1])
def test_exercise(ex, seed):
    cases = build_cases(ex, seed)
    expected = expected_outputs(ex, cases)
    checks = ex.checks
    for m in checks.misconceptions:
        outs = variant_outputs(m, cases, ex.reference_function)
        assert not all(_agree(o, e, c, checks.rtol, checks.atol)
                       for o, e, c in zip(outs, expected, cases))
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="deepcareer-bench-"))
    (work / "test_track.py").write_text(PYTEST_FILE)
    deepcareer = str(Path(sys.executable).with_name("deepcareer"))
    ours = [deepcareer, "content", "verify", "--track", "numpy", "--no-frameworks", "--json"]
    theirs = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_track.py"]
    a, b = [], []
    for _ in range(args.runs):
        a.append(time_command(ours, work))
        b.append(time_command(theirs, work))
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"deepcareer content verify --track numpy: median {ma:.2f} s over {args.runs}")
    print(f"plain pytest, variants vs reference in-process:  median {mb:.2f} s over {args.runs}")
    print(f"ratio deepcareer/pytest: {ma / mb:.2f} (goal: under 15 s; ratio <= 1.00)")
    for label, cmd in (
        ("cross-framework checks of the NumPy track",
         [deepcareer, "content", "verify", "softmax", "cross-entropy", "dense-layer", "conv2d",
          "lstm-cell", "--json"]),
        ("PyTorch track", [deepcareer, "content", "verify", "--track", "pytorch", "--json"]),
        ("TensorFlow track", [deepcareer, "content", "verify", "--track", "tensorflow",
                              "--json"]),
    ):
        print(f"{label}: {time_command(cmd, work):.2f} s (one run)")


if __name__ == "__main__":
    main()
