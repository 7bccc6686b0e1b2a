"""How long a learner waits: `deepcareer check softmax` against bare pytest.

MiniTorch and CS231n learners check their work with pytest. We time, in one
process and interleaved, the full `deepcareer check softmax --file F` (CLI
start-up, sandbox, comparison, diagnosis and the database write included)
against `python -m pytest` on an equivalent plain test file of the same
function, and print the ratio of medians. Every check runs inside the OS sandbox
(bubblewrap) where it can run; the line "sandbox:" says which. Goal: ratio <= 0.6.

The warm path (``check --watch``, the web app, the notebook) takes a sandboxed child
started ahead of time: we time one grading of softmax there, library call to report,
after a pause that lets the pool refill (a learner saves at most every few hundred
milliseconds). Goal: median <= 50 ms.

Usage: python bench/check_latency.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import time_command

SOLUTION = '''import numpy as np


def softmax(logits):
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    exps = np.exp(shifted)
    return exps / np.sum(exps, axis=-1, keepdims=True)
'''

PYTEST_FILE = '''import numpy as np
from softmax_impl import softmax


def test_readme_example():
    out = softmax(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(out, [0.09003057, 0.24472847, 0.66524096], rtol=1e-6)


def test_large_logits():
    out = softmax(np.array([[1000.0, 1001.0, 1002.0]]))
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out.sum(axis=-1), 1.0)


def test_batch_rows_sum_to_one():
    x = np.random.default_rng(0).normal(size=(4, 6))
    np.testing.assert_allclose(softmax(x).sum(axis=-1), np.ones(4))
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="deepcareer-bench-"))
    (work / "softmax_impl.py").write_text(SOLUTION)
    (work / "test_softmax.py").write_text(PYTEST_FILE)
    deepcareer = Path(sys.executable).with_name("deepcareer")
    ours = [str(deepcareer), "check", "softmax", "--file", str(work / "softmax_impl.py"),
            "--home", str(work / "home"), "--json"]
    theirs = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_softmax.py"]
    time_command(ours, work, 0)  # warm the file cache and create the home once
    time_command(theirs, work, 0)
    a, b = [], []
    for _ in range(args.runs):  # interleaved, so machine noise hits both alike
        a.append(time_command(ours, work, 0))
        b.append(time_command(theirs, work, 0))
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"deepcareer check softmax: median {ma * 1000:.0f} ms over {args.runs} runs")
    print(f"python -m pytest (3 tests): median {mb * 1000:.0f} ms over {args.runs} runs")
    print(f"ratio deepcareer/pytest: {ma / mb:.2f} (goal <= 0.60)")
    warm = _warm_checks(work / "softmax_impl.py", args.runs)
    print(f"warm check (watch, web, notebook): median {statistics.median(warm) * 1000:.0f} ms, "
          f"max {max(warm) * 1000:.0f} ms over {len(warm)} checks (goal: median <= 50 ms)")


def _warm_checks(path: Path, runs: int) -> list[float]:
    import time

    from deepcareer.curriculum.catalog import default_catalog
    from deepcareer.grading import isolation, sandbox
    from deepcareer.grading.grader import grade

    print(f"sandbox: {isolation.level()} {isolation.weaker_note()}".rstrip())
    ex = default_catalog().get("softmax")
    source = path.read_text()
    times = []
    with sandbox.warm():
        for _ in range(runs):
            time.sleep(0.4)  # the pool refills while the learner edits
            started = time.perf_counter()
            report = grade(ex, source)
            times.append(time.perf_counter() - started)
            assert report.status == "pass", report.message
    return times


if __name__ == "__main__":
    main()
