"""What to do next, and why: the mentor's planner.

In order: a review that is due (the one least likely to be remembered first); the
exercise in progress; a drill for a misconception diagnosed recently whose exercise is
now passed; a project whose skills are all mastered and that has no verified passing run
(projects are where skills turn into evidence an employer can see, so a ready one comes
before more exercises); then new work on the least-mastered skill whose prerequisite
skills are mastered; then, when no skill is ready by that measure, the next exercise in curriculum
order whose prerequisite exercises are passed; a quiz for a concept skill not yet shown.
An exercise whose prerequisites are not passed is never suggested. The clock comes from
the store, so tests can simulate weeks of study.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from deepcareer.curriculum.catalog import Catalog
from deepcareer.mentor.mastery import MASTERED, SkillMastery, mastery
from deepcareer.mentor.progress import ExerciseProgress, exercise_progress
from deepcareer.mentor.review import due_cards
from deepcareer.store.learner import LearnerRecord
from deepcareer.store.rows import ReviewRow

RECENT_DRILL = timedelta(days=7)
IN_PROGRESS = timedelta(days=3)


@dataclass(frozen=True)
class Step:
    kind: str  # review | exercise | drill | project | quiz | done
    id: str | None
    reason: str
    command: str = ""  # starts the step now, whatever its review date
    title: str = ""  # what it is, for people (ids are for commands)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "title": self.title or self.id,
                "reason": self.reason, "command": self.command}


def plan(store: LearnerRecord, catalog: Catalog, now: datetime | None = None) -> Step:
    now = now or store.clock()
    due = due_cards(store, now)
    if due:
        first = due[0]
        more = f" ({len(due) - 1} more due after it)" if len(due) > 1 else ""
        return Step("review", first.id,
                    f"{_card_words(catalog, first.kind, first.ref)} is due for review: you "
                    f"would recall it now with a chance of about {first.retrievability:.0%}, "
                    f"and reviewing at that point is what makes it stick{more}",
                    "deepcareer review", _card_words(catalog, first.kind, first.ref))
    progress = exercise_progress(store, catalog)
    states = {p.id: p for p in progress}
    skills = mastery(store, catalog)
    current = _in_progress(progress, now)
    if current is not None:
        word = "attempt" if current.attempts == 1 else "attempts"
        return Step("exercise", current.id,
                    f"you have started it ({current.attempts} {word} so far) and not passed "
                    "it yet", f"deepcareer check {current.id}",
                    catalog.get(current.id).meta.title)
    drill = _recent_drill(store, catalog, states, now)
    if drill is not None:
        return drill
    project = _ready_project(store, catalog, skills)
    if project is not None:
        return project
    return _new_work(store, catalog, progress, skills)


def _skill_title(catalog: Catalog, sid: str) -> str:
    return catalog.skills[sid].title if sid in catalog.skills else sid


def _ready_project(store: LearnerRecord, catalog: Catalog, skills: dict[str, SkillMastery]
                   ) -> Step | None:
    """The easiest project whose skills are mastered and that is not yet verified."""
    if not any(m.mastered for m in skills.values()):
        return None  # nothing can be ready: skip reading the project files
    from deepcareer.career.evidence import run_counts
    from deepcareer.projects.runs import own_runs
    from deepcareer.projects.spec import load_projects

    runs = store.run_summaries()
    for project in load_projects().values():
        needed = [s for s in project.spec.skills if s in skills]
        if not needed or any(skills[s].p < MASTERED for s in needed):
            continue
        # Only the learner's own runs (a run of our reference, or an imported one, is not
        # theirs: see career/evidence.py).
        own = own_runs([r for r in runs if r["project_id"] == project.id])
        if any(run_counts(r) for r in own):
            continue
        names = ", ".join(_skill_title(catalog, s) for s in needed)
        title = project.spec.title
        if any(r["passed"] for r in own):
            return Step("project", project.id, "your run passed; re-running it once with a "
                        "seed deepcareer draws makes it a verified result for your portfolio",
                        f"deepcareer project verify {project.id}", title)
        if own:
            return Step("project", project.id, f"you have started it and have mastered what "
                        f"it needs ({names}); finish it",
                        f"deepcareer project run {project.id}", title)
        return Step("project", project.id, f"you have mastered every skill it needs "
                    f"({names}): a project on real data turns them into a result you can "
                    "show", f"deepcareer project new {project.id}", title)
    return None


def _card_words(catalog: Catalog, kind: str, ref: str) -> str:
    """A review card in words: titles, not ids."""
    exercise_id = ref.split(".", 1)[0]
    if kind == "exercise" and ref in catalog.exercises:
        return f"re-implementing {catalog.get(ref).meta.title}"
    if kind == "drill" and exercise_id in catalog.exercises:
        m = next((m for m in catalog.get(exercise_id).checks.misconceptions if m.id == ref),
                 None)
        return f"the drill for \"{m.title if m else ref}\""
    if kind == "quiz":
        return f"question {int(ref.rpartition(':')[2]) + 1} of the {ref.rpartition(':')[0]} quiz"
    return ref


def _in_progress(progress: list[ExerciseProgress], now: datetime) -> ExerciseProgress | None:
    """The most recently attempted exercise not yet passed, if touched lately."""
    recent = [p for p in progress if p.state == "attempted" and p.last_at
              and now - datetime.fromisoformat(p.last_at) <= IN_PROGRESS]
    return max(recent, key=lambda p: p.last_at or "") if recent else None


def _recent_drill(store: LearnerRecord, catalog: Catalog, states: dict[str, ExerciseProgress],
                  now: datetime) -> Step | None:
    """A drill card rated only by checks (not yet drilled) whose exercise is now passed."""
    by_card: dict[str, list[ReviewRow]] = {}
    for r in store.reviews(kind="drill"):  # one query, not one per card
        by_card.setdefault(r["card_id"], []).append(r)
    for card in store.cards():
        if card["kind"] != "drill":
            continue
        reviews = by_card.get(card["id"], [])
        if not reviews or any(r["source"] == "review" for r in reviews):
            continue
        last = datetime.fromisoformat(reviews[-1]["reviewed_at"])
        exercise_id = card["ref"].split(".", 1)[0]
        if now - last > RECENT_DRILL or exercise_id not in catalog.exercises:
            continue
        if states.get(exercise_id) is None or states[exercise_id].state != "passed":
            continue
        m = next((m for m in catalog.get(exercise_id).checks.misconceptions
                  if m.id == card["ref"]), None)
        title = m.title if m else card["ref"]
        days = max((now - last).days, 0)
        when = "today" if days == 0 else f"{days} day{'s' if days > 1 else ''} ago"
        return Step("drill", card["ref"],
                    f"{catalog.get(exercise_id).meta.title} showed the mistake \"{title}\" "
                    f"{when}; redoing it from a blank file while it is fresh is the quickest "
                    "way to unlearn it", f"deepcareer review {card['ref']}", title)
    return None


def _new_work(store: LearnerRecord, catalog: Catalog, progress: list[ExerciseProgress],
              skills: dict[str, SkillMastery]) -> Step:
    passed = {p.id for p in progress if p.state == "passed"}
    open_ = [p for p in progress if p.state != "passed" and all(
        q in passed for q in catalog.get(p.id).meta.prerequisites if q in catalog.exercises)]
    ready_skills = {sid for sid, sk in catalog.skills.items()
                    if all(skills[q].p >= MASTERED for q in sk.prerequisites if q in skills)}
    best: tuple[float, int, str, str] | None = None
    for order, p in enumerate(open_):
        for sid in catalog.get(p.id).meta.skills:
            if sid in ready_skills and skills[sid].p < MASTERED:
                key = (skills[sid].p, order, p.id, sid)
                best = key if best is None or key < best else best
    if best is not None and not passed and not any(sk.evidence for sk in skills.values()):
        first = open_[0].id  # an empty history: begin at the beginning
        return Step("exercise", first, "it is the first exercise of the curriculum, and "
                    "everything else builds on it", f"deepcareer start {first}",
                    catalog.get(first).meta.title)
    if best is not None:
        p_known, _order, ex_id, sid = best
        prereqs = catalog.skills[sid].prerequisites
        why = (f"it builds {_skill_title(catalog, sid)}, your least-mastered skill that is "
               f"ready to learn ({p_known:.0%} now")
        why += (f"; its prerequisites {', '.join(_skill_title(catalog, q) for q in prereqs)} "
                "are mastered)" if prereqs else ")")
        return Step("exercise", ex_id, why, f"deepcareer start {ex_id}",
                    catalog.get(ex_id).meta.title)
    if open_:
        p = open_[0]
        reason = ("it is the first exercise of the curriculum" if not passed else
                  "it is the next exercise whose prerequisites you have passed")
        return Step("exercise", p.id, reason, f"deepcareer start {p.id}",
                    catalog.get(p.id).meta.title)
    quiz = _untaken_quiz(store, catalog, skills)
    if quiz is not None:
        return quiz
    return Step("done", None, "every exercise is passed and no review is due: well done. "
                "Come back when `deepcareer review` has something due")


def _untaken_quiz(store: LearnerRecord, catalog: Catalog, skills: dict[str, SkillMastery]
                  ) -> Step | None:
    from deepcareer.mentor.quiz import load_quizzes

    taken = {e["exercise_id"].removeprefix("quiz:") for e in store.events(kind="quiz")}
    for qid, quiz in load_quizzes().items():
        if qid not in taken:
            weakest = min(quiz.skills, key=lambda s: skills[s].p if s in skills else 0.0)
            return Step("quiz", qid, f"it practises {_skill_title(catalog, weakest)}, which "
                        "no exercise covers", f"deepcareer quiz {qid}", quiz.title)
    return None
