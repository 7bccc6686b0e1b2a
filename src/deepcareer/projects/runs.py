"""Run a project, evaluate it, record it; re-run it to verify; find the runs again.

A run's status is ``pass`` (the main experiment beat the threshold with no leak),
``fail``, ``leak`` (a leakage check fired: the figure does not count), ``error`` (the
learner's code raised; the message names the line) or ``timeout``. A passing run is
*verified* only once a re-run of the same code with the same seed lands within the
project's tolerance (:func:`verify`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import platform
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from deepcareer import __version__
from deepcareer.errors import UsageError
from deepcareer.home import workspace
from deepcareer.projects.runner import ChildOutcome, Progress, run_child
from deepcareer.projects.spec import Experiment, Project
from deepcareer.store.db import DB_NAME, Store
from deepcareer.store.learner import LearnerRecord
from deepcareer.store.rows import RunSummary

if TYPE_CHECKING:  # loaded while the training child starts (NumPy, scikit-learn)
    from deepcareer.projects.datasets import Dataset

CAPSTONE_CONFIG = "capstone.yml"
R = TypeVar("R")  # a stored run row or a RunResult


@dataclass
class ExperimentResult:
    name: str
    variant: str
    data: str
    status: str  # ok | error | not_run
    metric: float | None = None
    fit_s: float | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    error: dict[str, Any] = field(default_factory=dict)
    sample: str | None = None


@dataclass
class RunResult:
    project_id: str
    seed: int
    status: str
    metric: float | None
    passed: bool
    duration_s: float
    code_sha256: str
    experiments: list[ExperimentResult]
    checks: list[dict[str, Any]] = field(default_factory=list)  # named findings
    baselines: dict[str, float] = field(default_factory=dict)
    dataset: dict[str, Any] = field(default_factory=dict)
    environment: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    output: str = ""
    id: int | None = None
    created_at: str | None = None
    reproduces: int | None = None
    verified_by: int | None = None
    isolation: str = "guard"  # the sandbox the run went behind: "os" (bubblewrap) or "guard"
    origin: str = "learner"  # "reference" (our code) and "imported" runs are never evidence

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def experiment(self, name: str) -> ExperimentResult | None:
        return next((e for e in self.experiments if e.name == name), None)


# --- the learner's folder ------------------------------------------------------


def project_dir(home: Path, project_id: str) -> Path:
    return workspace(home) / "projects" / project_id


def learner_file(home: Path, project_id: str) -> Path:
    return project_dir(home, project_id) / "project.py"


def new_project(home: Path, project: Project, *, data: Path | None = None,
                target: str | None = None, force: bool = False) -> Path:
    """Copy the template (never over the learner's work) and, for the capstone, record
    where the learner's data is."""
    folder = project_dir(home, project.id)
    path = folder / "project.py"
    folder.mkdir(parents=True, exist_ok=True)
    if project.spec.dataset.name == "capstone":
        if data is None and not (folder / CAPSTONE_CONFIG).exists():
            raise UsageError("The capstone runs on your own data: `deepcareer project new "
                             "capstone --data FILE.csv --target COLUMN` or `--data FOLDER` "
                             "(one subfolder of images per class).")
        if data is not None:
            import yaml

            from deepcareer.projects.capstone import capstone_config

            config = capstone_config(data, target)
            (folder / CAPSTONE_CONFIG).write_text(yaml.safe_dump(config), encoding="utf-8")
    if not path.exists() or force:
        if path.exists():
            shutil.copy2(path, path.with_suffix(".py.bak"))
        shutil.copy2(project.template, path)
    readme = folder / "README.md"
    if not readme.exists():
        shutil.copy2(project.readme, readme)
    return path


def _capstone(home: Path) -> dict[str, Any] | None:
    from deepcareer import yamlio

    path = project_dir(home, "capstone") / CAPSTONE_CONFIG
    if not path.exists():
        return None
    try:
        config = yamlio.load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yamlio.YAMLError) as exc:
        raise UsageError(f"{path} is damaged ({exc}); run `deepcareer project new capstone "
                         "--data ...` again.") from exc
    return config if isinstance(config, dict) else None


def dataset_for(project: Project, home: Path) -> Dataset:
    from deepcareer.projects.datasets import load_dataset

    return load_dataset(project.spec.dataset.name, home, _capstone(home))


# --- running -------------------------------------------------------------------


def environment() -> dict[str, Any]:
    return {"python": platform.python_version(), "platform": platform.platform(),
            "machine": platform.machine(), "cpus": os.cpu_count(),
            "deepcareer": __version__}


