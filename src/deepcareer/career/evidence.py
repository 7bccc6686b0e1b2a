"""The one evidence model: what each attempt, run, quiz and claim shows about the learner.

Every face and figure (mastery, progress, strengths and weak spots, readiness, the mentor
report, the portfolio, the web pages) reads evidence through this module, so they cannot
disagree about what counts. The levels, strongest first:

- *verified* (counts fully): the learner's own code passed an exercise's hidden checks in
  the sandbox (a review re-implementation is such a pass too), or the learner's own project
  run passed and a re-run reproduced it. Work graded behind the in-process guard only (no
  bubblewrap on the machine) still counts, labelled ``UNISOLATED``.
- *practised* (counts ``VALUES["practised"]``): quiz answers, a pass after viewing the
  solution or after the last hint, honest attempts that did not pass yet, a passing project
  run not yet reproduced. Practice is real, but it does not show the skill on its own.
- *self-reported* (counts ``VALUES["self-reported"]``): ``deepcareer career claim``.
- never evidence: a run of our reference (``project run --reference``), code identical to
  our solution, rows brought in by ``import`` (``origin = 'imported'``: this home did not see
  them graded), untouched starters, and code identical to an earlier attempt of the same
  exercise (resubmitting is not a new piece of evidence).

Why so strict: the testers took a learner to "ready" with three quizzes repeated and a run
of our own reference. A figure is worth showing to an employer only if it can list the
attempts and runs behind it, so every level carries its sources.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from deepcareer.curriculum.catalog import Catalog, Exercise
from deepcareer.store.learner import LearnerRecord
from deepcareer.store.rows import AttemptSummary, EventRow

VALUES = {"verified": 1.0, "practised": 0.4, "self-reported": 0.2, "none": 0.0}
LEVELS = ("verified", "practised", "self-reported", "none")  # strongest first
COUNTING = ("verified work counts 100 %, practised work (quizzes, passes after the solution "
            "or the last hint, attempts not yet passed, runs not yet reproduced) 40 %, "
            "self-reported skills 20 %")
CLAIMS_KEY = "self_reported_skills"
UNISOLATED = "graded without OS isolation"  # the label of work checked behind the guard only
ORIGIN_WORDS = {
    "reference": "a run of our reference solution, not your work",
    "imported": "imported from another home; kept as history, not evidence here",
}
FAILED_WORDS = {"fail": "failed the checks", "error": "stopped with an error",
                "timeout": "ran out of time"}


@dataclass
class SkillEvidence:
    skill: str
    level: str  # verified | practised | self-reported | none
    sources: list[str] = field(default_factory=list)  # every piece of work, strongest first
    verified_sources: list[str] = field(default_factory=list)  # what a public page may show

    @property
    def value(self) -> float:
        return VALUES[self.level]

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "value": self.value}


@dataclass(frozen=True)
class Item:
    """One piece of work, classified: the row it came from and why it counts (or not)."""

    kind: str  # exercise | project | quiz | claim
    ref: str  # exercise, project, quiz or skill id
    level: str  # verified | practised | self-reported | none
    why: str
    rows: tuple[int, ...] = ()  # attempt, run or event ids
    at: str = ""
    unisolated: bool = False

    def source(self) -> str:
        """One line naming the work and the rows behind it."""
        when = f" on {self.at[:10]}" if self.at else ""
        label = f" ({UNISOLATED})" if self.unisolated else ""
        ids = ", ".join(f"#{r}" for r in self.rows[:5]) + (
            f" and {len(self.rows) - 5} more" if len(self.rows) > 5 else "")
        noun = {"exercise": "attempt", "project": "run", "quiz": "quiz"}.get(self.kind, "")
        behind = f" ({noun}{'s' if len(self.rows) > 1 else ''} {ids})" if ids and noun else ""
        if self.kind == "claim":
            return "self-reported"
        return f"{self.kind} {self.ref} {self.why}{when}{behind}{label}"


# --- single rows ----------------------------------------------------------------


def attempt_level(row: Mapping[str, Any], *, solution_seen: bool, last_hint: int,
                  reference_code: bool = False) -> tuple[str, str]:
    """(level, why) of one attempt row (``Store.attempt_summaries``: status, hint_level,
    origin, repeat). ``last_hint`` is the length of the exercise's hint ladder."""
    origin = row.get("origin", "learner")
    if origin != "learner":
        return "none", f"not counted: {ORIGIN_WORDS.get(origin, origin)}"
    status = row["status"]
    if status == "not_attempted":
        return "none", "not counted: the untouched starter"
    if row.get("repeat"):
        return "none", "not counted: the same code as an earlier attempt"
    if status != "pass":
        return "practised", f"attempted, not yet passed ({FAILED_WORDS.get(status, status)})"
    if reference_code:
        return "none", "not counted: the code is our solution"
    if solution_seen:
        return "practised", "passed after viewing the solution"
    if last_hint and row["hint_level"] >= last_hint:
        return "practised", "passed after the last hint"
    return "verified", "passed, verified by automated tests"


