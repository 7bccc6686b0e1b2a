"""Run a learner's ``project.py`` in the sandbox, one experiment after another.

The parent builds the data, writes each experiment's training split into a scratch
folder, starts ``projects/_child.py`` with rlimits and a wall-clock budget, and reads the
child's JSON events as they come (to draw progress and keep every epoch's figures even if
the budget runs out). Test labels are never written to the folder, and test features only
once ``fit`` has returned: the child says ``fitted`` and waits; the parent then writes
them (and, for a language model, a copy whose later characters are changed, to check that
each prediction uses its prefix only) and answers ``test`` on the child's stdin. The
sandbox hides whatever the caller lists (the home, the datasets' sources), so nothing
inside can rebuild the held-out rows.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deepcareer.grading import _child as exercise_child
from deepcareer.grading import isolation
from deepcareer.grading.sandbox import (
    PACKAGE_DIR,
    Limits,
    _child_env,
    _clean,
    _rlimits,
    clean_text,
)
from deepcareer.projects import tracker
from deepcareer.projects.rules import Unreachable
from deepcareer.projects.spec import Experiment, Project

if TYPE_CHECKING:  # NumPy and the data load after the child is started (see run_child)
    import numpy as np

    from deepcareer.projects.datasets import Dataset

CHILD_SCRIPT = Path(__file__).resolve().parent / "_child.py"
STARTUP_S = 5.0  # starting Python and NumPy, on top of the budget
FRAMEWORK_STARTUP_S = 25.0  # and importing PyTorch or TensorFlow
THREADS = 2  # the machine we promise to run on has two cores
SAMPLE_CHARS = 300
OUTPUT_KEPT = 4000
MAX_ARRAY_BYTES = 256 << 20  # one predictions file
MAX_EVENT_BYTES = 64 << 20  # all progress events of one run
MAX_EVENT_LINE = 1 << 20  # one event

Progress = Callable[[dict[str, Any]], None]


@dataclass
class ChildOutcome:
    """What came back from one sandboxed run, before evaluation."""

    status: str  # ok | error | timeout | crashed
    isolation: str = isolation.GUARD  # the wall the run went behind (isolation.OS or GUARD)
    events: list[dict[str, Any]] = field(default_factory=list)
    arrays: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    # What the parent kept to check the child's answers (cut positions of the changed copy)
    held: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    hidden: list[str] = field(default_factory=list)  # paths kept from the run (see run_child)
    # Experiments whose test features were asked for twice: the first request came from
    # inside fit (the harness asks once, after fit has returned).
    early: list[str] = field(default_factory=list)
    output: str = ""
    duration_s: float = 0.0
    detail: str = ""
    # Per experiment: why what fit returned could not be saved for the fresh sandboxes,
    # why a replay there gave nothing, and the libraries the saved model is made of (read
    # here from the pickle's opcodes, never by loading it).
    unsaved: dict[str, str] = field(default_factory=dict)
    replay_errors: dict[str, dict[str, str]] = field(default_factory=dict)
    snapshot_libs: dict[str, list[str]] = field(default_factory=dict)
    snapshots: dict[str, bytes] = field(default_factory=dict)  # what fit returned, pickled
    replay_wait_s: float = 0.0  # waiting for the fresh sandboxes after the run's child ended
    data_s: float = 0.0  # building (or loading) the dataset in the parent


def frameworks_for(project: Project, source: str) -> list[str]:
    """Frameworks to import before the guard: the track's, or what the file imports
    (never one the project's rules leave out of its sandbox: that import is the
    learner's, and fails with the rule's sentence)."""
    found = []
    allowed = set(project.spec.libraries)
    if project.spec.track == "pytorch" or "import torch" in source:
        found.append("torch")
    if project.spec.track == "tensorflow" or "import tensorflow" in source or (
            "import keras" in source):
        found.append("tensorflow")
    return [f for f in found if not allowed or f in allowed]


def limits_for(budget_s: float, frameworks: list[str]) -> Limits:
    wall = budget_s + STARTUP_S + (FRAMEWORK_STARTUP_S if frameworks else 0.0)
    return Limits(wall_s=wall, cpu_s=int(wall * THREADS * 1.5) + 30, memory_mb=8192,
                  file_mb=512, open_files=1024, processes=4096)


def _experiment_data(ds: Dataset, exp: Experiment) -> Dataset:
    from deepcareer.projects.datasets import shuffled

    return shuffled(ds) if exp.data == "shuffled" else ds


def _write_experiment(folder: Path, ds: Dataset) -> None:
    """The training split only: the test features wait until fit has returned."""
    import numpy as np

    folder.mkdir()
    np.save(folder / "train_X.npy", ds.train.X, allow_pickle=False)
    if ds.train.y is not None:
        np.save(folder / "train_y.npy", ds.train.y, allow_pickle=False)
    info: dict[str, Any] = {"classes": ds.train.classes, "vocab": ds.train.vocab,
                            "meta": ds.train.meta}
    if ds.train.vocab:
        info["prompt_ids"] = [int(i) for i in ds.train.X[:40]]  # the training text's start
    (folder / "info.json").write_text(json.dumps(info), encoding="utf-8")


TEST_FILES = ("test_X.npy", "test_X_perturbed.npy")


def _perturbed(ds: Dataset) -> tuple[np.ndarray, np.ndarray, float]:
    """The perturbed copy of the test rows, drawn with a seed from ``os.urandom``:
    ``(rows, order, seconds it took)`` (``datasets.perturbed_copy``)."""
    import numpy as np

    from deepcareer.projects.datasets import perturbed_copy

    started = time.perf_counter()
    rng = np.random.default_rng(int.from_bytes(os.urandom(8), "big"))
    rows, order = perturbed_copy(ds, rng)
    return rows, order, time.perf_counter() - started


def _write_perturbed(folder: Path, rows: np.ndarray, order: np.ndarray,
                     made_s: float) -> dict[str, np.ndarray]:
    """Write the perturbed copy of the test rows (before the clean ones, see run_child);
    return what the parent keeps: the secret order of its rows and how long it took to
    make and write."""
    import numpy as np

    started = time.perf_counter()
    np.save(folder / "test_X_perturbed.npy", rows, allow_pickle=False)
    return {"perturb_order": order,
            "perturb_prepare_s": np.asarray(made_s + time.perf_counter() - started)}


def _write_test(folder: Path, ds: Dataset) -> dict[str, np.ndarray]:
    """Write the test features (once fit has returned); return what the parent keeps."""
    import numpy as np

    np.save(folder / "test_X.npy", ds.test.X, allow_pickle=False)  # features only
    return {}


@dataclass(frozen=True)
class Probes:
    """The rows the fresh sandboxes predict, drawn once per run from ``os.urandom`` in
    the parent: ``half``, the test rows predicted apart from the others (the same rows for
    every experiment, so that no sandbox ever holds more of the test set than half; the half
    on one side of a random direction, so its statistics differ from the whole set's), and
    for a language model ``cuts`` and ``other``: each window with everything from its cut
    on replaced by the text of another window (real text, so the copy does not stand
    out). The prediction for position ``t`` may use ``X[:, :t + 1]`` only, so every
    position before the cut must come back the same (``evaluate.lookahead_rows``)."""

    half: np.ndarray
    cuts: np.ndarray | None = None
    other: np.ndarray | None = None

    @classmethod
    def draw(cls, ds: Dataset) -> Probes:
        import numpy as np

        rng = np.random.default_rng(int.from_bytes(os.urandom(8), "big"))
        X = ds.test.X
        n = len(X)
        # The half on one side of a secret random direction through the rows, not a random
        # half: its mean and spread differ from the whole set's, so a prediction that uses
        # statistics of the rows it is given changes for some row every time, while one
        # that depends on its own row alone cannot tell the two calls apart.
        flat = np.asarray(X, dtype=np.float64).reshape(n, -1)
        score = (flat - flat.mean(axis=0)) @ rng.normal(size=flat.shape[1])
        score = score + rng.uniform(0.0, 1e-9, size=n)  # ties (constant rows) broken at random
        half = np.sort(np.argsort(score, kind="stable")[: max(1, n // 2)])
        if not ds.test.vocab or X.ndim != 2 or n < 2:
            return cls(half)
        T = X.shape[1]
        cuts = rng.integers(max(1, T // 4), max(2, 3 * T // 4), size=n)
        other = (np.arange(n) + rng.integers(1, n)) % n  # another window for every row
        return cls(half, cuts, other)

    def rows(self, kind: str, ds: Dataset) -> np.ndarray:
        import numpy as np

        X = ds.test.X
        if kind == "half":
            return X[self.half]
        assert self.cuts is not None and self.other is not None
        later = X.copy()
        after = np.arange(X.shape[1])[None, :] >= self.cuts[:, None]  # (n, T)
        later[after] = X[self.other][after]
        return later


REPLAY_GRACE_S = 20.0  # after the run's child ends, for the last replay to finish
MAX_SNAPSHOT_BYTES = 512 << 20  # what fit returned, pickled


class Replay:
    """One fresh sandbox that predicts rows the parent chose from saved models.

    It starts beside the run's child (its imports overlap with training) and shares
    nothing with it: its own scratch folder, its own PID, network and IPC namespaces.
    Each experiment's ``model.pkl`` is read by the parent when ``fit`` returns, before
    any test row exists in the run's folder, and copied here with the rows to predict.
    So ``predict`` runs here on rows it has never seen, from the model as ``fit`` left
    it: whatever it computed or remembered in its calls in the other sandbox (a scaler
    fitted on the whole test set, the answers of a first call) is not here.
    """

    def __init__(self, kind: str, limits: Limits, hide: list[str], seed: int,
                 boot: dict[str, Any], mounts: list[tuple[str, str]] | None = None) -> None:
        self.kind = kind
        self.workdir = Path(tempfile.mkdtemp(prefix=f"deepcareer-replay-{kind}-"))
        (self.workdir / "boot.json").write_text(json.dumps(boot), encoding="utf-8")
        self.proc, read_fd, _ = _spawn(self.workdir, limits, hide, hash_seed=seed % 2**32,
                                       mode="replay", mounts=mounts)
        os.close(read_fd)  # it sends no events: its answers are files
        self.sent: list[str] = []
        self.hurried = False

    def _send(self, line: bytes) -> None:
        if self.proc.stdin is not None:
            with contextlib.suppress(BrokenPipeError, OSError, ValueError):
                self.proc.stdin.write(line)
                self.proc.stdin.flush()

    def start(self, job: dict[str, Any]) -> None:
        (self.workdir / "job.json").write_text(json.dumps(job), encoding="utf-8")
        self._send(b"go\n")

    def hurry(self) -> None:
        """Give this sandbox's session the normal priority again. It lowered its own
        at its start (``_child._session_nice``), so that its start-up does not compete
        with the parent building the data and the run's child importing; the parent
        raises it once training starts (so importing a framework overlaps with training
        rather than delaying the end), or at the latest when the first model is
        submitted. Any process may move its own processes' sessions between 0 and 19;
        done in a thread, since the kernel accepts one change per tenth of a second on
        the whole machine."""
        if self.hurried:
            return
        self.hurried = True
        threading.Thread(target=_session_priority_to_normal, args=(self.proc.pid,),
                         daemon=True).start()

    def submit(self, name: str, snapshot: bytes, X: np.ndarray) -> None:
        import numpy as np

        self.hurry()
        folder = self.workdir / name
        folder.mkdir()
        (folder / "model.pkl").write_bytes(snapshot)
        np.save(folder / "X.npy", X, allow_pickle=False)
        self.sent.append(name)
        self._send(name.encode() + b"\n")

    def finish(self, deadline: float) -> None:
        """Say there is no more, and wait until ``deadline`` (monotonic) at most."""
        self.hurry()
        self._send(b"end\n")
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=max(0.0, deadline - time.monotonic()))

    def collect(self, name: str) -> tuple[np.ndarray | None, dict[str, Any]]:
        """The predictions for ``name`` and what came with them (an error, the time)."""
        import numpy as np

        folder = self.workdir / name
        info: dict[str, Any] = {}
        raw = _read_scratch(folder / "info.json", MAX_EVENT_LINE)
        with contextlib.suppress(ValueError, RecursionError, UnicodeDecodeError):
            loaded = _clean(json.loads(raw)) if raw is not None else {}
            info = loaded if isinstance(loaded, dict) else {}
        data = _read_scratch(folder / "pred.npy", MAX_ARRAY_BYTES)
        if data is not None and "error" not in info:
            with contextlib.suppress(ValueError, OSError, EOFError):
                return exercise_child._load_npy(data, np), info
        return None, info

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _session_priority_to_normal(pid: int) -> None:
    """Write 0 to the session priority (``/proc/PID/autogroup``) of ``pid`` and of its
    descendants (bubblewrap's processes, then the sandboxed interpreter, which runs in a
    session of its own). Best effort: where it is refused, the sandbox raises its own."""
    seen: set[int] = set()
    todo = [pid]
    while todo and len(seen) < 16:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        with contextlib.suppress(OSError, ValueError):
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as fh:
                    todo.extend(int(c) for c in fh.read().split())
    def group(target: int | str) -> list[str]:
        try:
            with open(f"/proc/{target}/autogroup", encoding="ascii") as fh:
                return fh.read().split()  # ["/autogroup-N", "nice", "19"]
        except OSError:
            return []

    done = [group("self")[:1]]  # never our own session (bubblewrap's outer process)
    for target in sorted(seen):
        found = group(target)
        if len(found) != 3 or found[:1] in done or found[2] == "0":
            continue  # ours, one set already (a session is shared), or already normal
        done.append(found[:1])
        for _ in range(20):
            try:
                with open(f"/proc/{target}/autogroup", "w", encoding="ascii") as fh:
                    fh.write("0")
                break
            except BlockingIOError:  # another change within the last 100 ms
                time.sleep(0.02)
            except OSError:
                break


def run_child(project: Project, source: str, build: Callable[[], Dataset], *, seed: int,
              budget_s: float, forbidden: list[str], progress: Progress | None = None,
              experiments: list[Experiment] | None = None,
              on_data: Callable[[Dataset], None] | None = None,
              on_snapshot: Callable[[str, bytes], None] | None = None,
              unreachable: Unreachable | None = None,
              ) -> tuple[ChildOutcome, Dataset]:
    """Run ``source`` on every experiment of ``project`` (or those given).

    The child starts first and imports NumPy (and the framework) while the parent builds
    the dataset with ``build``; only then is it told to go. For a short run, such as the
    digits MLP, those start-ups are most of the wall time, so overlapping them matters.
    For the same reason the parent's own checks start as soon as what they need exists,
    while the child is still busy: ``on_data`` is called once the data is built and the
    child told to go, ``on_snapshot`` with each experiment's saved model as it is read
    (both must return at once, handing their work to a thread). ``unreachable``: the
    libraries the project's rules leave out of its sandboxes (``rules.unreachable``).
    """
    experiments = experiments or project.spec.experiments
    workdir = Path(tempfile.mkdtemp(prefix="deepcareer-project-"))
    # A folder that holds the scratch folder (a home under /tmp) cannot be hidden whole;
    # the caller lists the parts that matter inside it too.
    forbidden = [f for f in forbidden if not isolation._inside(
        os.path.realpath(workdir), os.path.realpath(f))]
    started, began = time.perf_counter(), time.monotonic()
    preload = frameworks_for(project, source)
    limits = limits_for(budget_s, preload)
    boot = {"tracker_path": tracker.__file__, "guard_path": exercise_child.__file__,
            "preload": preload, "threads": THREADS}
    (workdir / "boot.json").write_text(json.dumps(boot), encoding="utf-8")
    unreachable = unreachable or Unreachable()
    # Folders the sandbox covers: the caller's (the home, the datasets' sources) and the
    # libraries the rules leave out (a dataset folder inside one of those goes with it).
    hide = [str(PACKAGE_DIR), *unreachable.paths,
            *(f for f in forbidden if not any(isolation._inside(os.path.realpath(f), lib)
                                              for lib in unreachable.paths))]
    stubs = _stubs(unreachable)
    proc, read_fd, level = _spawn(workdir, limits, hide, hash_seed=seed % 2**32,
                                  mounts=stubs.mounts)
    held: dict[str, dict[str, np.ndarray]] = {}
    # The independent predictions: rows in other company, later characters changed.
    kinds = ["half", "later"] if project.spec.task == "language-model" else ["half"]
    replays: dict[str, Replay] = {}
    try:
        for kind in kinds:
            replays[kind] = Replay(kind, limits, hide, seed, boot, stubs.mounts)
        import numpy as np  # everything from here overlaps with the child's start

        building = time.perf_counter()
        ds = build()
        data_s = time.perf_counter() - building
        splits = {exp.name: _experiment_data(ds, exp) for exp in experiments}
        for exp in experiments:
            _write_experiment(workdir / exp.name, splits[exp.name])
        job = {
            "source": source, "filename": "project.py", "seed": seed, "budget_s": budget_s,
            "experiments": [{"name": e.name, "variant": e.variant} for e in experiments],
            "forbidden": [str(PACKAGE_DIR), *forbidden],
            "guarded_files": ds.guarded_files, "guarded_modules": ds.guarded_modules,
            "unavailable": unreachable.modules, "unavailable_message": unreachable.message(),
            "sample_chars": SAMPLE_CHARS,
            "sample_temperatures": list(project.spec.sample_temperatures),
        }
        (workdir / "job.json").write_text(json.dumps(job), encoding="utf-8")
        probes = Probes.draw(ds)
        for replay in replays.values():
            replay.start(job)
        snapshots: dict[str, bytes] = {}
        unsaved: dict[str, str] = {}
        assert proc.stdin is not None
        stdin = proc.stdin
        with contextlib.suppress(BrokenPipeError):  # a child that died says so below
            stdin.write(b"go\n")
            stdin.flush()
        # While the child loads the learner's file and trains: the noisy copies of the
        # test rows (written only once fit has returned), and the caller's own checks.
        noisy = {exp.name: _perturbed(splits[exp.name]) for exp in experiments
                 if splits[exp.name].perturb}
        if on_data is not None:
            on_data(ds)
        current: list[str] = []  # the experiment the child started last
        early: list[str] = []
        perturbing: list[str] = []  # experiments whose perturbed copy is being predicted

        def send(line: bytes) -> None:
            with contextlib.suppress(BrokenPipeError, OSError):
                stdin.write(line)
                stdin.flush()

        def give_test(name: str) -> None:
            held[name].update(_write_test(workdir / name, splits[name]))
            send(b"test\n")

        def hand_over(event: dict[str, Any]) -> None:
            """Test features for the running experiment, once its fit has returned (and
            once only); removed again when it is done, before the next fit starts.

            For fixed public rows the perturbed copy comes first, alone: its predictions
            are read and kept here before the clean rows exist in the folder, so
            ``predict`` cannot answer the copy by pairing it with the rows it came from
            (and a later rewrite of the file changes nothing).
            """
            kind, name = event.get("event"), str(event.get("experiment"))
            if kind == "start" and name in splits and name not in held:
                current[:] = [name]
                # The run's child has started up and the data is built: what is left of
                # the replays' own start-up (importing a framework) may now overlap with
                # training instead of waiting for its end.
                for replay in replays.values():
                    replay.hurry()
            elif kind == "fitted" and current == [name] and name not in held:
                # What fit returned, read before any test row is written: the fresh
                # sandboxes predict from these bytes, so nothing the run's child sees
                # later can change them.
                snapshot = _read_scratch(workdir / name / "model.pkl", MAX_SNAPSHOT_BYTES)
                if snapshot is None:
                    unsaved[name] = str(event.get("unsaved") or "no model.pkl was written")
                else:
                    snapshots[name] = snapshot
                    for what, replay in replays.items():
                        replay.submit(name, snapshot, probes.rows(what, splits[name]))
                    if on_snapshot is not None:
                        on_snapshot(name, snapshot)
                if name in noisy:
                    held[name] = _write_perturbed(workdir / name, *noisy[name])
                    perturbing.append(name)
                    send(b"perturbed\n")
                else:
                    held[name] = {}
                    give_test(name)
            elif kind == "perturbed" and name in perturbing:
                perturbing.remove(name)
                data = _read_scratch(workdir / name / "pred_perturbed.npy", MAX_ARRAY_BYTES)
                if data is not None:
                    with contextlib.suppress(ValueError, OSError, EOFError):
                        held[name]["pred_perturbed"] = exercise_child._load_npy(data, np)
                give_test(name)
            elif kind == "fitted" and name in held and name not in early:
                early.append(name)  # a second request: the first was forged inside fit
            elif kind in ("done", "error") and name in splits:
                for stem in TEST_FILES:
                    with contextlib.suppress(OSError):
                        (workdir / name / stem).unlink()

        outcome = _supervise(proc, read_fd, limits, progress, level, hand_over)
        outcome.held, outcome.hidden = held, [str(PACKAGE_DIR), *forbidden]
        outcome.early, outcome.unsaved, outcome.snapshots = early, unsaved, snapshots
        waiting = time.perf_counter()
        # The replays run at the lowest priority, so on a busy machine they may only get
        # going once training ends: they have the run's own wall-clock limit, and at least
        # a grace period after the run's child ended.
        deadline = max(time.monotonic() + REPLAY_GRACE_S,
                       began + limits.wall_s + REPLAY_GRACE_S)
        for replay in replays.values():
            replay.finish(deadline)
        outcome.replay_wait_s = time.perf_counter() - waiting
        outcome.data_s = data_s
        for exp in experiments:
            folder = workdir / exp.name
            found = {}
            stems = ["pred", "sample",
                     *(f"sample_at_{i}" for i in range(len(project.spec.sample_temperatures)))]
            for stem in stems:
                data = _read_scratch(folder / f"{stem}.npy", MAX_ARRAY_BYTES)
                if data is not None:
                    with contextlib.suppress(ValueError, OSError, EOFError):
                        found[stem] = exercise_child._load_npy(data, np)
            if exp.name in snapshots:
                from deepcareer.projects.rules import pickle_modules

                outcome.snapshot_libs[exp.name] = sorted(pickle_modules(snapshots[exp.name]))
            for what, replay in replays.items():
                if exp.name not in replay.sent:
                    continue
                pred_kind, info = replay.collect(exp.name)
                if pred_kind is not None:
                    found[f"pred_{what}"] = pred_kind
                else:
                    error = info.get("error")
                    outcome.replay_errors.setdefault(exp.name, {})[what] = (
                        str(error.get("message", error)) if isinstance(error, dict) else
                        "it gave no predictions within its time")
                if what == "half":
                    found["half_idx"] = probes.half
                elif probes.cuts is not None:
                    held.setdefault(exp.name, {})["later_cut"] = probes.cuts
            outcome.arrays[exp.name] = found
        text_bytes = _read_scratch(workdir / "output.txt", MAX_ARRAY_BYTES, tail=True)
        if text_bytes is not None:
            text = clean_text(text_bytes.decode("utf-8", errors="replace"))
            outcome.output = text[-OUTPUT_KEPT:]
        outcome.duration_s = time.perf_counter() - started
        return outcome, ds
    finally:
        for replay in replays.values():
            replay.close()
        shutil.rmtree(stubs.folder, ignore_errors=True)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        with contextlib.suppress(OSError):
            os.close(read_fd)
        if proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()
        shutil.rmtree(workdir, ignore_errors=True)


def _read_scratch(path: Path, cap: int, *, tail: bool = False) -> bytes | None:
    """A file the sandboxed run left, read without trusting it: a regular file only (never
    a symlink it planted to make us read something of ours), at most ``cap`` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None
        if st.st_size > cap and not tail:
            return None
        if tail and st.st_size > cap:
            os.lseek(fd, st.st_size - cap, os.SEEK_SET)
        with os.fdopen(os.dup(fd), "rb") as fh:
            return fh.read(cap)
    finally:
        os.close(fd)


@dataclass
class Stubs:
    """Files bound over the packages a project's rules leave out (``rules.unreachable``):
    each package's folder is an empty one in the sandbox, with only an ``__init__.py``
    (and a module file is replaced) that raises the rule's sentence. So the sentence
    comes from the wall itself, even for code that removes the child's friendly finder
    or loads the file by its path. ``mounts``: (stub on the host, where it goes)."""

    folder: str
    mounts: list[tuple[str, str]]


def _stubs(unreachable: Unreachable) -> Stubs:
    folder = tempfile.mkdtemp(prefix="deepcareer-stubs-")
    mounts: list[tuple[str, str]] = []
    for path in unreachable.paths:
        base = os.path.basename(path)
        name = base[:-3] if base.endswith(".py") else base
        library = unreachable.modules.get(name)
        if library is None:
            continue  # compiled code or metadata: an empty folder is all it needs
        stub = os.path.join(folder, f"{name}.py")
        with open(stub, "w", encoding="utf-8") as fh:
            fh.write(f"raise ModuleNotFoundError({unreachable.message()!r}.format("
                     f"name=__name__, library={library!r}), name=__name__)\n")
        os.chmod(stub, 0o444)
        mounts.append((stub, path if os.path.isfile(path) else
                       os.path.join(path, "__init__.py")))
    return Stubs(folder, mounts)


def _spawn(workdir: Path, limits: Limits, hide: list[str], hash_seed: int = 0,
           mode: str = "run", mounts: list[tuple[str, str]] | None = None,
           ) -> tuple[subprocess.Popen[bytes], int, str]:
    """Start the child inside the sandbox; it sees its scratch folder and the runtime only
    (its three scripts are bound read-only at their own paths).

    ``-s -P`` rather than ``-I``: ``-I`` also implies ``-E``, which ignores every
    ``PYTHON*`` variable, ``PYTHONHASHSEED`` included, so string hashes (and the order of a
    set of strings) changed from run to run whatever the seed. The environment is built
    here from nothing (``_child_env``), so reading it is safe; the hash seed follows the
    run's seed, and a run repeats with its seed.
    """
    read_fd, write_fd = os.pipe()
    env = _child_env(str(workdir))
    env["PYTHONHASHSEED"] = str(hash_seed)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(THREADS)
    # Idle OpenMP threads sleep instead of spinning: on a shared 2-core machine a spinning
    # pool made each training step 3 to 10 times slower.
    env["OMP_WAIT_POLICY"] = "PASSIVE"
    argv, level = isolation.wrap(
        [sys.executable, "-s", "-P", str(CHILD_SCRIPT), str(workdir), str(write_fd),
         *(["replay"] if mode == "replay" else [])],
        scratch=str(workdir), hide=hide,
        files=[str(CHILD_SCRIPT), tracker.__file__, exercise_child.__file__])
    if level == isolation.OS and mounts:  # after the folders they go in were emptied
        at = argv.index("--chdir")
        argv[at:at] = [arg for host, there in mounts for arg in ("--ro-bind", host, there)]
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        cwd=workdir, env=env, pass_fds=[write_fd], close_fds=True,
        preexec_fn=lambda: _start(limits, 19 if mode == "replay" else 0))
    os.close(write_fd)
    return proc, read_fd, level


