"""Tracks: what each kind of exercise needs installed and how the sandbox treats it.

The NumPy track needs nothing beyond the base install. Framework tracks need an
optional extra; without it those exercises say exactly what to install, and the
rest of the curriculum works as before.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field

from deepcareer.errors import MissingExtraError
from deepcareer.grading.sandbox import Limits


@dataclass(frozen=True)
class Track:
    name: str
    module: str | None = None  # the framework the track needs, if any
    extra: str | None = None  # the pip extra that installs it
    preload: tuple[str, ...] = ()  # imported in the child before the guard goes up
    limits: Limits = field(default_factory=Limits)

    def available(self) -> bool:
        return self.module is None or importlib.util.find_spec(self.module) is not None

    def require(self, exercise_id: str) -> None:
        """Raise a clear, actionable error when the track's framework is missing."""
        if not self.available():
            raise MissingExtraError(
                f"{exercise_id} is on the {self.name} track, which needs {self.module}. "
                f"Install it with: pip install 'deepcareer[{self.extra}]' (inside the "
                "environment deepcareer runs in). Every other exercise works without it."
            )


TRACKS: dict[str, Track] = {
    "numpy": Track("numpy"),
    "concept": Track("concept"),
    # Importing a framework takes about a second and maps a lot of memory: looser limits.
    "pytorch": Track("pytorch", module="torch", extra="torch", preload=("torch",),
                     limits=Limits(wall_s=30.0, cpu_s=60, memory_mb=4096, open_files=256)),
    "tensorflow": Track("tensorflow", module="tensorflow", extra="tensorflow",
                        preload=("tensorflow",),
                        limits=Limits(wall_s=60.0, cpu_s=120, memory_mb=8192, open_files=512)),
}