def run_project(store: Store, project: Project, source: str, *, seed: int = 0,
                budget_s: float | None = None, progress: Progress | None = None,
                reproduces: int | None = None, experiments: list[str] | None = None,
                record: bool = True, origin: str = "learner") -> RunResult:
    """Train and evaluate ``source`` on every experiment; store and return the result.

    ``origin`` is 'reference' for a run of our reference (``project run --reference``):
    stored so its figures can be shown, never counted as the learner's work.
    """
    spec = project.spec
    chosen = _choose(project, experiments)
    if budget_s is not None and budget_s > spec.time_budget_s:
        # A run given more time than the project allows could pass and never verify (the
        # re-run has the project's budget): the budget is part of the task.
        raise UsageError(f"--budget can lower {project.id}'s time budget "
                         f"({spec.time_budget_s} s), not raise it: the budget is part of "
                         "the task, and verify re-runs within it.")
    budget = float(budget_s if budget_s is not None else spec.time_budget_s)
    forbidden = _out_of_reach(store.home)
    started = time.perf_counter()
    cache = store.home / "cache" / "projects"
    from deepcareer.projects.rules import unreachable

    with HeldOutScan(source, cache) as scan:
        outcome, ds = run_child(project, source, lambda: dataset_for(project, store.home),
                                seed=seed, budget_s=budget, forbidden=forbidden,
                                progress=progress, experiments=chosen,
                                on_data=scan.data, on_snapshot=scan.snapshot,
                                unreachable=unreachable(spec.libraries, cache))
        result = _finish(project, ds, chosen, outcome, seed, source, cache, scan, progress)
    # The whole run as the learner waited for it, the baselines' first computation included.
    result.duration_s = time.perf_counter() - started
    result.reproduces = reproduces
    result.isolation = outcome.isolation
    result.origin = origin
    if record:
        result.id = store.add_run(
            project_id=project.id, seed=seed, status=result.status, metric=result.metric,
            passed=int(result.passed), reproduces=reproduces, verified_by=None,
            isolation=result.isolation, origin=origin,
            duration_s=result.duration_s, code_sha256=result.code_sha256, code=source,
            result=_stored(result))
    return result


def _finish(project: Project, ds: Dataset, chosen: list[Experiment], outcome: ChildOutcome,
            seed: int, source: str, cache: Path, scan: HeldOutScan,
            progress: Progress | None) -> RunResult:
    """The parent's half once the child has ended: baselines, then the evaluation."""
    from deepcareer.projects.baselines import baselines, missing

    spec = project.spec
    computing = missing(ds, spec.baselines, cache) if spec.baselines else []
    if computing and progress is not None:
        progress({"event": "baselines", "experiment": None, "computing": computing})
    baselines_started = time.perf_counter()
    found_baselines = baselines(ds, spec.baselines, cache) if spec.baselines else {}
    baselines_s = time.perf_counter() - baselines_started
    result = _evaluate(project, ds, chosen, outcome, seed, source, found_baselines, scan)
    result.environment["timings"] = {"child_s": outcome.duration_s,
                                     "replay_wait_s": outcome.replay_wait_s,
                                     "data_s": outcome.data_s,
                                     "held_out_scan_s": scan.busy_s,
                                     "held_out_scan_wait_s": scan.waited_s,
                                     "baselines_s": baselines_s}
    return result


def _out_of_reach(home: Path) -> list[str]:
    """What the sandbox hides and the guard forbids: the whole home (its database, the
    dataset cache, the held-out seed), the datasets' sources, and the capstone's own data.
    Together with test features written only after fit, the held-out rows cannot be
    rebuilt from inside, whatever the in-process recorder sees."""
    from deepcareer.projects.datasets import data_sources

    hidden = [str(home), *(str(home / part) for part in (DB_NAME, "backups", "cache",
                                                          "secrets")), *data_sources()]
    config = _capstone(home)
    if config and config.get("data"):
        hidden.append(str(config["data"]))
    return hidden


def _choose(project: Project, names: list[str] | None) -> list[Experiment]:
    if not names:
        return list(project.spec.experiments)
    known = {e.name: e for e in project.spec.experiments}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(f"{project.id} has no experiment {', '.join(unknown)}; it has "
                         f"{', '.join(known)}.")
    return [known[n] for n in names]


