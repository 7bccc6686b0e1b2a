"""The ``run`` object a learner's ``fit`` receives: seed, variant, parameters and metrics.

It lives in the child process. Every call becomes one JSON line on the event stream the
parent reads, so the terminal can draw a progress bar while training runs and the store
gets each epoch's figures even if the run is later killed by its time budget.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator
from typing import Any

Emit = Callable[[dict[str, Any]], None]


def _clean(value: Any) -> Any:
    """A JSON-safe scalar: NumPy and framework scalars become floats; NaN stays visible."""
    if isinstance(value, bool | int | str) or value is None:
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return number if math.isfinite(number) else str(number)  # "nan", "inf"


class Run:
    """What ``fit(train, run)`` can read and record (see docs/projects.md)."""

    def __init__(self, *, seed: int, variant: str, experiment: str, budget_s: float,
                 emit: Emit | None = None, clock: Callable[[], float] = time.monotonic
                 ) -> None:
        self.seed = seed
        self.variant = variant
        self.experiment = experiment
        self._deadline = clock() + budget_s
        self._clock = clock
        self._emit = emit or (lambda event: None)
        self._epoch: int | None = None
        self.history: list[dict[str, Any]] = []
        self.recorded_params: dict[str, Any] = {}

    @property
    def budget_s(self) -> float:
        """Seconds left before the runner stops this run."""
        return max(0.0, self._deadline - self._clock())

    def params(self, **values: Any) -> None:
        """Record hyper-parameters (shown in the report, compared on re-runs)."""
        clean = {k: _clean(v) for k, v in values.items()}
        self.recorded_params.update(clean)
        self._emit({"event": "params", "experiment": self.experiment, "params": clean})

    def epochs(self, n: int) -> Iterator[int]:
        """``for epoch in run.epochs(20):`` with a progress bar and ETA in the terminal."""
        self._emit({"event": "epochs", "experiment": self.experiment, "total": int(n)})
        for epoch in range(int(n)):
            self._epoch = epoch
            yield epoch
            self._emit({"event": "epoch_end", "experiment": self.experiment, "epoch": epoch})
        self._epoch = None

    def log(self, **metrics: Any) -> None:
        """Record figures for the current epoch (``loss=...``, ``val_accuracy=...``)."""
        row = {"epoch": self._epoch if self._epoch is not None else len(self.history),
               **{k: _clean(v) for k, v in metrics.items()}}
        self.history.append(row)
        self._emit({"event": "log", "experiment": self.experiment, "row": row})


def json_line(event: dict[str, Any]) -> bytes:
    return (json.dumps(event, allow_nan=False) + "\n").encode()
