"""early-stopping: the reference against an independent, vectorised definition."""

import numpy as np
import pytest

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("early-stopping")
REF = EX.reference


def _oracle(losses: np.ndarray, patience: int) -> tuple[int, int]:
    # Best-so-far via a running minimum; an epoch improves when it is strictly below the
    # running minimum of the epochs before it. The stop is the first epoch that is
    # `patience` epochs past the latest improvement.
    prior_min = np.concatenate([[np.inf], np.minimum.accumulate(losses)[:-1]])
    improved = losses < prior_min
    last_improvement = np.maximum.accumulate(np.where(improved, np.arange(len(losses)), 0))
    waited = np.arange(len(losses)) - last_improvement
    stops = np.nonzero(waited >= patience)[0]
    stop = int(stops[0]) if stops.size else len(losses) - 1
    return int(last_improvement[stop]), stop


@pytest.mark.parametrize("seed", range(5))
def test_reference_matches_the_vectorised_oracle(seed: int) -> None:
    for case in build_cases(EX, seed):
        losses, patience = case.args
        assert tuple(REF.early_stopping(losses, patience)) == _oracle(losses, patience)
