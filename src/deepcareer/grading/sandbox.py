"""Run untrusted learner code in a sandboxed child process.

Layers, from outside in: the operating-system wall (``isolation.py``: bubblewrap
namespaces, only the Python runtime mounted, a private scratch folder), a fresh
process in its own session, ``python -I`` with a cleared environment,
single-threaded BLAS, ``setrlimit`` on CPU time, address space, file size, open
files, processes and core dumps, a wall-clock timeout, and inside the child an
audit hook that turns forbidden actions into friendly messages (``_child.py``).

The parent trusts nothing the child sends beyond bounded frames: at most
:data:`MAX_OUTPUT_BYTES` in all, each frame's JSON and arrays capped, arrays loaded
from ``.npy`` bytes with ``allow_pickle=False`` after their header is checked
against their size, and every string stripped of terminal control characters.
A child that sends more is killed and the learner told why.
"""

from __future__ import annotations

import contextlib
import io
import os
import queue
import select
import selectors
import shutil
import signal
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
from deepcareer.grading import _child, isolation

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
    # NumPy floating-point warnings the call raised ("overflow encountered in exp (line 4:
    # ...)") and the names of the arguments it changed in place; both a few strings at most.
    warnings: list[str] = field(default_factory=list)
    mutated: list[str] = field(default_factory=list)
    # Facts about what the call did inside a framework (layers run, the state of the
    # gradients at each step, what was saved): see _child._watching and grading/traps.py.
    observed: dict[str, Any] = field(default_factory=dict)


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
    isolation: str = "guard"  # isolation.OS or isolation.GUARD: the wall it ran behind


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
    """Runs between fork and exec: new session, rlimits. Under bubblewrap they apply to
    ``bwrap`` and so to everything started inside."""
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
    child: _Child | None = None,
) -> Run:
    """Start the child now (or use ``child``, from :func:`reserve`) and return a handle;
    collect with :meth:`Run.wait`.

    Starting early lets the parent compute expected values while the child
    imports NumPy and runs: the two overlap, which halves the wall time.
    """
    return Run(source, filename, calls, arrays, forbidden=forbidden, limits=limits or Limits(),
               preload=preload, child=child)


def reserve(limits: Limits, preload: Sequence[str] = (),
            forbidden: Sequence[str] = ()) -> _Child:
    """A child for one run, started now (or taken from the warm pool), before the request
    is ready: a framework child imports PyTorch or TensorFlow while the grader imports the
    exercise's checks (which import it too) and builds the cases. Pass it to :func:`start`
    as ``child``; kill it if the run never starts."""
    hide = [str(PACKAGE_DIR), *map(str, forbidden)]
    pooled = _take_warm(limits, hide, tuple(preload))
    return pooled or _Child(limits, hide, preload)


