"""Which skills each concept quiz practises, read from the quiz files.

The evidence model needs only this map, not the quiz engine (``mentor/quiz.py``); reading
it here keeps the career package from importing the mentor, which imports career (the
dependency runs mentor -> career, never back).
"""

from __future__ import annotations

from pathlib import Path

from deepcareer.curriculum.modules import load_module
from deepcareer.errors import ContentError

QUIZ_DIR = Path(__file__).resolve().parent.parent / "content" / "quizzes"


def quiz_files(folder: Path = QUIZ_DIR) -> list[Path]:
    return [p for p in sorted(folder.glob("*.py")) if not p.name.startswith("_")]


def quiz_skills(folder: Path = QUIZ_DIR) -> dict[str, tuple[str, ...]]:
    """Quiz id -> the skills it practises."""
    out: dict[str, tuple[str, ...]] = {}
    for path in quiz_files(folder):
        quiz = getattr(load_module(path), "QUIZ", None)
        if quiz is None or not hasattr(quiz, "id") or not hasattr(quiz, "skills"):
            raise ContentError(f"{path} must define QUIZ = Quiz(...)")
        out[str(quiz.id)] = tuple(quiz.skills)
    return out
