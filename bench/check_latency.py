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

Frameworks (issue 15): for a PyTorch and a TensorFlow exercise, the one-shot
`deepcareer check` against a bare script that imports the framework, runs the learner's
functions on the same fixed cases and compares them with the expected outputs (goal:
ratio <= 1.3); the first check in a fresh home beside the later ones (goal: no dearer);
and the warm path, where a child with the framework imported waits for the check
(goal: median <= 1.0 s). The first-against-later line is printed for softmax too, whose
PyTorch and TensorFlow comparison outputs ship with the content.

Usage: python bench/check_latency.py [--runs N] [--framework-runs N] [--no-frameworks]
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
    parser.add_argument("--framework-runs", type=int, default=3)
    parser.add_argument("--no-frameworks", action="store_true")
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
    first, later = _first_and_later("softmax", work / "softmax_impl.py", work, args.runs)
    print(f"softmax first check in a home: median {first * 1000:.0f} ms; later checks: "
          f"median {later * 1000:.0f} ms (goal: first no dearer)")
    # The transformer track checks in the time of the rest of the NumPy track (issue 19).
    from deepcareer.curriculum.catalog import default_catalog

    mha = work / "mha_impl.py"
    mha.write_text(default_catalog().get(TRANSFORMER_EXERCISE).reference_source)
    first_t, later_t = _first_and_later(TRANSFORMER_EXERCISE, mha, work, args.runs)
    print(f"{TRANSFORMER_EXERCISE} (transformer track): first check median "
          f"{first_t * 1000:.0f} ms, later {later_t * 1000:.0f} ms; against softmax's "
          f"{later * 1000:.0f} ms: ratio {later_t / later:.2f} (goal: about 1, the NumPy track)")
    if not args.no_frameworks:
        for exercise in FRAMEWORK_EXERCISES:
            _framework_bench(exercise, work, args.framework_runs)


TRANSFORMER_EXERCISE = "multi-head-attention"
# One exercise per framework track, checked as the learner would check them.
FRAMEWORK_EXERCISES = ["torch-autograd", "tf-gradient-tape"]

BARE = '''"""What a learner could run by hand: import the framework, call the functions on the
fixed cases, compare with the expected outputs."""
import importlib.util
import pickle
import sys

import numpy as np

import {module}  # noqa: F401  (the framework the functions use)

spec = importlib.util.spec_from_file_location("learner", sys.argv[1])
learner = importlib.util.module_from_spec(spec)
spec.loader.exec_module(learner)
with open(sys.argv[2], "rb") as f:
    cases, rtol, atol = pickle.load(f)
for call, args, kwargs, expected in cases:
    out = getattr(learner, call)(*args, **kwargs)
    outs = out if isinstance(out, tuple | list) else (out,)
    wants = expected if isinstance(expected, tuple | list) else (expected,)
    for got, want in zip(outs, wants, strict=True):
        got = got.numpy() if hasattr(got, "numpy") else got
        np.testing.assert_allclose(np.asarray(got, dtype=float), want, rtol=rtol, atol=atol)
print("ok", len(cases))
'''


def _first_and_later(exercise: str, file: Path, work: Path, runs: int) -> tuple[float, float]:
    """Median of first checks of the exercise (each in a new home, set up beforehand by
    `deepcareer start`, so creating the home is not counted) and of the check after each."""
    deepcareer = str(Path(sys.executable).with_name("deepcareer"))
    firsts, laters = [], []
    for i in range(runs):
        home = work / f"first-{exercise}-{i}"
        time_command([deepcareer, "start", exercise, "--home", str(home)], work, 0)
        cmd = [deepcareer, "check", exercise, "--file", str(file), "--home", str(home),
               "--json"]
        firsts.append(time_command(cmd, work, 0))
        laters.append(time_command(cmd, work, 0))
    return statistics.median(firsts), statistics.median(laters)


def _framework_bench(exercise: str, work: Path, runs: int) -> None:
    import pickle

    from deepcareer.curriculum.catalog import default_catalog
    from deepcareer.curriculum.tracks import TRACKS
    from deepcareer.grading.grader import build_cases, expected_outputs

    ex = default_catalog().get(exercise)
    track = TRACKS[ex.meta.track]
    if not track.available():
        print(f"{exercise}: {track.module} is not installed; skipped")
        return
    file = work / f"{exercise}.py"
    file.write_text(ex.reference_source)
    cases = [c for c in build_cases(ex, 0) if c.judge is None and c.kind != "random"]
    expected = expected_outputs(ex, cases)
    data = work / f"{exercise}.pkl"
    data.write_bytes(pickle.dumps(([(c.call, list(c.args), dict(c.kwargs),
                                     _plain(e)) for c, e in zip(cases, expected,
                                                                strict=True)],
                                   ex.checks.rtol, ex.checks.atol)))
    bare = work / f"bare_{exercise.replace('-', '_')}.py"
    bare.write_text(BARE.format(module=track.module))
    deepcareer = str(Path(sys.executable).with_name("deepcareer"))
    ours = [deepcareer, "check", exercise, "--file", str(file), "--home", str(work / "home"),
            "--json"]
    theirs = [sys.executable, str(bare), str(file), str(data)]
    time_command(ours, work, 0)
    time_command(theirs, work, 0)
    a, b = [], []
    for _ in range(runs):
        a.append(time_command(ours, work, 0))
        b.append(time_command(theirs, work, 0))
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"{exercise}: deepcareer check median {ma:.2f} s, bare {track.module} script "
          f"({len(cases)} cases) median {mb:.2f} s, ratio {ma / mb:.2f} (goal <= 1.30)")
    first, later = _first_and_later(exercise, file, work, runs)
    print(f"{exercise}: first check in a home {first:.2f} s, later checks {later:.2f} s")
    warm = _warm_framework_checks(ex, file.read_text(), runs)
    print(f"{exercise}: warm check (watch, web, notebook) median {statistics.median(warm):.2f} "
          f"s, max {max(warm):.2f} s over {len(warm)} checks (goal: median <= 1.0 s)")


def _plain(value: object) -> object:
    """Framework tensors as NumPy arrays, so the bare script needs no deepcareer."""
    import numpy as np

    if isinstance(value, tuple | list):
        return tuple(_plain(v) for v in value)
    if hasattr(value, "numpy"):
        value = value.numpy()  # type: ignore[union-attr]
    return np.asarray(value, dtype=float)


def _warm_framework_checks(ex: object, source: str, runs: int) -> list[float]:
    """Grade in a warm pool: a child with the framework imported waits for each check."""
    import time

    from deepcareer.app import practice
    from deepcareer.curriculum.tracks import TRACKS
    from deepcareer.grading import sandbox
    from deepcareer.grading.grader import grade

    track = TRACKS[ex.meta.track]  # type: ignore[attr-defined]
    kind = (track.limits, track.preload)
    times = []
    with sandbox.warm(size=1):
        practice.keep_ready(ex)  # type: ignore[arg-type]
        grade(ex, source)  # type: ignore[arg-type]  # the parent imports the framework once
        for _ in range(runs):
            sandbox.wait_ready(*kind)  # the learner edits while the next child imports
            time.sleep(0.5)
            started = time.perf_counter()
            report = grade(ex, source)  # type: ignore[arg-type]
            times.append(time.perf_counter() - started)
            assert report.status == "pass", report.message
    return times


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
