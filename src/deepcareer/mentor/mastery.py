"""Mastery per skill by Bayesian knowledge tracing (BKT), recomputed from the log.

BKT (Corbett and Anderson, "Knowledge tracing: Modeling the acquisition of procedural
knowledge", User Modeling and User-Adapted Interaction 4, 1994) keeps, per skill, the
probability that the learner knows it. Each piece of evidence updates it by Bayes' rule,
allowing for a lucky guess and a careless slip, and then the chance of learning from the
opportunity is added. The parameters are authored per skill in ``skills.yml``.

Evidence comes only from the append-only log, so mastery can always be recomputed, and
what counts is decided by the one evidence model (``career/evidence.py``):
- a verified pass (the learner's own new code, before the solution and the last hint): correct;
- a failed check (diagnosed misconception or wrong output): incorrect;
- a pass after the last hint or after the solution was shown: incorrect (the code passed,
  but the learner did not show the skill);
- viewing the solution: incorrect;
- a quiz: each right answer correct, each wrong one incorrect, at ``QUIZ_WEIGHT`` of an
  exercise's weight (picking an answer is weaker evidence than writing code that passes).
Not evidence: errors and timeouts, untouched starters, code identical to an earlier attempt,
our solution, and rows that are not the learner's own (imported, reference).

Two guards keep the figure honest. Failing never raises the estimate: BKT's learning
transition after a wrong answer can lift a low P(known) (15 % -> 26 % was seen), which a
learner reads as "failing made me better"; so a wrong answer moves p down or leaves it.
And without verified work on the skill (an exercise passed in the sandbox, or a project run
reproduced) the estimate is capped at ``UNVERIFIED_CAP``, below "mastered": quizzes alone,
however many, cannot make a skill mastered.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from deepcareer.curriculum.catalog import Catalog
from deepcareer.curriculum.records import dump
from deepcareer.curriculum.schema import BKTParams
from deepcareer.store.learner import LearnerRecord

MASTERED = 0.95
UNVERIFIED_CAP = 0.9  # the most P(known) can show before any verified work on the skill
QUIZ_WEIGHT = 0.5  # a quiz answer moves P(known) half as far as an exercise
_MODEL = "evidence-2"  # part of the cache key: a change of the rules replays the log


def bkt_update(p: float, correct: bool, params: BKTParams) -> float:
    """One BKT step: the posterior given the evidence, then the learning transition."""
    if correct:
        known = p * (1 - params.slip)
        posterior = known / (known + (1 - p) * params.guess)
    else:
        known = p * params.slip
        posterior = known / (known + (1 - p) * (1 - params.guess))
    return posterior + (1 - posterior) * params.learn


def step(p: float, correct: bool, params: BKTParams, weight: float = 1.0) -> float:
    """One observation at ``weight`` (1 for an exercise, ``QUIZ_WEIGHT`` for a quiz answer);
    a wrong answer never raises the estimate (see the module's docstring)."""
    moved = p + weight * (bkt_update(p, correct, params) - p)
    return moved if correct else min(moved, p)


@dataclass(frozen=True)
class Evidence:
    """One observation about the skills of an exercise or quiz."""

    at: str  # ISO time, UTC
    source: str  # exercise id, or quiz:ID
    skills: tuple[str, ...]
    correct: bool
    why: str
    weight: float = 1.0
    verified: bool = False  # verified work (lifts the cap on its skills)


@dataclass(frozen=True)
class SkillMastery:
    skill: str
    p: float  # probability the skill is known (capped until verified work exists)
    evidence: int
    correct: int
    verified: bool = False  # verified work on the skill exists

    @property
    def mastered(self) -> bool:
        return self.p >= MASTERED

    def to_dict(self) -> dict[str, Any]:
        return {"skill": self.skill, "p": round(self.p, 4), "mastered": self.mastered,
                "evidence": self.evidence, "correct": self.correct,
                "verified": self.verified}


def evidence(store: LearnerRecord, catalog: Catalog) -> list[Evidence]:
    """Every observation in the log, oldest first."""
    return _evidence_from(store.attempt_summaries(), store.events(), catalog, set())


def _evidence_from(attempts: Sequence[Mapping[str, Any]], events: Sequence[Mapping[str, Any]],
                   catalog: Catalog, shown_solution: set[str]) -> list[Evidence]:
    """Observations in these rows; ``shown_solution`` carries over (and is updated)."""
    from deepcareer.career.evidence import attempt_level, reference_shas
    from deepcareer.errors import ContentError

    found: list[Evidence] = []
    timeline: list[tuple[str, int, str, Mapping[str, Any]]] = (
        [(e["created_at"], e["id"], "event", e) for e in events]
        + [(a["created_at"], a["id"], "attempt", a) for a in attempts])
    # Same timestamp: attempts and events keep their own insertion order.
    timeline.sort(key=lambda t: (t[0], t[2] == "attempt", t[1]))
    quizzes = _quiz_skills() if any(e["kind"] == "quiz" for e in events) else {}
    for at, _id, kind, row in timeline:
        if kind == "event" and row["kind"] == "quiz":
            quiz_id = row["exercise_id"].removeprefix("quiz:")
            skills = quizzes.get(quiz_id, ())
            data = row["data"]
            right, total = int(data.get("score", 0)), int(data.get("total", 0))
            found += [Evidence(at, row["exercise_id"], skills, True, "quiz answer right",
                               QUIZ_WEIGHT) for _ in range(right)]
            found += [Evidence(at, row["exercise_id"], skills, False, "quiz answer wrong",
                               QUIZ_WEIGHT) for _ in range(max(total - right, 0))]
            continue
        try:
            ex_id = catalog.canonical_id(row["exercise_id"])
            ex = catalog.get(ex_id)
        except ContentError:  # an exercise that no longer exists: no skills to credit
            continue
        skills = tuple(ex.meta.skills)
        if kind == "event":
            if row["kind"] == "solution":
                shown_solution.add(ex_id)
                found.append(Evidence(at, ex_id, skills, False, "viewed the solution"))
            continue
        status = row["status"]
        if status not in ("pass", "fail"):
            continue  # errors, timeouts, starters: not evidence about the skill
        ours = (status == "pass" and bool(row.get("code_sha256"))
                and row["code_sha256"] in reference_shas(ex))
        level, why = attempt_level(row, solution_seen=ex_id in shown_solution,
                                   last_hint=len(ex.meta.hints), reference_code=ours)
        if level == "none":
            continue  # not the learner's, a repeat, or our solution
        if status == "pass":
            found.append(Evidence(at, ex_id, skills, level == "verified", why,
                                  verified=level == "verified"))
        else:
            diagnosed = bool(row["findings"])
            found.append(Evidence(at, ex_id, skills, False,
                                  "diagnosed misconception" if diagnosed else "wrong output"))
    return found


def mastery(store: LearnerRecord, catalog: Catalog, *, cached: bool = True
            ) -> dict[str, SkillMastery]:
    """BKT estimate per skill of the catalog, in skills.yml order.

    With ``cached``, the state after the last call is kept in the store (``skill_state``
    and a cursor in settings) and only rows logged since are replayed; the cache is
    dropped whenever the skills or their parameters change, or a history is imported.
    """
    key = _params_key(catalog)
    cursor = store.setting("mastery_cursor") if cached else None
    state: dict[str, list[float]] = {sid: [skill.bkt.prior, 0, 0]
                                     for sid, skill in catalog.skills.items()}
    after_attempt = after_event = 0
    shown: set[str] = set()
    verified: set[str] = set()  # skills with a verified exercise pass
    if isinstance(cursor, dict) and cursor.get("key") == key:
        for sid, row in store.skill_states().items():
            if sid in state:
                state[sid] = [row["p"], row["evidence"], row["correct"]]
        after_attempt, after_event = int(cursor["attempt"]), int(cursor["event"])
        shown = set(cursor.get("solutions", []))
        verified = set(cursor.get("verified", []))
    else:
        cursor = None
    attempts = store.attempt_summaries(after_attempt)
    events = store.events(after_id=after_event)
    _replay(state, _evidence_from(attempts, events, catalog, shown), catalog, verified)
    if cached and (cursor is None or attempts or events):
        store.save_skill_states(
            {sid: {"skill": sid, "p": p, "evidence": int(n), "correct": int(c)}
             for sid, (p, n, c) in state.items()},
            {"key": key, "attempt": attempts[-1]["id"] if attempts else after_attempt,
             "event": events[-1]["id"] if events else after_event,
             "solutions": sorted(shown), "verified": sorted(verified)})
    verified |= _project_verified(store)
    return _result(state, verified)


def mastery_of_rows(attempts: Sequence[Mapping[str, Any]], catalog: Catalog,
                    events: Sequence[Mapping[str, Any]] = (),
                    verified_elsewhere: Iterable[str] = ()) -> dict[str, SkillMastery]:
    """The same estimate from attempt rows (and the learner's events: solutions viewed,
    quizzes), replayed from the prior without a cache: the class server's dashboard keeps
    each learner's figures after every grade from their rows in PostgreSQL.
    ``verified_elsewhere``: skills verified by other work (a verified project), as
    :func:`mastery` adds a local record's verified project runs."""
    state: dict[str, list[float]] = {sid: [skill.bkt.prior, 0, 0]
                                     for sid, skill in catalog.skills.items()}
    verified: set[str] = set()
    _replay(state, _evidence_from(attempts, events, catalog, set()), catalog, verified)
    return _result(state, verified | set(verified_elsewhere))


def _replay(state: dict[str, list[float]], found: Sequence[Evidence], catalog: Catalog,
            verified: set[str]) -> None:
    """Fold observations into the per-skill state [p, evidence, correct], in order."""
    for ev in found:
        for sid in ev.skills:
            if sid not in state:
                continue
            s = state[sid]
            s[0] = step(float(s[0]), ev.correct, catalog.skills[sid].bkt, ev.weight)
            s[1] += 1
            s[2] += ev.correct
            if ev.verified:
                verified.add(sid)


def _result(state: dict[str, list[float]], verified: set[str]) -> dict[str, SkillMastery]:
    """Only verified work lifts a skill above the cap (DESIGN.md, Evidence)."""
    return {sid: SkillMastery(sid, float(p) if sid in verified else min(float(p), UNVERIFIED_CAP),
                              int(n), int(c), sid in verified)
            for sid, (p, n, c) in state.items()}


def _project_verified(store: LearnerRecord) -> set[str]:
    """Skills of the learner's own project runs that were reproduced (verified work)."""
    from deepcareer.career.evidence import project_items

    counted = [i for i in project_items(store) if i.level == "verified"]
    if not counted:
        return set()
    from deepcareer.projects.spec import load_projects

    projects = load_projects()
    return {sid for i in counted if i.ref in projects for sid in projects[i.ref].spec.skills}


_PARAMS_KEYS: weakref.WeakKeyDictionary[Catalog, str] = weakref.WeakKeyDictionary()


def _params_key(catalog: Catalog) -> str:
    """A digest of every skill's BKT parameters (computed once per catalog object: the
    web app asks on every page)."""
    key = _PARAMS_KEYS.get(catalog)
    if key is None:
        import hashlib

        text = json.dumps({"model": _MODEL, **{sid: dump(s.bkt)
                                                for sid, s in catalog.skills.items()}},
                          sort_keys=True)
        key = _PARAMS_KEYS[catalog] = hashlib.sha256(text.encode()).hexdigest()[:16]
    return key


def _quiz_skills() -> dict[str, tuple[str, ...]]:
    from deepcareer.mentor.quiz import load_quizzes

    return {qid: tuple(q.skills) for qid, q in load_quizzes().items()}
