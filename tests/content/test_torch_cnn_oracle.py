"""torch-cnn: the forward pass against the NumPy conv2d and max-pool references."""

import numpy as np
import pytest

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

pytest.importorskip("torch", reason="needs torch: pip install 'deepcareer[torch]'")

EX = default_catalog().get("torch-cnn")
REF = EX.reference
CONV = default_catalog().get("conv2d").reference
POOL = default_catalog().get("max-pool").reference


@pytest.mark.parametrize("seed", [0, 1])
def test_forward_matches_our_numpy_layers(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call != "cnn_logits":
            continue
        x, cw, cb, fw, fb = case.args
        h = np.maximum(CONV.conv2d_forward(x, cw, cb, 1, 1), 0.0)
        h = POOL.maxpool_forward(h, 2, 2)
        want = h.reshape(len(h), -1) @ fw + fb
        np.testing.assert_allclose(REF.cnn_logits(*case.args).numpy(), want, rtol=1e-10,
                                   atol=1e-12)


def test_reference_model_beats_the_target() -> None:
    case = next(c for c in EX.checks.cases if c.judge is not None)
    predictions = REF.train_and_predict(*case.args)
    assert case.judge(case, predictions) is None
