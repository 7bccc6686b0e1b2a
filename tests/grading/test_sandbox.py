"""The sandbox holds: every bad input in the issue, each one a test.

Each test sends learner source through the real child process and asserts on
what the learner would be told, and that nothing escaped.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from deepcareer.grading import sandbox
from deepcareer.grading._child import pack_value
from deepcareer.grading.sandbox import Limits

X = np.array([[1.0, 2.0, 3.0]])


@pytest.fixture(autouse=True, params=["cold", "warm"])
def mode(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every test runs twice: a cold child, and a child from the warm pool."""
    if request.param == "warm":
        with sandbox.warm():
            yield "warm"
    else:
        yield "cold"


def run(source: str, *, filename: str = "learner.py", forbidden: tuple[str, ...] = (),
        limits: Limits | None = None) -> sandbox.SandboxResult:
    arrays: list[object] = []
    calls = [{"fn": "f", "args": [pack_value(X, arrays)], "kwargs": {}}]
    return sandbox.start(source, filename, calls, arrays, forbidden=forbidden,
                         limits=limits).wait()


def only_call(result: sandbox.SandboxResult) -> sandbox.CallOutcome:
    assert len(result.calls) == 1
    return result.calls[0]


def test_a_correct_function_returns_its_array() -> None:
    result = run("import numpy as np\ndef f(x):\n    return x * 2\n")
    assert result.status == "ok"
    np.testing.assert_array_equal(only_call(result).value, X * 2)


def test_syntax_error_gives_the_learners_line_and_no_grader_frames() -> None:
    result = run("import numpy as np\n\ndef f(x)\n    return x\n")
    assert result.status == "load_error"
    assert result.load_error["type"] == "SyntaxError"
    assert result.load_error["line"] == 3
    assert "_child" not in str(result.load_error)


def test_runtime_error_names_the_learners_line_only() -> None:
    result = run("def f(x):\n    y = 1\n    return x @ 'text'\n")
    err = only_call(result).error
    assert err["line"] == 3 and err["function"] == "f"
    assert "x @ 'text'" in err["text"]


def test_missing_function_lists_what_the_file_defines() -> None:
    out = only_call(run("def g(x):\n    return x\n"))
    assert out.kind == "missing" and out.defined == ["g"]


def test_infinite_loop_times_out_within_the_wall_limit_and_the_child_is_gone() -> None:
    marker = f"loop-{uuid.uuid4().hex}.py"
    arrays: list[object] = []
    calls = [{"fn": "f", "args": [pack_value(X, arrays)], "kwargs": {}}]
    started = sandbox.start("def f(x):\n    while True:\n        pass\n", marker, calls, arrays,
                            limits=Limits(wall_s=1.0))
    result = started.wait()
    assert result.status == "timeout"
    deadline = time.monotonic() + 3.0  # the killed child is reaped by its parent
    while _alive(started.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(started.pid)
    assert result.running_index == 0
    assert result.duration_s < 5.0  # the 1 s wall limit plus start-up, with room for a busy machine
    leftovers = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in cmdline:
                leftovers.append(pid)
    assert leftovers == []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_eight_gigabytes_is_refused_with_a_memory_message() -> None:
    out = only_call(run("import numpy as np\ndef f(x):\n    return np.ones(2**30)\n"))
    assert out.kind == "error" and out.error["type"] == "MemoryError"
    assert "memory" in out.error["message"]


def test_a_megabyte_of_printing_is_truncated() -> None:
    result = run("def f(x):\n    print('x' * 1_000_000)\n    return x\n")
    assert only_call(result).kind == "result"
    assert len(result.stdout) < 10_000
    assert "more characters of output cut" in result.stdout


@pytest.mark.parametrize(
    ("body", "what"),
    [
        ("import os\n    while True:\n        os.fork()", "forking"),
        ("import subprocess\n    subprocess.run(['true'])", "another program"),
        ("import os\n    os.system('true')", "another program"),
        ("import socket\n    socket.create_connection(('127.0.0.1', 9))", "network"),
        ("import ctypes\n    ctypes.CDLL(None)", "ctypes"),
        ("import deepcareer", "deepcareer"),
    ],
)
def test_forbidden_actions_fail_inside_the_child(body: str, what: str) -> None:
    out = only_call(run(f"def f(x):\n    {body}\n    return x\n"))
    assert out.kind == "error", out
    assert out.error["type"] == "SandboxViolation"
    assert what in out.error["message"]


def test_writing_outside_the_work_folder_fails(tmp_path: Path) -> None:
    target = tmp_path / f"escape-{uuid.uuid4().hex}"
    out = only_call(run(f"def f(x):\n    open({str(target)!r}, 'w').write('hi')\n    return x\n"))
    assert out.error["type"] == "SandboxViolation"
    assert not target.exists()


def test_writing_inside_the_work_folder_is_allowed() -> None:
    src = "def f(x):\n    open('scratch.txt', 'w').write('ok')\n    return x\n"
    assert only_call(run(src)).kind == "result"


def test_reading_the_reference_solution_fails() -> None:
    solution = sandbox.PACKAGE_DIR / "content" / "exercises" / "fundamentals" / "softmax"
    src = (f"def f(x):\n    return open({str(solution / 'solution.py')!r}).read()\n")
    out = only_call(run(src))
    assert out.error["type"] == "SandboxViolation"
    listing = only_call(run(f"import os\ndef f(x):\n    return os.listdir({str(solution)!r})\n"))
    assert listing.error["type"] == "SandboxViolation"


def test_the_home_is_out_of_reach(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "progress.db").write_text("secret")
    src = (f"def f(x):\n    open({str(home / 'progress.db')!r}).read()\n"
           f"    open({str(home / 'new.txt')!r}, 'w')\n    return x\n")
    out = only_call(run(src, forbidden=(str(home),)))
    assert out.error["type"] == "SandboxViolation"
    assert sorted(p.name for p in home.iterdir()) == ["progress.db"]


def test_environment_is_cleared_and_blas_single_threaded() -> None:
    os.environ["DEEPCAREER_TEST_SECRET"] = "leak"
    try:
        src = ("import os\ndef f(x):\n    print(sorted(os.environ))\n"
               "    print(os.environ.get('OPENBLAS_NUM_THREADS'))\n    return x\n")
        result = run(src)
    finally:
        del os.environ["DEEPCAREER_TEST_SECRET"]
    assert "DEEPCAREER_TEST_SECRET" not in result.stdout
    assert "\n1\n" in result.stdout


def test_learner_cannot_modify_the_case_inputs_in_place() -> None:
    arrays: list[object] = []
    arg = pack_value(X, arrays)
    calls = [{"fn": "f", "args": [arg], "kwargs": {}}, {"fn": "g", "args": [arg], "kwargs": {}}]
    src = "def f(x):\n    x[...] = 0\n    return x\ndef g(x):\n    return x\n"
    result = sandbox.start(src, "l.py", calls, arrays).wait()
    np.testing.assert_array_equal(result.calls[1].value, X)


def test_unsendable_outputs_are_named_not_unpickled() -> None:
    out = only_call(run("def f(x):\n    return {'a': 1}\n"))
    assert out.kind == "result" and repr(out.value) == "<dict>"


def test_orphaned_scratch_folders_are_swept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    old = tmp_path / f"{sandbox.WORKDIR_PREFIX}old"
    old.mkdir()
    os.utime(old, (0, 0))
    fresh = tmp_path / f"{sandbox.WORKDIR_PREFIX}fresh"
    fresh.mkdir()
    run("def f(x):\n    return x\n")
    assert not old.exists() and fresh.exists()
