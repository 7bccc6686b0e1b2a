"""tf-keras-digits: Keras pieces against NumPy and PyTorch, the model against the target."""

import numpy as np
import pytest

pytest.importorskip("tensorflow", reason="the tensorflow extra is not installed: "
                    "pip install 'deepcareer[tensorflow]'")
torch = pytest.importorskip("torch", reason="the torch extra is not installed")

from deepcareer.curriculum.catalog import default_catalog  # noqa: E402
from deepcareer.grading.grader import build_cases  # noqa: E402

EX = default_catalog().get("tf-keras-digits")
REF = EX.reference


@pytest.mark.parametrize("seed", [0, 1])
def test_pieces_match_numpy_and_torch(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call == "keras_logits":
            X, W1, b1, W2, b2 = case.args
            want = np.maximum(X @ W1 + b1, 0.0) @ W2 + b2
            np.testing.assert_allclose(np.asarray(REF.keras_logits(*case.args)), want,
                                       rtol=1e-12, atol=1e-12)
        elif case.call == "keras_loss":
            y, logits = case.args
            want = torch.nn.functional.cross_entropy(torch.from_numpy(logits),
                                                     torch.from_numpy(y)).item()
            assert float(REF.keras_loss(*case.args)) == pytest.approx(want, rel=1e-6)


def test_readme_loss_example() -> None:
    loss = REF.keras_loss(np.array([0, 2]), np.array([[2.0, 1.0, 0.1], [0.5, 0.5, 3.0]]))
    assert float(loss) == pytest.approx(0.285, abs=5e-4)


def test_reference_model_beats_the_target_and_is_judged_so() -> None:
    case = next(c for c in EX.checks.cases if c.judge is not None)
    predictions = REF.train_and_predict(*case.args)
    assert case.judge(case, predictions) is None
    assert case.judge(case, np.zeros_like(predictions)) is not None  # a constant guess fails
