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
import json
import os
import queue
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
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


def _rlimits(limits: Limits) -> dict[str, int]:
    mb = 1024 * 1024
    return {
        "RLIMIT_CPU": limits.cpu_s,
        "RLIMIT_AS": limits.memory_mb * mb,
        "RLIMIT_FSIZE": limits.file_mb * mb,
        "RLIMIT_NOFILE": limits.open_files,
        "RLIMIT_CORE": 0,
        "RLIMIT_NPROC": limits.processes,
    }


def _limit_child(limits: Limits) -> None:
    """Runs in the child between fork and exec: new session, rlimits (shared with the
    zygote's children, so both kinds of run are limited alike)."""
    _child.apply_limits(_rlimits(limits))


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
        zygote = _warm_zygote() if not preload else None  # frameworks do not survive fork
        self.child: _ZygoteChild | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        if zygote is not None:
            self.child = zygote.spawn(self.workdir, filename, limits)
        if self.child is None:
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

    @property
    def pid(self) -> int:
        return self.child.pid if self.child is not None else self.proc.pid  # type: ignore[union-attr]

    def wait(self) -> SandboxResult:
        """Wait for the child (at most the wall limit) and decode its frames."""
        timed_out = False
        try:
            if self.child is not None:
                raw, timed_out = self.child.communicate(self.payload, self.limits.wall_s)
                if timed_out:
                    self._kill_group()
                returncode = self.child.returncode(timeout=5.0)
            else:
                assert self.proc is not None
                try:
                    raw, _ = self.proc.communicate(self.payload, timeout=self.limits.wall_s)
                except subprocess.TimeoutExpired:
                    timed_out = True
                    self._kill_group()
                    raw, _ = self.proc.communicate()
                returncode = self.proc.returncode
        finally:
            self._kill_group()
            shutil.rmtree(self.workdir, ignore_errors=True)
        result = self._decode(raw)
        result.duration_s = time.perf_counter() - self.started
        if timed_out:
            result.status = "timeout"
        elif result.status == "ok" and any(c.kind == "not_run" for c in result.calls):
            result.status = "crashed"
            result.exit_detail = _describe_exit(returncode)
        return result

    def _kill_group(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)

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


# --- the warm pool ---------------------------------------------------------------
# A cold child pays for Python's start-up and NumPy's import on every run (about
# 0.1 s). Long-lived graders (content verification, watch mode, the web app, the
# notebook) keep a zygote that has paid once and forks a fresh child per run.


class _ZygoteChild:
    """One run forked by the zygote: pipes for its stdin and stdout, and its exit code."""

    def __init__(self, pid: int, stdin_w: int, stdout_r: int, exits: Any) -> None:
        self.pid = pid
        self._stdin, self._stdout = stdin_w, stdout_r
        self._exits = exits  # a queue that receives the exit code

    def communicate(self, payload: bytes, timeout: float) -> tuple[bytes, bool]:
        """Send the request, read the reply until EOF; (bytes read, timed out?)."""
        deadline = time.monotonic() + timeout
        chunks: list[bytes] = []
        view = memoryview(payload)
        os.set_blocking(self._stdin, False)
        with selectors.DefaultSelector() as sel:
            sel.register(self._stdout, selectors.EVENT_READ)
            if view:
                sel.register(self._stdin, selectors.EVENT_WRITE)
            else:
                os.close(self._stdin)
            open_fds = 2 if view else 1
            try:
                while open_fds:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return b"".join(chunks), True
                    for key, _ in sel.select(left):
                        if key.fd == self._stdout:
                            data = os.read(self._stdout, 1 << 16)
                            if data:
                                chunks.append(data)
                                continue
                        else:
                            try:
                                view = view[os.write(self._stdin, view[:1 << 16]):]
                            except BrokenPipeError:
                                view = view[:0]
                            if view:
                                continue
                        sel.unregister(key.fd)
                        os.close(key.fd)
                        open_fds -= 1
            finally:
                for key in list(sel.get_map().values()):
                    with contextlib.suppress(OSError):
                        os.close(key.fd)
        return b"".join(chunks), False

    def returncode(self, timeout: float) -> int | None:
        try:
            code: int = self._exits.get(timeout=timeout)
        except queue.Empty:
            return None
        return code


