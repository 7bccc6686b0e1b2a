"""Mastery per skill by Bayesian knowledge tracing (BKT), recomputed from the log.

BKT (Corbett and Anderson, "Knowledge tracing: Modeling the acquisition of procedural
knowledge", User Modeling and User-Adapted Interaction 4, 1994) keeps, per skill, the
probability that the learner knows it. Each piece of evidence updates it by Bayes' rule,
allowing for a lucky guess and a careless slip, and then the chance of learning from the
opportunity is added. The parameters are authored per skill in ``skills.yml``.

Evidence comes only from the append-only log, so mastery can always be recomputed:
- an exercise passed with fewer than two hints and without viewing the solution: correct;
- a failed check (diagnosed misconception or wrong output): incorrect;
- a pass after two or more hints, or after the solution was shown: incorrect (the code
  passed, but the learner did not show the skill);
- viewing the solution: incorrect;
- a quiz: each right answer correct, each wrong one incorrect.
Errors (a syntax error, a timeout) and untouched starters are not evidence about the skill.
"""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass
from typing import Any

from deepcareer.curriculum.catalog import Catalog
from deepcareer.curriculum.records import dump
from deepcareer.curriculum.schema import BKTParams
from deepcareer.store.db import Store

MASTERED = 0.95
HINTS_THAT_COUNT = 2  # reaching this hint level turns a pass into "needed help"


def bkt_update(p: float, correct: bool, params: BKTParams) -> float:
    """One BKT step: the posterior given the evidence, then the learning transition."""
    if correct:
        known = p * (1 - params.slip)
        posterior = known / (known + (1 - p) * params.guess)
    else:
        known = p * params.slip
        posterior = known / (known + (1 - p) * (1 - params.guess))
    return posterior + (1 - posterior) * params.learn


@dataclass(frozen=True)
class Evidence:
    """One observation about the skills of an exercise or quiz."""

    at: str  # ISO time, UTC
    source: str  # exercise id, or quiz:ID
    skills: tuple[str, ...]
    correct: bool
    why: str


@dataclass(frozen=True)
class SkillMastery:
    skill: str
    p: float  # probability the skill is known
    evidence: int
    correct: int

    @property
    def mastered(self) -> bool:
        return self.p >= MASTERED

    def to_dict(self) -> dict[str, Any]:
        return {"skill": self.skill, "p": round(self.p, 4), "mastered": self.mastered,
                "evidence": self.evidence, "correct": self.correct}


def evidence(store: Store, catalog: Catalog) -> list[Evidence]:
    """Every observation in the log, oldest first."""
    return _evidence_from(store.attempt_summaries(), store.events(), catalog, set())


def _evidence_from(attempts: list[dict[str, Any]], events: list[dict[str, Any]],
                   catalog: Catalog, shown_solution: set[str]) -> list[Evidence]:
    """Observations in these rows; ``shown_solution`` carries over (and is updated)."""
    from deepcareer.errors import ContentError

    found: list[Evidence] = []
    timeline: list[tuple[str, int, str, dict[str, Any]]] = (
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
            found += [Evidence(at, row["exercise_id"], skills, True, "quiz answer right")
                      for _ in range(right)]
            found += [Evidence(at, row["exercise_id"], skills, False, "quiz answer wrong")
                      for _ in range(max(total - right, 0))]
            continue
        try:
            ex_id = catalog.canonical_id(row["exercise_id"])
            skills = tuple(catalog.get(ex_id).meta.skills)
        except ContentError:  # an exercise that no longer exists: no skills to credit
            continue
        if kind == "event":
            if row["kind"] == "solution":
                shown_solution.add(ex_id)
                found.append(Evidence(at, ex_id, skills, False, "viewed the solution"))
            continue
        status = row["status"]
        if status == "pass":
            helped = row["hint_level"] >= HINTS_THAT_COUNT or ex_id in shown_solution
            why = "passed after the solution" if ex_id in shown_solution else (
                "passed with many hints" if helped else "passed")
            found.append(Evidence(at, ex_id, skills, not helped, why))
        elif status == "fail":
            diagnosed = bool(row["findings"])
            found.append(Evidence(at, ex_id, skills, False,
                                  "diagnosed misconception" if diagnosed else "wrong output"))
    return found


def mastery(store: Store, catalog: Catalog, *, cached: bool = True) -> dict[str, SkillMastery]:
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
    if isinstance(cursor, dict) and cursor.get("key") == key:
        for sid, row in store.skill_states().items():
            if sid in state:
                state[sid] = [row["p"], row["evidence"], row["correct"]]
        after_attempt, after_event = int(cursor["attempt"]), int(cursor["event"])
        shown = set(cursor.get("solutions", []))
    else:
        cursor = None
    attempts = store.attempt_summaries(after_attempt)
    events = store.events(after_id=after_event)
    for ev in _evidence_from(attempts, events, catalog, shown):
        for sid in ev.skills:
            if sid not in state:
                continue
            s = state[sid]
            s[0] = bkt_update(float(s[0]), ev.correct, catalog.skills[sid].bkt)
            s[1] += 1
            s[2] += ev.correct
    if cached and (cursor is None or attempts or events):
        store.save_skill_states(
            {sid: {"skill": sid, "p": p, "evidence": int(n), "correct": int(c)}
             for sid, (p, n, c) in state.items()},
            {"key": key, "attempt": attempts[-1]["id"] if attempts else after_attempt,
             "event": events[-1]["id"] if events else after_event,
             "solutions": sorted(shown)})
    return {sid: SkillMastery(sid, float(p), int(n), int(c)) for sid, (p, n, c) in state.items()}


_PARAMS_KEYS: weakref.WeakKeyDictionary[Catalog, str] = weakref.WeakKeyDictionary()


def _params_key(catalog: Catalog) -> str:
    """A digest of every skill's BKT parameters (computed once per catalog object: the
    web app asks on every page)."""
    key = _PARAMS_KEYS.get(catalog)
    if key is None:
        import hashlib

        text = json.dumps({sid: dump(s.bkt) for sid, s in catalog.skills.items()},
                          sort_keys=True)
        key = _PARAMS_KEYS[catalog] = hashlib.sha256(text.encode()).hexdigest()[:16]
    return key


def _quiz_skills() -> dict[str, tuple[str, ...]]:
    from deepcareer.mentor.quiz import load_quizzes

    return {qid: tuple(q.skills) for qid, q in load_quizzes().items()}