def _evaluate(project: Project, ds: Dataset, chosen: list[Experiment],
              outcome: ChildOutcome, seed: int, source: str,
              found_baselines: dict[str, float], scan: HeldOutScan | None = None
              ) -> RunResult:
    from deepcareer.projects import evaluate, rules
    from deepcareer.projects.datasets import duplicates_across, shuffled

    spec = project.spec
    imports = rules.source_imports(source)
    by_exp: dict[str, dict[str, Any]] = {}
    load_error: dict[str, Any] | None = None
    leaks: dict[str | None, list[str]] = {}  # experiment (None: loading the file) -> used
    for event in outcome.events:
        name = event.get("experiment")
        if event.get("event") in ("done", "error") and name:
            by_exp[name] = event
        elif event.get("event") == "error":
            load_error = event.get("error", {})
        if event.get("event") == "leak" or event.get("event") in ("done", "error"):
            found_leaks = [event["what"]] if event.get("event") == "leak" else event.get(
                "leaks", [])
            for leak in found_leaks if isinstance(found_leaks, list) else []:
                if isinstance(leak, str) and leak not in leaks.setdefault(name, []):
                    leaks[name].append(leak)
    versions: dict[str, str] = {}
    experiments: list[ExperimentResult] = []
    checks: list[dict[str, Any]] = []
    # Where held-out rows could come from (the course's own package is another matter).
    reach = [*outcome.hidden[1:], *ds.guarded_files]
    if load_error is not None:
        checks += _leak_checks(None, leaks.get(None, []), load_error, reach,
                               ds.guarded_modules)
        checks += _unavailable_checks(spec, None, load_error)
    for exp in chosen:
        found = by_exp.get(exp.name)
        res = ExperimentResult(exp.name, exp.variant, exp.data, "not_run")
        experiments.append(res)
        if found is None:
            continue
        event = found
        res.history, res.params = event.get("history", []), event.get("params", {})
        for advice in evaluate.curve_advice(res.history):
            checks.append({**advice, "experiment": exp.name, "severity": "advice"})
        failure = ({**event.get("error", {}), "phase": event.get("phase")}
                   if event.get("event") == "error" else None)
        checks += _leak_checks(exp.name, leaks.get(exp.name, []), failure, reach,
                               ds.guarded_modules)
        if exp.name in outcome.early:
            checks.append({"check": "test-split-read", "experiment": exp.name,
                           "severity": "leak", "message": (
                               "The test features were asked for twice, the first time "
                               "before fit had returned: code inside fit sent the "
                               "harness's request to get them early. Train only on the "
                               "`train` split you are given.")})
        if event.get("event") == "error":
            res.status, res.error = "error", event.get("error", {})
            checks += _unavailable_checks(spec, exp.name, res.error)
            continue
        versions.update(event.get("versions", {}))
        res.status, res.fit_s = "ok", event.get("fit_s")
        if isinstance(event.get("perturbed_s"), int | float):
            res.extra["perturbed_predict_s"] = float(event["perturbed_s"])
        data = shuffled(ds) if exp.data == "shuffled" else ds
        arrays = outcome.arrays.get(exp.name, {})
        try:
            scored = evaluate.score(spec, data, arrays["pred"])
        except (evaluate.PredictionError, KeyError) as exc:
            res.status = "error"
            res.error = {"type": "PredictionError", "message": str(exc)}
            continue
        res.metric = scored.value
        res.extra.update(scored.extra)
        checks += _trust_checks(project, exp, data, arrays, outcome.held.get(exp.name, {}),
                                res, found_baselines)
        # The model's make-up from the saved model, read here: what the child reports
        # can add evidence of a broken rule, never the framework a rule requires.
        saved_libs = outcome.snapshot_libs.get(exp.name, [])
        for rule in rules.broken_rules(spec.libraries, spec.framework, imports,
                                       [*event.get("imported", []),
                                        *event.get("model_libs", [])], saved_libs):
            checks.append({"check": "rules", "experiment": exp.name,
                           "severity": "refused", "message": rule})
        checks += _replay_checks(spec, exp.name, arrays, outcome)
        cuts = outcome.held.get(exp.name, {}).get("later_cut")
        if cuts is not None and "pred_later" in arrays:
            looked = evaluate.lookahead_rows(arrays["pred"], arrays["pred_later"], cuts)
            if looked:
                checks.append({"check": "looks-ahead", "experiment": exp.name,
                               "severity": "leak", "message": (
                                   f"In {looked} of {len(cuts)} test windows, changing only "
                                   "the characters after a position changed the predictions "
                                   "before it: predict reads the characters it is scored on. "
                                   "The prediction for position t must come from X[:, :t+1] "
                                   "only (run the model left to right; no bidirectional "
                                   "layer, no attention without a causal mask).")})
        if "sample" in arrays and ds.train.vocab:
            res.sample = _decode(arrays["sample"], ds.train.vocab)
            at = {f"{t:g}": _decode(arrays[f"sample_at_{i}"], ds.train.vocab)
                  for i, t in enumerate(spec.sample_temperatures) if f"sample_at_{i}" in arrays}
            if at:
                res.extra["samples"] = at  # temperature -> text
    if scan is None:  # evaluating apart from a run: search now
        with HeldOutScan(source, None) as scan:
            scan.data(ds)
            for name, snap in outcome.snapshots.items():
                scan.snapshot(name, snap)
            checks += scan.checks(ds)
    else:
        checks += scan.checks(ds)
    own_data = ds.name.startswith("capstone")  # the learner's data: its faults count
    if spec.task == "classification":
        dupes = duplicates_across(ds.train.X, ds.test.X)
        if dupes:
            checks.append({"check": "duplicates", "experiment": None,
                           "severity": "refused" if own_data else "warning",
                           "message": (f"{dupes} test rows are identical to training rows: "
                                       "the test score overstates how well the model "
                                       "generalises (a model can remember them). Remove "
                                       "duplicates from your data before it is split" + (
                                           ", then create the capstone again: until then "
                                           "the figure does not count." if own_data
                                           else "."))})
    for feature in ds.extras.get("label_features", []):
        checks.append({"check": "label-in-features", "experiment": None, "severity": "leak",
                       "message": (f"The column {feature}: it is the label, or nearly, "
                                   "under another name (a copy or code of the target, an "
                                   "ID that encodes it, a field filled in once the outcome "
                                   "was known). A model that reads it learns nothing the "
                                   "task needs. Drop the column from your file and create "
                                   "the capstone again.")})
    main = next(e for e in experiments if e.name == spec.main) if any(
        e.name == spec.main for e in experiments) else experiments[0]
    leaked = sorted({c["check"] for c in checks if c["severity"] == "leak"})
    status, message = _status(spec, outcome, main, bool(leaked), load_error, experiments,
                              found_baselines, len(ds.test.X))
    if status == "leak":
        message = (f"A check fired ({', '.join(leaked)}; see the checks): the figure does "
                   "not count until it is fixed.")
    refused = [c for c in checks if c["severity"] == "refused"]
    if refused and status in ("pass", "fail"):  # a broken rule, a figure that does not hold
        status, message = "fail", (f"Not counted ({refused[0]['check']}): "
                                   f"{refused[0]['message']}")
    passed = status == "pass"
    return RunResult(
        project_id=project.id, seed=seed, status=status, metric=main.metric, passed=passed,
        duration_s=outcome.duration_s,
        code_sha256=hashlib.sha256(source.encode()).hexdigest(), experiments=experiments,
        checks=checks, baselines=found_baselines,
        dataset={**ds.describe(), "licence": spec.dataset.licence,
                                "source": spec.dataset.source},
        environment={**environment(), "packages": versions},
        message=message,
        output=outcome.output)