class Zygote:
    """A warm parent for sandboxed runs of the NumPy track (see ``_child.zygote``)."""

    def __init__(self) -> None:
        self._sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._dir = tempfile.mkdtemp(prefix=WORKDIR_PREFIX)
        self._proc = subprocess.Popen(
            [sys.executable, "-I", str(CHILD_SCRIPT), "--zygote", str(theirs.fileno())],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            cwd=self._dir, env=_child_env(self._dir), pass_fds=[theirs.fileno()],
            close_fds=True, preexec_fn=lambda: _child.apply_limits({}),  # dies with us
        )
        theirs.close()
        self._lock = threading.Lock()
        self._jobs = 0
        self._pids: dict[int, Any] = {}
        self._exits: dict[int, Any] = {}
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def alive(self) -> bool:
        return self._proc.poll() is None

    def spawn(self, workdir: str, filename: str, limits: Limits) -> _ZygoteChild | None:
        """Fork a child for one run; ``None`` if the zygote is gone (use a cold child)."""
        if not self.alive():
            return None
        stdin_r, stdin_w = os.pipe()
        stdout_r, stdout_w = os.pipe()
        with self._lock:
            self._jobs += 1
            job = self._jobs
            self._pids[job] = queue.Queue()
            self._exits[job] = queue.Queue()
        request = {"job": job, "workdir": workdir, "filename": filename,
                   "limits": _rlimits(limits)}
        try:
            socket.send_fds(self._sock, [json.dumps(request).encode()], [stdin_r, stdout_w])
            pid = self._pids[job].get(timeout=10.0)
        except Exception:  # the zygote died or hung: fall back to a cold start
            for fd in (stdin_r, stdin_w, stdout_r, stdout_w):
                with contextlib.suppress(OSError):
                    os.close(fd)
            return None
        finally:
            os.close(stdin_r)
            os.close(stdout_w)
        return _ZygoteChild(pid, stdin_w, stdout_r, self._exits[job])

    def _read(self) -> None:
        while True:
            try:
                data = self._sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            msg = json.loads(data)
            target = self._pids if "pid" in msg else self._exits
            with self._lock:
                box = target.get(msg["job"])
            if box is not None:
                box.put(msg["pid"] if "pid" in msg else msg["exit"])
                if "exit" in msg:
                    with self._lock:
                        self._pids.pop(msg["job"], None)
                        self._exits.pop(msg["job"], None)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.close()
        with contextlib.suppress(ProcessLookupError):
            self._proc.kill()
        self._proc.wait()
        shutil.rmtree(self._dir, ignore_errors=True)


_WARM: list[Zygote] = []  # the active zygote, if any (a list: one shared slot)
_WARM_DEPTH = [0]
_WARM_LOCK = threading.Lock()


@contextlib.contextmanager
def warm() -> Iterator[None]:
    """Within this block, NumPy-track runs fork from a warm zygote (about 10x faster).

    Re-entrant; the zygote stops when the outermost block ends. Runs of framework
    tracks keep cold children: PyTorch and TensorFlow start threads that fork breaks.
    """
    with _WARM_LOCK:
        _WARM_DEPTH[0] += 1
        if not _WARM and hasattr(socket, "send_fds"):
            _WARM.append(Zygote())
    try:
        yield
    finally:
        with _WARM_LOCK:
            _WARM_DEPTH[0] -= 1
            if _WARM_DEPTH[0] == 0 and _WARM:
                _WARM.pop().close()


def _warm_zygote() -> Zygote | None:
    with _WARM_LOCK:
        if not _WARM:
            return None
        if not _WARM[0].alive():  # killed from outside: start another
            _WARM[0].close()
            _WARM[0] = Zygote()
        return _WARM[0]


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