def not_evidence_run(origin: str) -> str:
    """Why a run with this origin proves nothing about the learner ('' if it may)."""
    if origin == "learner":
        return ""
    return (f"it is {ORIGIN_WORDS.get(origin, origin)}; only your own runs can be verified "
            "(`deepcareer project run ID`, then `deepcareer project verify ID`).")


def run_counts(run: Any) -> bool:
    """A project run that is verified work: the learner's own, passed, and reproduced.
    Accepts a stored row (dict) or a ``RunResult``."""
    get = run.get if isinstance(run, dict) else lambda k, d=None: getattr(run, k, d)
    return (get("origin", "learner") == "learner" and get("reproduces") is None
            and bool(get("passed")) and get("verified_by") is not None)


def reference_shas(ex: Exercise) -> set[str]:
    """Hashes of our solution as shipped and as a learner would write it: a pass with this
    code is ours, not the learner's."""
    try:
        texts = (ex.solution_source, ex.reference_source)
    except OSError:
        return set()
    return {hashlib.sha256(t.encode()).hexdigest() for t in texts}


# --- the whole log -----------------------------------------------------------------


def exercise_items(store: LearnerRecord, catalog: Catalog) -> list[Item]:
    """Every attempt classified, grouped per exercise and level (oldest row first)."""
    from deepcareer.errors import ContentError

    shown: dict[str, str] = {}
    for e in store.events(kind="solution"):
        shown.setdefault(_canonical(catalog, e["exercise_id"]), e["created_at"])
    groups: dict[tuple[str, str, str], list[AttemptSummary]] = {}
    refs: dict[str, set[str]] = {}
    for row in store.attempt_summaries():
        ex_id = _canonical(catalog, row["exercise_id"])
        try:
            ex = catalog.get(ex_id)
        except ContentError:  # an exercise that no longer exists: no skills to credit
            continue
        is_ref = False
        if row["status"] == "pass" and row.get("code_sha256"):
            if ex_id not in refs:
                refs[ex_id] = reference_shas(ex)
            is_ref = row["code_sha256"] in refs[ex_id]
        seen = ex_id in shown and shown[ex_id] <= row["created_at"]
        level, why = attempt_level(row, solution_seen=seen, last_hint=len(ex.meta.hints),
                                   reference_code=is_ref)
        groups.setdefault((ex_id, level, why), []).append(row)
    items = []
    for (ex_id, level, why), rows in groups.items():
        items.append(Item("exercise", ex_id, level, why, tuple(r["id"] for r in rows),
                          rows[-1]["created_at"] if level == "verified" else "",
                          level == "verified" and all(r.get("isolation") != "os"
                                                      for r in rows)))
    return items


def project_items(store: LearnerRecord) -> list[Item]:
    """Every own project run classified (re-runs made by ``verify`` are their proof)."""
    items = []
    for r in store.run_summaries():
        if r["reproduces"] is not None:
            continue
        origin = r.get("origin", "learner")
        if origin != "learner":
            level, why = "none", f"run not counted: {ORIGIN_WORDS.get(origin, origin)}"
        elif r["code_sha256"] and r["code_sha256"] in _project_reference_shas(r["project_id"]):
            level, why = "none", "run not counted: the code is our reference"
        elif run_counts(r):
            level, why = "verified", "passed and was reproduced by a re-run"
        elif r["passed"]:
            level, why = "practised", "passed, not yet reproduced"
        else:
            continue  # a failed run says nothing either way
        items.append(Item("project", r["project_id"], level, why, (r["id"],),
                          r["created_at"] if level == "verified" else "",
                          level == "verified" and r.get("isolation", "os") != "os"))
    return items