class _Child:
    """One sandboxed interpreter, started and importing NumPy (and ``preload``: a
    framework), waiting for one request."""

    def __init__(self, limits: Limits, hide: Sequence[str], preload: Sequence[str] = (),
                 warm_up: bool = False) -> None:
        _sweep_stale_workdirs()
        self.limits = limits
        self.workdir = tempfile.mkdtemp(prefix=WORKDIR_PREFIX)
        extra = [*preload, *(["--warm-up"] if warm_up else [])]
        argv, self.isolation = isolation.wrap(
            [sys.executable, "-I", str(CHILD_SCRIPT), self.workdir, *extra],
            scratch=self.workdir, files=[str(CHILD_SCRIPT)], hide=hide,
            scratch_mb=SCRATCH_MB)
        self.proc = subprocess.Popen(
            argv,
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
        return self.proc.pid

    def ready(self) -> bool:
        """Whether the child is past its imports and waiting (its first frame says so)."""
        assert self.proc.stdout is not None
        readable, _, _ = select.select([self.proc.stdout.fileno()], [], [], 0)
        return bool(readable)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def exchange(self, payload: bytes, timeout: float) -> tuple[bytes, str]:
        """Send the request and read the reply until EOF.

        Returns the bytes read and how it ended: ``done``, ``timeout`` or ``flood``
        (more than :data:`MAX_OUTPUT_BYTES`: the child is killed, nothing more is read).
        """
        assert self.proc.stdin is not None and self.proc.stdout is not None
        stdin, stdout = self.proc.stdin.fileno(), self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        chunks: list[bytes] = []
        size = 0
        view = memoryview(payload)
        os.set_blocking(stdin, False)
        with selectors.DefaultSelector() as sel:
            sel.register(stdout, selectors.EVENT_READ)
            sel.register(stdin, selectors.EVENT_WRITE)
            open_fds = 2
            while open_fds:
                left = deadline - time.monotonic()
                if left <= 0:
                    return b"".join(chunks), "timeout"
                for key, _ in sel.select(left):
                    if key.fd == stdout:
                        data = os.read(stdout, 1 << 16)
                        if data:
                            size += len(data)
                            if size > MAX_OUTPUT_BYTES:
                                return b"".join(chunks), "flood"
                            chunks.append(data)
                            continue
                    else:
                        try:
                            view = view[os.write(stdin, view[:1 << 16]):]
                        except BrokenPipeError:
                            view = view[:0]
                        if view:
                            continue
                        self.proc.stdin.close()
                    sel.unregister(key.fd)
                    open_fds -= 1
        return b"".join(chunks), "done"

    def kill(self) -> int | None:
        """End the run: every process of it (the namespace dies with its first process)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        try:
            code = self.proc.wait(timeout=10.0)
        except subprocess.TimeoutExpired:
            code = None
        shutil.rmtree(self.workdir, ignore_errors=True)
        return code


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
        child: _Child | None = None,
    ) -> None:
        self.limits = limits
        self.n_calls = len(calls)
        hide = [str(PACKAGE_DIR), *map(str, forbidden)]
        meta = {
            "source": source,
            "filename": filename,
            "calls": list(calls),
            "forbidden": hide,
            "preload": list(preload),
        }
        self.payload = _child.encode(meta, arrays)
        self.child = child or _take_warm(limits, hide, tuple(preload)) or \
            _Child(limits, hide, preload)
        self.refill_after = bool(preload)  # a framework run: top up the pool when it ends
        self.isolation = self.child.isolation
        self.started = time.perf_counter()

    @property
    def pid(self) -> int:
        return self.child.pid

    def wait(self) -> SandboxResult:
        """Wait for the child (at most the wall limit) and decode its frames."""
        try:
            raw, ended = self.child.exchange(self.payload, self.limits.wall_s)
        finally:
            returncode = self.child.kill()
            if self.refill_after:
                _refill_warm()
        result = self._decode(raw)
        result.duration_s = time.perf_counter() - self.started
        if ended == "timeout":
            result.status = "timeout"
        elif ended == "flood":
            result.status = "crashed"
            result.exit_detail = (f"sent more than the grader reads ({MAX_OUTPUT_BYTES >> 20} MB "
                                  "of results) and was stopped")
        elif result.status == "ok" and any(c.kind == "not_run" for c in result.calls):
            result.status = "crashed"
            result.exit_detail = _describe_exit(returncode, self.isolation)
        return result

    def _decode(self, raw: bytes) -> SandboxResult:
        calls = [CallOutcome("not_run") for _ in range(self.n_calls)]
        result = SandboxResult(status="ok", calls=calls, isolation=self.isolation)
        stream = io.BytesIO(raw)
        while True:
            try:
                frame = _child.decode(stream, limit=MAX_FRAME_JSON)
                if frame is None:
                    break
                meta, arrays = frame
                meta = _clean(meta)
                kind = meta.get("kind")
                index = meta.get("index")
                if not isinstance(index, int) or not 0 <= index < self.n_calls:
                    index = None
                if isinstance(meta.get("stdout"), str):
                    result.stdout = meta["stdout"][:_child.STDOUT_LIMIT + 100]
                if kind == "load_error":
                    result.status = "load_error"
                    result.load_error = _as_dict(meta.get("error"))
                elif kind == "started":
                    result.running_index = index
                elif index is None:
                    continue
                elif kind == "result":
                    calls[index] = CallOutcome("result",
                                               value=_child.unpack_value(meta["value"], arrays),
                                               warnings=_strings(meta.get("warnings")),
                                               mutated=_strings(meta.get("mutated")),
                                               observed=_as_dict(meta.get("observed")))
                    result.running_index = None
                elif kind == "error":
                    calls[index] = CallOutcome("error", error=_as_dict(meta.get("error")))
                    result.running_index = None
                elif kind == "missing":
                    defined = meta.get("defined")
                    calls[index] = CallOutcome("missing", defined=[
                        str(d) for d in defined[:200]] if isinstance(defined, list) else [])
                    result.running_index = None
            except Exception:  # a frame cut short or forged: keep what came before
                break
        return result


SCRATCH_MB = 64  # the run's working folder: in memory, private, this size at most
MAX_OUTPUT_BYTES = 64 << 20  # everything one run may send back
MAX_FRAME_JSON = 4 << 20  # the JSON part of one frame
_CONTROL = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F,
                          *range(0x80, 0xA0), 0x200E, 0x200F, *range(0x202A, 0x202F),
                          *range(0x2066, 0x206A)])


def clean_text(text: str) -> str:
    """Learner text made safe for a terminal: no escape sequences, no bidi overrides.

    Newlines and tabs stay; a carriage return becomes a newline (it could otherwise
    overwrite what the grader printed on the same line).
    """
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROL)


def _clean(value: Any, depth: int = 0) -> Any:
    if depth > 64:
        raise ValueError("nested too deeply")
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {clean_text(str(k)): _clean(v, depth + 1) for k, v in value.items()}
    return value


def _strings(value: Any, most: int = _child.MAX_WARNINGS, length: int = 300) -> list[str]:
    """A short list of short strings from the child, whatever it actually sent."""
    if not isinstance(value, list):
        return []
    return [v[:length] for v in value if isinstance(v, str)][:most]


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# --- the warm pool ---------------------------------------------------------------
# A cold child pays for Python's start-up and NumPy's import on every run (about
# 0.1 s). Long-lived graders (content verification, watch mode, the web app, the
# notebook) keep a few children started ahead of time, each already past those
# imports and waiting for its one request. Each is a whole sandbox of its own, used
# once: nothing a run leaves behind (files, processes) can reach the next run.


class _Pool:
    """Sandboxed children started ahead of time, one queue per kind of run.

    A kind is (limits, preloaded modules). NumPy runs (the default limits, nothing
    preloaded) keep ``size`` children ready from the start. A framework track's kind gets
    one child, started the first time a run of that kind comes in (that run goes cold) or
    when :func:`prepare` asks: each holds PyTorch or TensorFlow imported, hundreds of MB,
    so only tracks in use keep one.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.limits = Limits()
        self._ready: dict[tuple[Limits, tuple[str, ...]], list[_Child]] = {
            (self.limits, ()): []}
        self._lock = threading.Lock()
        self._closed = False
        self.refill()
        # Later children are started by one thread that lives as long as the pool: a child
        # dies with the thread that started it (PR_SET_PDEATHSIG follows the thread), so a
        # web server's short-lived worker threads must not be the ones to start them.
        self._requests: queue.SimpleQueue[bool] = queue.SimpleQueue()
        self._spawner = threading.Thread(target=self._serve, name="sandbox-pool", daemon=True)
        self._spawner.start()

    def _serve(self) -> None:
        while self._requests.get():
            self.refill()

    def _want(self, kind: tuple[Limits, tuple[str, ...]]) -> int:
        return self.size if not kind[1] else 1

    def refill(self) -> None:
        dead: list[_Child] = []
        with self._lock:
            if self._closed:
                return
            for kind, ready in self._ready.items():
                dead += [c for c in ready if not c.alive()]
                ready[:] = [c for c in ready if c.alive()]
                while len(ready) < self._want(kind):
                    ready.append(_Child(kind[0], [str(PACKAGE_DIR)], kind[1],
                                        warm_up=bool(kind[1])))
        for child in dead:
            child.kill()

    def prepare(self, limits: Limits, preload: tuple[str, ...]) -> None:
        """Keep a child of this kind ready from now on (started in the background)."""
        with self._lock:
            if self._closed or (limits, preload) in self._ready:
                return
            self._ready[(limits, preload)] = []
        self._requests.put(True)

    def take(self, limits: Limits, hide: Sequence[str],
             preload: tuple[str, ...] = ()) -> _Child | None:
        if isolation.exposes(hide):
            return None
        kind = (limits, preload)
        with self._lock:
            ready = self._ready.get(kind)
            if ready is None and not preload:
                return None  # unusual limits for a NumPy run: a cold child
            child = None
            while ready and child is None:
                candidate = ready.pop(0)
                if candidate.alive():
                    child = candidate
                else:
                    candidate.kill()
        if ready is None:
            self.prepare(limits, preload)  # this run goes cold; the next one will not
        elif not preload:
            self._requests.put(True)  # start the next one now: it imports while this one runs
        # A framework child's replacement is started when this run ends (Run.wait): its
        # second of importing would otherwise compete with the run for the CPU.
        return child

    def refill_later(self) -> None:
        self._requests.put(True)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            ready = [c for waiting in self._ready.values() for c in waiting]
            self._ready = {}
        self._requests.put(False)
        for child in ready:
            child.kill()


_WARM: list[_Pool] = []  # the active pool, if any (a list: one shared slot)
_WARM_DEPTH = [0]
_WARM_LOCK = threading.Lock()


@contextlib.contextmanager
def warm(size: int = 2) -> Iterator[None]:
    """Within this block, runs take a child started ahead of time.

    Re-entrant; the pool stops when the outermost block ends. NumPy runs have children
    ready from the start; a framework track gets one (spawned, with the framework
    imported, inside the same sandbox) after its first run or a :func:`prepare`.
    """
    with _WARM_LOCK:
        _WARM_DEPTH[0] += 1
        if not _WARM:
            _WARM.append(_Pool(size))
    try:
        yield
    finally:
        with _WARM_LOCK:
            _WARM_DEPTH[0] -= 1
            if _WARM_DEPTH[0] == 0 and _WARM:
                _WARM.pop().close()


def prepare(limits: Limits, preload: Sequence[str]) -> None:
    """Inside :func:`warm`, keep a child with ``preload`` imported ready for the next run of
    that kind (``check --watch`` on a PyTorch exercise). Does nothing outside it."""
    with _WARM_LOCK:
        pool = _WARM[0] if _WARM else None
    if pool is not None:
        pool.prepare(limits, tuple(preload))


def wait_ready(limits: Limits, preload: Sequence[str], timeout: float = 60.0) -> bool:
    """Inside :func:`warm`, wait until a child of this kind has finished importing (for
    benchmarks and tests, which stand for a learner who edits while it does)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with _WARM_LOCK:
            pool = _WARM[0] if _WARM else None
        if pool is None:
            return False
        with pool._lock:
            queue = list(pool._ready.get((limits, tuple(preload)), []))
        if any(c.ready() for c in queue):
            return True
        time.sleep(0.05)
    return False


def _refill_warm() -> None:
    with _WARM_LOCK:
        pool = _WARM[0] if _WARM else None
    if pool is not None:
        pool.refill_later()


def _take_warm(limits: Limits, hide: Sequence[str],
               preload: tuple[str, ...] = ()) -> _Child | None:
    with _WARM_LOCK:
        pool = _WARM[0] if _WARM else None
    return pool.take(limits, hide, preload) if pool is not None else None


def _sweep_stale_workdirs(max_age_s: float = 3600.0) -> None:
    """Remove scratch folders left by a grader that was killed (``kill -9``).

    A live check is at most a few seconds old, so anything older is an orphan.
    """
    cutoff = time.time() - max_age_s
    for path in Path(tempfile.gettempdir()).glob(WORKDIR_PREFIX + "*"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < cutoff:
                shutil.rmtree(path, ignore_errors=True)


def _describe_exit(code: int | None, level: str = isolation.GUARD) -> str:
    if code is None:
        return "the process did not finish"
    if level == isolation.OS and code > 128:  # bubblewrap reports a signal as 128 + its number
        code = 128 - code
    if code < 0:
        sig = -code
        if sig == signal.SIGXCPU:
            return "used more CPU time than the grader allows"
        if sig == signal.SIGKILL:
            return "was killed (most often: it used more memory than the grader allows)"
        if sig == signal.SIGSEGV:
            return "crashed with a segmentation fault (often: memory ran out inside NumPy)"
        with contextlib.suppress(ValueError):
            return f"was stopped by signal {signal.Signals(sig).name}"
        return f"was stopped by signal {sig}"
    return f"exited early with code {code} before all calls ran"
