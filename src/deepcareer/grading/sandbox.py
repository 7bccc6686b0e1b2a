"""Run untrusted learner code in a limited child process.

Layers, from outside in: a fresh process in its own session (so the whole
group can be killed), ``python -I`` with a cleared environment, single-threaded
BLAS, ``setrlimit`` on CPU time, address space, file size, open files,
processes and core dumps, a wall-clock timeout, and inside the child an audit
hook (see ``_child.py``). Results come back as ``.npy`` bytes loaded with
``allow_pickle=False``; the parent never unpickles anything the child wrote.
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deepcareer.frameworks import FRAMEWORK_ENV
from deepcareer.grading import _child

CHILD_SCRIPT = Path(_child.__file__).resolve()
PACKAGE_DIR = CHILD_SCRIPT.parent.parent
WORKDIR_PREFIX = "deepcareer-sandbox-"


@dataclass(frozen=True)
class Limits:
    """Resource limits for one sandboxed run (defaults suit NumPy exercises)."""

    wall_s: float = 5.0
    cpu_s: int = 10
    memory_mb: int = 1024
    file_mb: int = 16
    open_files: int = 64
    processes: int = 256


@dataclass
class CallOutcome:
    """What one call of a learner function did."""

    kind: str  # result | error | missing | not_run
    value: Any = None
    error: dict[str, Any] = field(default_factory=dict)
    defined: list[str] = field(default_factory=list)


@dataclass
class SandboxResult:
    """Everything the child reported, plus how it ended."""

    status: str  # ok | load_error | timeout | crashed
    calls: list[CallOutcome]
    stdout: str = ""
    load_error: dict[str, Any] = field(default_factory=dict)
    running_index: int | None = None  # call in flight when time ran out
    exit_detail: str = ""
    duration_s: float = 0.0


def _die_with_parent() -> None:
    """Ask Linux to kill the child if the grading process dies (say, ``kill -9``)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _limit_child(limits: Limits) -> None:
    """Runs in the child between fork and exec: apply rlimits, new session."""
    os.setsid()
    _die_with_parent()
    mb = 1024 * 1024
    for res, value in (
        (resource.RLIMIT_CPU, limits.cpu_s),
        (resource.RLIMIT_AS, limits.memory_mb * mb),
        (resource.RLIMIT_FSIZE, limits.file_mb * mb),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_NPROC, limits.processes),
    ):
        _soft, hard = resource.getrlimit(res)
        new = value if hard == resource.RLIM_INFINITY else min(value, hard)
        with contextlib.suppress(ValueError, OSError):  # some limits cannot move: keep them
            resource.setrlimit(res, (new, new))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _child_env(workdir: str) -> dict[str, str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": workdir,
        "TMPDIR": workdir,
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "MPLBACKEND": "Agg",
        **FRAMEWORK_ENV,
    }
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
        env[var] = "1"
    # Some CPUs need these for OpenBLAS to compute correctly; pass them through.
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if var in os.environ:
            env[var] = os.environ[var]
    return env


def start(
    source: str,
    filename: str,
    calls: Sequence[dict[str, Any]],
    arrays: list[Any],
    *,
    forbidden: Sequence[str] = (),
    limits: Limits | None = None,
    preload: Sequence[str] = (),
) -> Run:
    """Start the child now and return a handle; collect with :meth:`Run.wait`.

    Starting early lets the parent compute expected values while the child
    imports NumPy and runs: the two overlap, which halves the wall time.
    """
    return Run(source, filename, calls, arrays, forbidden=forbidden, limits=limits or Limits(),
               preload=preload)


class Run:
    """A running sandboxed child."""

    def __init__(
        self,
        source: str,
        filename: str,
        calls: Sequence[dict[str, Any]],
        arrays: list[Any],
        *,
        forbidden: Sequence[str],
        limits: Limits,
        preload: Sequence[str] = (),
    ) -> None:
        self.limits = limits
        self.n_calls = len(calls)
        _sweep_stale_workdirs()
        self.workdir = tempfile.mkdtemp(prefix=WORKDIR_PREFIX)
        self.started = time.perf_counter()
        meta = {
            "source": source,
            "calls": list(calls),
            "forbidden": [str(PACKAGE_DIR), *map(str, forbidden)],
            "preload": list(preload),
        }
        self.payload = _child.encode(meta, arrays)
        self.proc = subprocess.Popen(
            [sys.executable, "-I", str(CHILD_SCRIPT), self.workdir, filename],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=self.workdir,
            env=_child_env(self.workdir),
            preexec_fn=lambda: _limit_child(limits),
            close_fds=True,
        )

    def wait(self) -> SandboxResult:
        """Wait for the child (at most the wall limit) and decode its frames."""
        timed_out = False
        try:
            raw, _ = self.proc.communicate(self.payload, timeout=self.limits.wall_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            self._kill_group()
            raw, _ = self.proc.communicate()
        finally:
            self._kill_group()
            shutil.rmtree(self.workdir, ignore_errors=True)
        result = self._decode(raw)
        result.duration_s = time.perf_counter() - self.started
        if timed_out:
            result.status = "timeout"
        elif result.status == "ok" and any(c.kind == "not_run" for c in result.calls):
            result.status = "crashed"
            result.exit_detail = _describe_exit(self.proc.returncode)
        return result

    def _kill_group(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def _decode(self, raw: bytes) -> SandboxResult:
        calls = [CallOutcome("not_run") for _ in range(self.n_calls)]
        result = SandboxResult(status="ok", calls=calls)
        stream = io.BytesIO(raw)
        while True:
            try:
                frame = _child.decode(stream)
            except (ValueError, KeyError, OSError, EOFError):
                break  # a frame cut short by a kill: keep what came before
            if frame is None:
                break
            meta, arrays = frame
            result.stdout = meta.get("stdout", result.stdout)
            kind = meta.get("kind")
            index = meta.get("index")
            if kind == "load_error":
                result.status = "load_error"
                result.load_error = meta.get("error", {})
            elif kind == "started":
                result.running_index = index
            elif kind == "result" and isinstance(index, int) and index < self.n_calls:
                value = _child.unpack_value(meta["value"], arrays)
                calls[index] = CallOutcome("result", value=value)
                result.running_index = None
            elif kind == "error" and isinstance(index, int) and index < self.n_calls:
                calls[index] = CallOutcome("error", error=meta.get("error", {}))
                result.running_index = None
            elif kind == "missing" and isinstance(index, int) and index < self.n_calls:
                calls[index] = CallOutcome("missing", defined=meta.get("defined", []))
                result.running_index = None
        return result


def _sweep_stale_workdirs(max_age_s: float = 3600.0) -> None:
    """Remove scratch folders left by a grader that was killed (``kill -9``).

    A live check is at most a few seconds old, so anything older is an orphan.
    """
    cutoff = time.time() - max_age_s
    for path in Path(tempfile.gettempdir()).glob(WORKDIR_PREFIX + "*"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < cutoff:
                shutil.rmtree(path, ignore_errors=True)


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "the process did not finish"
    if code < 0:
        sig = -code
        if sig == signal.SIGXCPU:
            return "used more CPU time than the grader allows"
        if sig == signal.SIGKILL:
            return "was killed (most often: it used more memory than the grader allows)"
        if sig == signal.SIGSEGV:
            return "crashed with a segmentation fault (often: memory ran out inside NumPy)"
        return f"was stopped by signal {signal.Signals(sig).name}"
    return f"exited early with code {code} before all calls ran"