def quiz_items(store: LearnerRecord) -> list[Item]:
    """Quiz results: practised, however many times they are taken."""
    out: dict[str, list[EventRow]] = {}
    for e in store.events(kind="quiz"):
        out.setdefault(e["exercise_id"].removeprefix("quiz:"), []).append(e)
    items = []
    for qid, events in out.items():
        right = sum(int(e["data"].get("score", 0)) for e in events)
        total = sum(int(e["data"].get("total", 0)) for e in events)
        items.append(Item("quiz", qid, "practised",
                          f"answered ({right} of {total} answers right; quizzes are practice)",
                          tuple(e["id"] for e in events)))
    return items


def skills_of(item: Item, catalog: Catalog, quizzes: dict[str, tuple[str, ...]],
              projects: dict[str, Any]) -> Iterable[str]:
    if item.kind == "exercise":
        return catalog.get(item.ref).meta.skills
    if item.kind == "quiz":
        return quizzes.get(item.ref, ())
    if item.kind == "project":
        project = projects.get(item.ref)
        return project.spec.skills if project is not None else ()
    return (item.ref,)


def claims(store: LearnerRecord) -> list[str]:
    raw = store.setting(CLAIMS_KEY, [])
    return [str(s) for s in raw] if isinstance(raw, list) else []


def set_claim(store: LearnerRecord, skill: str, *, remove: bool = False) -> list[str]:
    now = [s for s in claims(store) if s != skill] + ([] if remove else [skill])
    store.set_setting(CLAIMS_KEY, sorted(set(now)))
    return sorted(set(now))


def skill_evidence(store: LearnerRecord, catalog: Catalog, exercises: list[Any] | None = None
                   ) -> dict[str, SkillEvidence]:
    """Per skill: the strongest level shown and the sources behind it (strongest first;
    work that does not count is listed too, saying why, so nobody wonders where it went).

    ``exercises`` is accepted for callers that computed progress already; it is not needed.
    """
    del exercises
    out = {sid: SkillEvidence(sid, "none") for sid in catalog.skills}
    items = [*exercise_items(store, catalog), *project_items(store), *quiz_items(store),
             *(Item("claim", sid, "self-reported", "self-reported") for sid in claims(store))]
    quizzes = _quiz_skills() if any(i.kind == "quiz" for i in items) else {}
    projects = _projects() if any(i.kind == "project" for i in items) else {}
    rank = {level: i for i, level in enumerate(LEVELS)}
    for item in sorted(items, key=lambda i: (rank[i.level], i.kind, i.ref)):
        for sid in skills_of(item, catalog, quizzes, projects):
            ev = out.get(sid)
            if ev is None:
                continue
            if rank[item.level] < rank[ev.level]:
                ev.level = item.level
            if item.kind == "claim" and ev.level != "self-reported":
                continue  # a claim beside real work adds nothing to show
            ev.sources.append(item.source())
            if item.level == "verified":
                ev.verified_sources.append(item.source())
    return out


def unisolated_passes(store: LearnerRecord, catalog: Catalog) -> set[str]:
    """Exercises whose verified passes were all graded behind the in-process guard only
    (where bubblewrap could not run): shown, but labelled, wherever the pass counts. Read
    off the evidence items, so the label follows exactly what counts as verified."""
    return {i.ref for i in verified_exercises(store, catalog) if i.unisolated}


def verified_exercises(store: LearnerRecord, catalog: Catalog) -> list[Item]:
    """The exercises with verified work, for strengths and the report."""
    return [i for i in exercise_items(store, catalog) if i.level == "verified"]


def _canonical(catalog: Catalog, exercise_id: str) -> str:
    return catalog.canonical_id(exercise_id)


def _quiz_skills() -> dict[str, tuple[str, ...]]:
    from deepcareer.curriculum.quizzes import quiz_skills

    return quiz_skills()


def _projects() -> dict[str, Any]:
    from deepcareer.projects.spec import load_projects

    return dict(load_projects())


def _project_reference_shas(project_id: str) -> set[str]:
    """Hashes of our reference project file: a run of it is ours, whatever its origin."""
    project = _projects().get(project_id)
    if project is None:
        return set()
    try:
        text = project.reference.read_text(encoding="utf-8")
    except OSError:
        return set()
    return {hashlib.sha256(text.encode()).hexdigest()}