def _unavailable_checks(spec: Any, experiment: str | None,
                        error: dict[str, Any] | None) -> list[dict[str, Any]]:
    """``rules``: the learner's code reached for a library the project's rules leave
    out of its sandbox, and failed there (the import, or a name from the empty package).
    Named as the broken rule, whatever else the error says."""
    from deepcareer.projects import rules

    if not spec.libraries:
        return []
    reached = rules.unavailable_used(error, rules.LEARNING - set(spec.libraries))
    return [{"check": "rules", "experiment": experiment, "severity": "refused",
             "message": sentence}
            for sentence in rules.broken_rules(spec.libraries, "", reached, [], [])]


class HeldOutScan:
    """``held-out-rows``: fixed public data (digits, breast cancer, wine, the capstone's
    file) cannot be reached from the sandbox, so the one way in for its held-out rows is
    the learner's file, or the model fit built from it; both are looked through here
    (``embedded``), in a thread, while the child trains and predicts: the file once the
    data is built (:meth:`data`), each saved model as soon as the parent has read it
    (:meth:`snapshot`). :meth:`checks` waits for what is still running. A search that
    fails is a finding too (never silently passed)."""

    def __init__(self, source: str, cache: Path | None) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.source, self.cache = source, cache
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="held-out-scan")
        # (where, future of the rows found, the same search to do again here)
        self.jobs: list[tuple[str, Any, Any]] = []
        self.wanted: Any = None
        self.ds: Dataset | None = None
        self.busy_s = 0.0  # time spent searching, in the thread
        self.waited_s = 0.0  # of which the run waited for, once the child had ended

    def __enter__(self) -> HeldOutScan:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _timed(self, work: Any, *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return work(*args)
        finally:
            self.busy_s += time.perf_counter() - started

    def data(self, ds: Dataset) -> None:
        if not ds.perturb or ds.test.y is None:
            return
        self.ds = ds
        self.wanted = self.pool.submit(self._timed, _wanted_keys, ds, self.cache)
        self._search("your project.py", "source", self.source.encode("utf-8", "replace"))

    def snapshot(self, name: str, data: bytes) -> None:
        if self.ds is not None:
            self._search(f"the model fit returned ({name})", "snapshot", data)

    def _search(self, where: str, kind: str, data: bytes) -> None:
        from deepcareer.projects import embedded

        ds, wanted = self.ds, self.wanted
        assert ds is not None and wanted is not None

        def work() -> int:
            blobs = (embedded.source_blobs(self.source) if kind == "source"
                     else embedded.snapshot_blobs(data))
            return embedded.rows_found(blobs, ds.test.X, ds.train.X, wanted.result(),
                                       aligned=kind == "snapshot")

        self.jobs.append((where, self.pool.submit(self._timed, work), work))

    def checks(self, ds: Dataset) -> list[dict[str, Any]]:
        from deepcareer.projects import embedded

        started = time.perf_counter()
        n = len(ds.test.X)
        out: list[dict[str, Any]] = []
        for where, job, again in self.jobs:
            try:
                try:
                    found = int(job.result())
                except Exception:
                    # Once more in this thread: a search that failed in the pool's thread
                    # (seen in full test runs) is tried again before it becomes a finding.
                    found = int(again())
            except Exception as exc:  # our search on hostile bytes: say so, do not pass
                out.append({"check": "held-out-rows", "experiment": None,
                            "severity": "refused", "message": (
                                f"{where} could not be searched for copies of the held-out "
                                f"rows ({type(exc).__name__}), so the figure is not "
                                "verified.")})
                continue
            if embedded.enough(found, n):
                out.append({"check": "held-out-rows", "experiment": None, "severity": "leak",
                            "message": (
                                f"{found} of the {n} held-out rows are written in {where} "
                                "(as numbers, or encoded, compressed or packed as bytes): "
                                "the data is public, and a copy of it in the file makes "
                                "predict a lookup, exact or nearest-neighbour, not a model. "
                                "Train on the `train` split only and keep no copy of the "
                                "dataset in your file.")})
                break
        self.waited_s = time.perf_counter() - started
        return out


def _wanted_keys(ds: Dataset, cache: Path | None) -> Any:
    """``embedded.wanted_keys`` of the data, kept in the home's cache by the data's
    content (like the baselines): the costly half of the search, the same on every run."""
    import numpy as np

    from deepcareer.projects import embedded

    path = (cache / f"held-out-keys-{ds.name}-{ds.fingerprint()}.npy"
            if cache is not None else None)
    if path is not None:
        try:
            kept = np.load(path, allow_pickle=False)
            if kept.ndim == 2 and kept.shape[0] == len(ds.test.X):
                return kept
        except (OSError, ValueError, EOFError):
            pass
    wanted = embedded.wanted_keys(ds.test.X, ds.train.X)
    if path is not None:
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(tmp, wanted, allow_pickle=False)
            os.replace(tmp, path)
    return wanted


def _replay_checks(spec: Any, name: str, arrays: dict[str, Any],
                   outcome: ChildOutcome) -> list[dict[str, Any]]:
    """``test-statistics``: half of the test rows, chosen here, predicted in a fresh
    sandbox from the model as fit left it (``runner.Replay``), against the predictions
    for the whole test set in the run's own sandbox. Refused (``replay``) when there is
    nothing to compare: the model could not be saved, or predict failed there."""
    from deepcareer.projects import evaluate

    if name in outcome.unsaved:
        return [{"check": "replay", "experiment": name, "severity": "refused", "message": (
            "What fit returned could not be saved with pickle "
            f"({outcome.unsaved[name]}). To check that each prediction depends on its row "
            "and the model only, predict runs again in a fresh sandbox from a saved copy "
            "of the model, so fit must return something picklable: arrays, a dict or "
            "tuple of them, an object of a class defined at the top of project.py, a "
            "PyTorch module or a Keras model (no lambdas, no functions defined inside "
            "other functions). Until then the figure is not verified.")}]
    failed = outcome.replay_errors.get(name, {})
    found: list[dict[str, Any]] = []
    if "half" in failed:
        found.append({"check": "replay", "experiment": name, "severity": "refused",
                      "message": (
                          "predict was run again in a fresh sandbox, from the model fit "
                          "returned, on half of the test rows, and failed there: "
                          f"{failed['half']}. predict must work from the model alone "
                          "(nothing kept in global variables by fit or by an earlier "
                          "call); until it does the figure is not verified.")})
    if "later" in failed:
        found.append({"check": "replay", "experiment": name, "severity": "refused",
                      "message": (
                          "predict was run again in a fresh sandbox, from the model fit "
                          "returned, on the test windows with their later characters "
                          f"changed, and failed there: {failed['later']}. The check that "
                          "each prediction uses its prefix only could not be made, so the "
                          "figure is not verified.")})
    if "pred_half" in arrays and "half_idx" in arrays:
        try:
            changed = evaluate.batch_dependent_rows(spec, arrays["pred"], arrays["pred_half"],
                                                    arrays["half_idx"])
        except evaluate.PredictionError:
            changed = len(arrays["half_idx"])
        if changed:
            found.append({"check": "test-statistics", "experiment": name, "severity": "leak",
                          "message": (
                              f"{changed} of {len(arrays['half_idx'])} test rows got a "
                              "different prediction when half of the test rows were "
                              "predicted on their own, in a fresh sandbox, from the model "
                              "fit returned: predict uses statistics of the test data (a "
                              "scaler fitted on the test split, labels spread through the "
                              "test rows), or remembers its earlier calls. Fit every "
                              "transform inside fit, on the training split, and only apply "
                              "it in predict, row by row.")})
    return found


def _decode(ids: Any, vocab: list[str]) -> str:
    """The text of the first 2,000 ids a sampler returned; an id out of range prints '?'."""
    return "".join(vocab[int(i)] if 0 <= int(i) < len(vocab) else "?"
                   for i in ids.ravel()[:2000])


def _trust_checks(project: Project, exp: Experiment, data: Dataset,
                  arrays: dict[str, Any], held: dict[str, Any], res: ExperimentResult,
                  found_baselines: dict[str, float]) -> list[dict[str, Any]]:
    """Findings that a score was not learned: predictions that fail on a perturbed copy
    of fixed public rows (a lookup), or an accuracy out of reach of any model."""
    from deepcareer.projects import evaluate

    spec = project.spec
    if spec.task != "classification" or data.test.y is None or res.metric is None:
        return []
    found: list[dict[str, Any]] = []
    n = len(data.test.y)
    if "perturb_order" in held:
        consistency: evaluate.Perturbed | None = None
        if "pred_perturbed" in held:
            try:
                consistency = evaluate.perturbed_consistency(
                    arrays["pred"], held["pred_perturbed"], held["perturb_order"],
                    data.test.y, len(data.train.classes))
            except evaluate.PredictionError:
                consistency = None
        if consistency is not None:
            res.extra["perturbed"] = {
                "accuracy": consistency.perturbed, "lost": consistency.lost,
                "gained": consistency.gained, "p_value": consistency.p_value,
                "prepare_s": float(held.get("perturb_prepare_s", 0.0))}
        if consistency is None or consistency.inconsistent:
            found.append({"check": "perturbed", "experiment": exp.name,
                          "severity": "refused",
                          "message": evaluate.perturbed_message(consistency, n)})
    if spec.metric == "accuracy":
        why = evaluate.implausible(res.metric, n, spec.published(exp), found_baselines)
        if why:
            found.append({"check": "implausible", "experiment": exp.name,
                          "severity": "leak", "message": why})
    return found


def _leak_checks(experiment: str | None, recorded: list[str], error: dict[str, Any] | None,
                 reach: list[str], modules: list[str]) -> list[dict[str, Any]]:
    """``test-split-read`` findings of one experiment (``None``: loading the file).

    Two sources: what the recorder saw (an opened dataset file, an imported generator),
    and an error whose message shows the code went for something kept out of reach. The
    second still names the attempt when the code switched the recorder off first: the
    sandbox made the read fail, and the run is called a leak, not a plain error.
    """
    error = error or {}
    text = f"{error.get('type', '')}: {error.get('message', '')}"
    used = list(recorded)
    for path in sorted(reach, key=len, reverse=True):  # the most precise name first
        if path and path in text and not any(u.startswith(path) for u in used):
            used.append(path)
    for module in modules:
        if error.get("type") in ("ModuleNotFoundError", "ImportError") and (
                f"'{module}'" in text) and module not in used:
            used.append(module)
    checks = [{"check": "test-split-read", "experiment": experiment, "severity": "leak",
               "message": (f"Your code reached for {what}, which holds the held-out test "
                           "rows or can rebuild them; the sandbox keeps it out of reach and "
                           "a run that tries does not count. Train only on the `train` "
                           "split given to fit, and predict from your model and X alone.")}
              for what in used]
    if not checks and "test_X" in text and error.get("phase") == "fit":
        checks.append({"check": "test-split-read", "experiment": experiment,
                       "severity": "leak", "message": (
                           "fit looked for the test features; they are written to the "
                           "folder only after fit has returned. Train only on the `train` "
                           "split you are given.")})
    return checks


def _status(spec: Any, outcome: ChildOutcome, main: ExperimentResult, leaked: bool,
            load_error: dict[str, Any] | None, experiments: list[ExperimentResult],
            found_baselines: dict[str, float], n_test: int | None = None
            ) -> tuple[str, str]:
    if leaked:  # before errors: an attempt on the held-out rows is named even if it failed
        return "leak", ("A leakage check fired (see the checks): the figure does not count "
                        "until it is fixed.")
    if load_error is not None:
        where = f" (line {load_error['line']})" if load_error.get("line") else ""
        return "error", (f"project.py could not be loaded: {load_error.get('type')}: "
                         f"{load_error.get('message')}{where}")
    failed = next((e for e in experiments if e.status == "error"), None)
    if failed is not None:
        err = failed.error
        where = f" at line {err['line']}" if err.get("line") else ""
        return "error", (f"Experiment {failed.name}: {err.get('type')}: "
                         f"{err.get('message')}{where}")
    if outcome.status == "timeout":
        return "timeout", (f"The run used its whole time budget ({outcome.detail}) before "
                           "finishing every experiment: train for fewer epochs, use a smaller "
                           "model, or check `run.budget_s` inside fit.")
    if outcome.status == "crashed":
        return "error", f"The training process {outcome.detail}."
    if main.metric is None:
        return "error", f"Experiment {main.name} produced no result."
    figure = _fmt(spec.metric, main.metric)
    goal = _fmt(spec.metric, spec.threshold)
    if spec.beat_baseline:
        bar = found_baselines.get(spec.beat_baseline)
        from deepcareer.projects.baselines import NAMES

        goal = (f"better than the {NAMES[spec.beat_baseline].lower()} "
                f"baseline ({_fmt(spec.metric, bar)})" if bar is not None else goal)
        if bar is not None and n_test and spec.metric == "accuracy":
            from deepcareer.projects.spec import beat_p_value

            goal += (f" by more than chance on your {n_test} held-out rows (the margin "
                     f"has p = {beat_p_value(main.metric, bar, n_test):.2g} by luck; "
                     "under 0.05 counts)")
    if spec.passes(main.metric, found_baselines, n_test):
        return "pass", f"{main.name}: {figure}; the goal is {goal}."
    return "fail", f"{main.name}: {figure}; the goal is {goal}. Keep going."


def _fmt(metric: str, value: float) -> str:
    return f"{value:.2%} accuracy" if metric == "accuracy" else f"{value:.3f} bits/char"


def _stored(result: RunResult) -> dict[str, Any]:
    data = result.to_dict()
    for key in ("id", "created_at", "verified_by", "reproduces", "origin"):
        data.pop(key, None)
    return data


def from_row(row: Mapping[str, Any]) -> RunResult:
    """A stored run: the columns are the truth, the JSON ``result`` adds the detail (and
    may come from an older or newer version, so unknown keys are ignored)."""
    data = row["result"] if isinstance(row["result"], dict) else {}
    exp_fields = set(ExperimentResult.__dataclass_fields__)
    experiments = [ExperimentResult(**{"variant": e.get("name", "?"), "data": "plain",
                                       "status": "ok", **{k: v for k, v in e.items()
                                                          if k in exp_fields}})
                   for e in data.get("experiments", []) if isinstance(e, dict) and "name" in e]
    columns = {"project_id", "seed", "status", "metric", "duration_s", "code_sha256", "id",
               "created_at", "reproduces", "verified_by"} | ({"isolation", "origin"} & set(row))
    known = set(RunResult.__dataclass_fields__) - columns - {"experiments", "passed"}
    return RunResult(experiments=experiments, passed=bool(row["passed"]),
                     **{k: row[k] for k in columns},
                     **{k: v for k, v in data.items() if k in known})


def runs_of(store: Store, project_id: str) -> list[RunResult]:
    return [from_row(r) for r in store.runs(project_id)]


def _get(run: Any, key: str, default: Any = None) -> Any:
    return run.get(key, default) if isinstance(run, dict) else getattr(run, key, default)


def own_runs(runs: Sequence[R]) -> list[R]:
    """The learner's own runs: not verify's re-runs, not our reference, not imported."""
    return [r for r in runs if _get(r, "reproduces") is None
            and _get(r, "origin", "learner") == "learner"]


def representative(runs: Sequence[R]) -> R | None:
    """The one run that stands for a project everywhere (the project list, its page, the
    mentor's report, the planner, the portfolio): of the learner's own runs, the latest
    verified one, else the latest passing one, else the latest. Works on stored summary
    rows and on ``RunResult``s alike, so every face applies the same rule."""
    own = own_runs(runs)
    for wanted in (lambda r: _get(r, "passed") and _get(r, "verified_by") is not None,
                   lambda r: _get(r, "passed"), lambda r: True):
        found = [r for r in own if wanted(r)]
        if found:
            return found[-1]
    return None


def best_runs(store: LearnerRecord) -> dict[str, RunSummary]:
    """Per project, its :func:`representative` run, as a summary row."""
    by_project: dict[str, list[RunSummary]] = {}
    for r in store.run_summaries():
        by_project.setdefault(r["project_id"], []).append(r)
    return {pid: run for pid, rows in by_project.items()
            if (run := representative(rows)) is not None}


def pick_run(runs: list[RunResult], project_id: str, run_id: int | None = None) -> RunResult:
    """Run ``run_id`` of ``runs``, or the latest own run."""
    if run_id is not None:
        found = [r for r in runs if r.id == run_id]
        if not found:
            raise UsageError(f"{project_id} has no run #{run_id}.")
        return found[0]
    own = [r for r in runs if r.reproduces is None]
    if not own:
        raise UsageError(f"{project_id} has no runs yet: `deepcareer project run {project_id}`.")
    return own[-1]


def find_run(store: Store, project_id: str, run_id: int | None = None) -> RunResult:
    return pick_run(runs_of(store, project_id), project_id, run_id)


def draw_seed() -> int:
    """A seed nobody chose: from ``os.urandom``, in the range every framework accepts."""
    return int.from_bytes(os.urandom(4), "big") & 0x7FFFFFFF


def verify(store: Store, project: Project, run_id: int | None = None,
           progress: Progress | None = None) -> tuple[RunResult, RunResult, bool]:
    """Re-run a run's own code with a seed the tool draws; verified when the figure lands
    within the project's tolerance on that first and only re-run. Returns (original,
    re-run, verified).

    Why the tool's seed: re-running with the learner's seed confirms whichever seed they
    picked, so trying seeds until one passed (and showing only that one) got verified.
    A result that holds for a seed nobody chose is a property of the code. Why only once:
    a model that lands on some tries and not others, re-verified until it lands, is the
    same shopping. A failed verification is recorded (its re-run row points at the run)
    and that run cannot be verified again; a new run can. Every run, failed or not, is
    counted beside the verified one (:func:`tries_of`).
    """
    runs = runs_of(store, project.id)
    if run_id is None:  # the latest of the learner's own runs (never a reference run)
        own = [r for r in runs if r.reproduces is None
               and getattr(r, "origin", "learner") == "learner"]
        run_id = own[-1].id if own else None
    original = pick_run(runs, project.id, run_id)
    if original.origin == "imported":  # its verified_by came with it: claimed, not seen
        raise UsageError(
            f"Run #{original.id} was imported from another home: its figures are kept as "
            "history, and only your own runs can be verified here (`deepcareer project "
            f"run {project.id}`, then `deepcareer project verify {project.id}`).")
    if original.reproduces is not None:
        raise UsageError(f"Run #{original.id} is a re-run that verify made (of run "
                         f"#{original.reproduces}); verify one of your own runs.")
    tried = [r for r in runs if r.reproduces == original.id]
    if original.verified_by is not None:
        done = next((r for r in tried if r.id == original.verified_by), None)
        if done is not None:
            return original, done, True  # verified already: nothing to re-run
    if tried:
        first = tried[0]
        got = first.status if first.metric is None else _fmt(project.spec.metric,
                                                               first.metric)
        raise UsageError(
            f"Run #{original.id} was verified once already: re-run #{first.id} ({got}) did "
            "not reproduce it, and a run gets one try. Make a new run "
            f"(`deepcareer project run {project.id}`) and verify that one.")
    if not original.passed:
        raise UsageError(f"Run #{original.id} did not pass ({original.status}); only a "
                         "passing run can be verified.")
    code = store.run_code(original.id or 0)
    seed = draw_seed()
    while seed == original.seed:
        seed = draw_seed()
    again = run_project(store, project, code, seed=seed, progress=progress,
                        reproduces=original.id, origin=original.origin,
                        experiments=[e.name for e in original.experiments])
    ok = (original.passed and again.passed and original.metric is not None
          and again.metric is not None
          and abs(again.metric - original.metric) <= project.spec.tolerance)
    if ok and original.id is not None and again.id is not None:
        store.mark_verified(original.id, again.id)
        original.verified_by = again.id
    return original, again, bool(ok)


@dataclass(frozen=True)
class Tries:
    """Every run of one project, so a verified figure is never shown without the tries
    behind it ("verified on run 7 of 15; 4 of 15 passed"). Only the learner's own runs
    count (not reference or imported ones); verify's re-runs are counted apart."""

    runs: int
    passed: int
    statuses: dict[str, int]  # status -> how many own runs ended so
    verify_tries: int  # runs re-run by verify
    reproduced: int  # of those, verified
    order: dict[int, int]  # run id -> its number among the project's runs (1-based)

    def text(self, run_id: int | None, verified: bool) -> str:
        """One sentence for the report and the portfolio's project page."""
        if not self.runs:
            return ""
        where = self.order.get(run_id or -1)
        head = (f"{'Verified on run' if verified else 'Run'} {where} of {self.runs}"
                if where else f"{self.runs} runs")
        others = ", ".join(f"{n} {TRY_WORDS.get(status, status)}" for status, n in
                           sorted(self.statuses.items()) if status != "pass" and n)
        parts = [f"{head}; {self.passed} of {self.runs} passed" +
                 (f" ({others})" if others else "")]
        if self.verify_tries:
            parts.append(f"verify re-ran {self.verify_tries} of them with a seed it drew "
                         f"and {self.reproduced} reproduced")
        return "; ".join(parts) + "."


TRY_WORDS = {"fail": "fell short", "leak": "leaked", "error": "raised an error",
             "timeout": "ran out of time"}


def tries_of(store: Store, project_id: str) -> Tries:
    """Count every run of ``project_id`` (summary rows only: no code, no detail)."""
    rows = [r for r in store.run_summaries() if r["project_id"] == project_id
            and r.get("origin", "learner") == "learner"]
    own = [r for r in rows if r["reproduces"] is None]
    statuses: dict[str, int] = {}
    for r in own:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    tried = {r["reproduces"] for r in rows if r["reproduces"] is not None}
    return Tries(runs=len(own), passed=sum(bool(r["passed"]) for r in own),
                 statuses=statuses, verify_tries=len(tried),
                 reproduced=sum(r["verified_by"] is not None for r in own),
                 order={r["id"]: i + 1 for i, r in enumerate(own)})

