"""Where a learner's things live: the home folder and its workspace.

``--home PATH`` beats ``DEEPCAREER_HOME``, which beats the per-user data
folder of the platform. The workspace holds the learner's own files: we
create them once and never overwrite them.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "DEEPCAREER_HOME"


def resolve_home(home: Path | str | None = None) -> Path:
    """The home folder to use (not created here)."""
    if home:
        return Path(home).expanduser().resolve()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser().resolve()
    from platformdirs import user_data_dir

    return Path(user_data_dir("deepcareer", appauthor=False)).resolve()


def workspace(home: Path) -> Path:
    return home / "workspace"


def exercise_file(home: Path, exercise_id: str) -> Path:
    """The learner's file for an exercise: ``<home>/workspace/<id>.py``."""
    return workspace(home) / f"{exercise_id}.py"