def _start(limits: Limits, niceness: int) -> None:
    """In the new process, before it runs anything: its limits and its priority. A
    replay runs at the lowest priority: its start-up (importing the framework) then takes
    only what the run's training leaves idle, instead of slowing a training that stops
    on the clock."""
    exercise_child.apply_limits(_rlimits(limits))
    if niceness:
        os.nice(niceness)


def _supervise(proc: subprocess.Popen[bytes], read_fd: int, limits: Limits,
               progress: Progress | None, level: str,
               on_event: Progress | None = None) -> ChildOutcome:
    outcome = ChildOutcome(status="ok", isolation=level)
    deadline = time.monotonic() + limits.wall_s
    buffer = b""
    received = 0
    sel = selectors.DefaultSelector()
    sel.register(read_fd, selectors.EVENT_READ)
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                outcome.status, outcome.detail = "timeout", f"{limits.wall_s:.0f} s"
                break
            if not sel.select(timeout=min(left, 0.5)):
                continue
            chunk = os.read(read_fd, 1 << 16)
            if not chunk:
                break
            received += len(chunk)
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            if received > MAX_EVENT_BYTES or len(buffer) > MAX_EVENT_LINE:
                outcome.status = "error"
                outcome.detail = (f"the run sent more than the {MAX_EVENT_BYTES >> 20} MB of "
                                  "progress events the tracker allows and was stopped")
                break
            for line in lines:
                with contextlib.suppress(ValueError, RecursionError):
                    event = _clean(json.loads(line))
                    if not isinstance(event, dict):
                        continue
                    outcome.events.append(event)
                    if on_event is not None:
                        on_event(event)
                    if progress is not None:
                        progress(event)
    finally:
        sel.close()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        code = proc.wait()
    if level == isolation.OS and code > 128:  # bubblewrap reports a signal as 128 + its number
        code = 128 - code
    if outcome.status == "ok":
        if any(e.get("event") == "error" for e in outcome.events):
            outcome.status = "error"
        elif code != 0 and code != -signal.SIGKILL:
            outcome.status = "crashed"
            outcome.detail = _exit_detail(code)
    return outcome


def _exit_detail(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            name = signal.Signals(-code).name
            if name == "SIGKILL":
                return "killed (out of memory or CPU time)"
            if name == "SIGXCPU":
                return "ran out of CPU time"
            return f"killed by {name}"
    return f"exited with code {code}"
