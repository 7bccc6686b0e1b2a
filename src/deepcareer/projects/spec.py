"""What a ``project.yml`` may say, and where the projects are.

Checked with the same field-by-field records as exercises, so an author's mistake is
named (``experiments[2].data: must be one of 'plain', 'shuffled'``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from deepcareer.curriculum.records import RecordError, build, spec
from deepcareer.curriculum.schema import _slug
from deepcareer.errors import ContentError, UsageError

PROJECTS_DIR = Path(__file__).resolve().parent.parent / "content" / "projects"


@dataclass(frozen=True)
class DatasetInfo:
    name: str  # a builder in projects/datasets.py
    licence: str
    source: str
    citation: str = ""


@dataclass(frozen=True)
class Experiment:
    """One fit + predict: ``model`` is what ``run.variant`` says; ``data`` a transform."""

    name: str = field(metadata=spec(check=_slug))
    model: str = ""  # defaults to the name
    data: Literal["plain", "shuffled"] = "plain"

    @property
    def variant(self) -> str:
        return self.model or self.name


@dataclass(frozen=True)
class PaperRow:
    mean: float
    sd: float = 0.0


@dataclass(frozen=True)
class Paper:
    citation: str
    link: str
    table: dict[str, PaperRow] = field(default_factory=dict)  # experiment -> percent
    note: str = ""


@dataclass(frozen=True)
class ProjectSpec:
    id: str = field(metadata=spec(check=_slug))
    title: str
    level: int = field(metadata=spec(ge=1, le=5))
    track: Literal["numpy", "pytorch", "tensorflow", "any"]
    skills: list[str] = field(metadata=spec(min_length=1))
    minutes: int = field(metadata=spec(ge=1))
    dataset: DatasetInfo
    task: Literal["classification", "language-model"]
    metric: Literal["accuracy", "bits_per_char"]
    threshold: float
    main: str  # the experiment whose metric decides pass or fail
    time_budget_s: int = field(metadata=spec(ge=1, le=3600))
    tolerance: float = field(metadata=spec(ge=0.0))  # a re-run must land this close
    experiments: list[Experiment] = field(default_factory=lambda: [Experiment("model")])
    baselines: list[str] = field(default_factory=list)
    beat_baseline: str = ""  # also required: a better figure than this baseline's
    paper: Paper | None = None
    # The brief's rules (projects/rules.py): learning libraries the code may use (empty:
    # any) and the framework the model must be made of ("": none required).
    libraries: list[str] = field(default_factory=list)
    framework: Literal["", "torch", "tensorflow"] = ""
    # A language model's ``sample`` is also called with ``temperature=`` each of these
    # (when it takes that argument), and every sample is shown in the report.
    sample_temperatures: list[float] = field(default_factory=list)

    @property
    def higher_is_better(self) -> bool:
        return self.metric != "bits_per_char"

    def better(self, a: float, b: float) -> bool:
        return a > b if self.higher_is_better else a < b

    def published(self, experiment: Experiment) -> float | None:
        """The paper's figure for this experiment (or its model), as a fraction, with two
        of its standard deviations on top: the best result known for it."""
        if self.paper is None:
            return None
        row = self.paper.table.get(experiment.name) or self.paper.table.get(experiment.variant)
        return None if row is None else (row.mean + 2 * row.sd) / 100.0

    def passes(self, value: float, baselines: dict[str, float] | None = None,
               n_test: int | None = None) -> bool:
        """Over the threshold and, when the project names a baseline to beat, better than
        it. With ``n_test`` (accuracy), better by more than chance on that many held-out
        rows: a difference within noise, such as 0.01 points over a majority vote on pure
        noise, is not a pass (see :func:`beats`)."""
        ok = value >= self.threshold if self.higher_is_better else value <= self.threshold
        if ok and self.beat_baseline:
            bar = (baselines or {}).get(self.beat_baseline)
            ok = bar is not None and self.better(value, bar)
            if ok and bar is not None and n_test and self.metric == "accuracy":
                ok = beats(value, bar, n_test)
        return ok


BEAT_ALPHA = 0.05  # one-sided: how unlikely the margin over the baseline must be by chance


def beat_p_value(accuracy: float, bar: float, n: int) -> float:
    """P(a model no better than ``bar`` scores at least ``accuracy`` on ``n`` rows), by
    the binomial tail (a normal approximation past 5,000 rows, where it is exact enough
    and the sum would be slow)."""
    import math

    k = round(accuracy * n)
    if bar <= 0.0:
        return 0.0 if k > 0 else 1.0
    if bar >= 1.0:
        return 1.0
    if n > 5000:
        sd = math.sqrt(n * bar * (1.0 - bar))
        return 0.5 * math.erfc((k - 0.5 - n * bar) / (sd * math.sqrt(2.0)))
    logs = [math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
            + i * math.log(bar) + (n - i) * math.log1p(-bar) for i in range(k, n + 1)]
    return min(1.0, sum(math.exp(v) for v in logs))


def beats(accuracy: float, bar: float, n: int) -> bool:
    """Better than a baseline's accuracy by more than chance on ``n`` held-out rows."""
    return accuracy > bar and beat_p_value(accuracy, bar, n) < BEAT_ALPHA


@dataclass(frozen=True)
class Project:
    spec: ProjectSpec
    folder: Path

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def template(self) -> Path:
        return self.folder / "template.py"

    @property
    def reference(self) -> Path:
        return self.folder / "reference.py"

    @property
    def readme(self) -> Path:
        return self.folder / "README.md"


def load_project(folder: Path) -> Project:
    from deepcareer import yamlio

    path = folder / "project.yml"
    try:
        data = yamlio.load_yaml(path.read_text(encoding="utf-8"))
        project_spec = build(ProjectSpec, data)
    except (OSError, yamlio.YAMLError, RecordError) as exc:
        raise ContentError(f"{path}: {exc}") from exc
    if project_spec.id != folder.name:
        raise ContentError(f"{path}: id {project_spec.id!r} must match its folder")
    names = [e.name for e in project_spec.experiments]
    if project_spec.main not in names:
        raise ContentError(f"{path}: main {project_spec.main!r} is not one of the experiments "
                           f"{names}")
    if len(set(names)) != len(names):
        raise ContentError(f"{path}: two experiments share a name")
    if project_spec.beat_baseline and project_spec.beat_baseline not in project_spec.baselines:
        raise ContentError(f"{path}: beat_baseline {project_spec.beat_baseline!r} is not "
                           "among the baselines")
    return Project(project_spec, folder)


@cache
def load_projects(root: Path = PROJECTS_DIR) -> dict[str, Project]:
    """Every built-in project, by id, easiest first."""
    found = [load_project(p.parent) for p in sorted(root.glob("*/project.yml"))]
    found.sort(key=lambda p: (p.spec.level, p.id))
    return {p.id: p for p in found}


def get_project(project_id: str, root: Path = PROJECTS_DIR) -> Project:
    projects = load_projects(root)
    if project_id not in projects:
        raise UsageError(f"There is no project called {project_id!r}. Run `deepcareer project "
                         f"list` to see them: {', '.join(projects)}.")
    return projects[project_id]
