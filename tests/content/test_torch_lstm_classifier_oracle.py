"""torch-lstm-classifier: the final state against our NumPy LSTM cell, and the target."""

import numpy as np
import pytest

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

pytest.importorskip("torch", reason="needs torch: pip install 'deepcareer[torch]'")

EX = default_catalog().get("torch-lstm-classifier")
REF = EX.reference
CELL = default_catalog().get("lstm-cell").reference


@pytest.mark.parametrize("seed", [0, 1])
def test_final_state_matches_our_numpy_lstm_cell(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call != "last_hidden":
            continue
        x, W_ih, W_hh, b = case.args
        h = np.zeros((x.shape[0], W_hh.shape[1]))
        c = np.zeros_like(h)
        for t in range(x.shape[1]):  # our cell uses (D, 4H) weights: transpose torch's
            h, c = CELL.lstm_step(x[:, t], h, c, W_ih.T, W_hh.T, b)
        np.testing.assert_allclose(REF.last_hidden(*case.args).numpy(), h, rtol=1e-10,
                                   atol=1e-12)


def test_reference_model_beats_the_target() -> None:
    case = next(c for c in EX.checks.cases if c.judge is not None)
    assert case.judge(case, REF.train_and_predict(*case.args)) is None
