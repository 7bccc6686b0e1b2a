"""Cases and misconceptions for the PyTorch LSTM classifier."""

import numpy as np

from deepcareer.grading.judges import accuracy_judge, digits
from deepcareer.grading.spec import Case, Checks, Misconception

_D = digits()
IMAGES = _D.images.reshape(-1, 8, 8)
LABELS, TRAIN, TEST = _D.labels, _D.train, _D.test
TARGET_ACCURACY = 0.96
# A model without this can come close to the target on these small images: checked apart.
STRUCTURE = ("recurrence",)


def _run(x, W_ih, W_hh, b, *, batch_first=True, bias_both=False):
    import torch
    lstm = torch.nn.LSTM(x.shape[2], W_hh.shape[1], batch_first=batch_first,
                         dtype=torch.float64)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.from_numpy(W_ih))
        lstm.weight_hh_l0.copy_(torch.from_numpy(W_hh))
        lstm.bias_ih_l0.copy_(torch.from_numpy(b))
        lstm.bias_hh_l0.copy_(torch.from_numpy(b) if bias_both else torch.zeros(len(b)))
        return lstm(torch.from_numpy(x))


def _first_step_output(x, W_ih, W_hh, b):
    output, _ = _run(x, W_ih, W_hh, b)
    return output[:, 0]  # the state after the FIRST row, not the last


def _not_batch_first(x, W_ih, W_hh, b):
    _, (h_n, _) = _run(x, W_ih, W_hh, b, batch_first=False)  # reads the batch as time
    return h_n[-1]


def _cell_state(x, W_ih, W_hh, b):
    _, (_, c_n) = _run(x, W_ih, W_hh, b)
    return c_n[-1]


def _bias_twice(x, W_ih, W_hh, b):
    _, (h_n, _) = _run(x, W_ih, W_hh, b, bias_both=True)
    return h_n[-1]


def _weights(rng, d=8, h=3):
    return [rng.normal(scale=0.4, size=(4 * h, d)), rng.normal(scale=0.4, size=(4 * h, h)),
            rng.normal(scale=0.2, size=4 * h)]


def _random_cases(rng):
    idx = rng.choice(len(LABELS), size=3, replace=False)
    return [Case("last_hidden", [IMAGES[idx], *_weights(rng)], name="3 random digits")]


RNG = np.random.default_rng(17)

CHECKS = Checks(
    cases=[
        Case("last_hidden", [IMAGES[:2], *_weights(RNG, h=2)], name="two digits, H=2"),
        Case("last_hidden", [IMAGES[2:5], *_weights(RNG, h=4)], name="three digits, H=4"),
        Case("train_and_predict", [IMAGES[TRAIN], LABELS[TRAIN], IMAGES[TEST], 0],
             name=f"train on {len(TRAIN)} digits, predict {len(TEST)} held-out ones",
             judge=accuracy_judge(LABELS[TEST], TARGET_ACCURACY), structure=STRUCTURE),
    ],
    hidden=[Case("last_hidden", [IMAGES[10:14], *_weights(np.random.default_rng(2), h=3)])],
    random_cases=_random_cases,
    rtol=1e-6,
    atol=1e-9,
    misconceptions=[
        Misconception(
            id="torch-lstm-classifier.first-output",
            title="classifying from output[:, 0], the state after the first step",
            explanation="With batch_first=True, output is (N, T, H); the summary of the whole "
            "sequence is the LAST step, output[:, -1], which equals h_n[-1].",
            hints=["Which time step does your vector come from?", "The last one.",
                   "h_n[-1] (or output[:, -1])."],
            replace={"last_hidden": _first_step_output},
        ),
        Misconception(
            id="torch-lstm-classifier.not-batch-first",
            title="forgetting batch_first=True",
            explanation="By default nn.LSTM expects (T, N, D): without batch_first it reads the "
            "batch axis as time and mixes different images into one sequence.",
            hints=["What input layout does nn.LSTM assume by default?",
                   "(T, N, D) unless batch_first=True.", "nn.LSTM(..., batch_first=True)."],
            replace={"last_hidden": _not_batch_first},
        ),
        Misconception(
            id="torch-lstm-classifier.cell-state",
            title="reading out the cell state c_n instead of the hidden state h_n",
            explanation="The LSTM returns (h_n, c_n); the hidden state h = o * tanh(c) is the "
            "cell's output and what a classifier reads.",
            hints=["Which of (h_n, c_n) did you take?", "h_n is the output; c_n the memory.",
                   "_, (h_n, _) = lstm(x)."],
            replace={"last_hidden": _cell_state},
        ),
        Misconception(
            id="torch-lstm-classifier.bias-twice",
            title="copying the bias into both bias_ih and bias_hh",
            explanation="PyTorch adds bias_ih + bias_hh; a single bias copied into both is counted "
            "twice. Put it in one and zero the other.",
            hints=["How many bias vectors does nn.LSTM have?", "They are added together.",
                   "bias_ih = b, bias_hh = 0."],
            replace={"last_hidden": _bias_twice},
        ),
    ],
)
