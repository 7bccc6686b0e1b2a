"""Cases and misconceptions for the PyTorch digits MLP.

train_and_predict is judged by held-out accuracy: its test labels stay in this process.
"""

import numpy as np

from deepcareer.grading.judges import accuracy_judge, digits
from deepcareer.grading.spec import Case, Checks, Misconception

_D = digits()
IMAGES = _D.images
LABELS, TRAIN, TEST = _D.labels, _D.train, _D.test
TARGET_ACCURACY = 0.96
# A model without this can come close to the target on these small images: checked apart.
STRUCTURE = ("hidden layer",)


def _t(a):
    import torch
    return torch.from_numpy(np.asarray(a, dtype=float))


def _logits_sigmoid(X, W1, b1, W2, b2):
    import torch
    return torch.sigmoid(_t(X) @ _t(W1) + _t(b1)) @ _t(W2) + _t(b2)


def _logits_softmaxed(X, W1, b1, W2, b2):
    import torch
    logits = torch.relu(_t(X) @ _t(W1) + _t(b1)) @ _t(W2) + _t(b2)
    return torch.softmax(logits, dim=1)


def _logits_no_hidden_bias(X, W1, b1, W2, b2):
    import torch
    return torch.relu(_t(X) @ _t(W1)) @ _t(W2) + _t(b2)


def _step(X, y, W1, b1, W2, b2, lr, *, softmax_first=False, reduction="mean", sign=1.0):
    import torch
    params = [_t(a).requires_grad_() for a in (W1, b1, W2, b2)]
    logits = torch.relu(_t(X) @ params[0] + params[1]) @ params[2] + params[3]
    if softmax_first:
        logits = torch.softmax(logits, dim=1)
    loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(np.asarray(y)),
                                             reduction=reduction)
    loss.backward()
    with torch.no_grad():
        return tuple(p - sign * lr * p.grad for p in params)


def _step_softmax_first(*a):
    return _step(*a, softmax_first=True)


def _step_sum(*a):
    return _step(*a, reduction="sum")


def _step_ascent(*a):
    return _step(*a, sign=-1.0)


def _weights(rng, d=64, h=16, k=10):
    return [rng.normal(scale=0.3, size=(d, h)), rng.normal(scale=0.1, size=h),
            rng.normal(scale=0.3, size=(h, k)), rng.normal(scale=0.1, size=k)]


def _random_cases(rng):
    idx = rng.choice(len(LABELS), size=20, replace=False)
    return [
        Case("mlp_logits", [IMAGES[idx], *_weights(rng)], name="20 random digits"),
        Case("train_step", [IMAGES[idx], LABELS[idx], *_weights(rng), 0.5],
             name="20 random digits, lr 0.5"),
    ]


RNG = np.random.default_rng(5)
SMALL = [np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([[1.0, 0.0, -1.0], [0.5, 1.0, 0.0]]),
         np.array([0.0, -0.5, 0.1]), np.array([[1.0, -1.0], [0.5, 0.5], [-1.0, 2.0]]),
         np.array([0.1, -0.1])]

CHECKS = Checks(
    cases=[
        Case("mlp_logits", SMALL, name="the README example"),
        Case("mlp_logits", [IMAGES[:10], *_weights(RNG)], name="ten digits"),
        Case("train_step", [SMALL[0], np.array([0, 1]), *SMALL[1:], 0.1],
             name="the README example"),
        Case("train_step", [IMAGES[:30], LABELS[:30], *_weights(RNG), 0.3],
             name="thirty digits"),
        Case("train_and_predict", [IMAGES[TRAIN], LABELS[TRAIN], IMAGES[TEST], 0],
             name=f"train on {len(TRAIN)} digits, predict {len(TEST)} held-out ones",
             judge=accuracy_judge(LABELS[TEST], TARGET_ACCURACY,
                                  "check train/eval modes, zero_grad, the learning rate and "
                                  "the number of epochs"),
             structure=STRUCTURE),
    ],
    hidden=[
        Case("mlp_logits", [IMAGES[50:55], *_weights(np.random.default_rng(8))]),
        Case("train_step", [IMAGES[60:80], LABELS[60:80], *_weights(np.random.default_rng(9)),
                            1.0]),
    ],
    random_cases=_random_cases,
    rtol=1e-6,
    atol=1e-9,
    misconceptions=[
        Misconception(
            id="torch-mlp-digits.sigmoid-hidden",
            title="sigmoid hidden units where ReLU is asked for",
            explanation="The model is relu(X W1 + b1) W2 + b2. ReLU units do not saturate for "
            "positive inputs, which is why they train faster in deeper networks.",
            hints=["Which non-linearity does your hidden layer use?", "torch.relu.",
                   "torch.relu(X @ W1 + b1) @ W2 + b2."],
            replace={"mlp_logits": _logits_sigmoid},
        ),
        Misconception(
            id="torch-mlp-digits.returns-probabilities",
            title="returning softmax probabilities where logits are asked for",
            explanation="Logits are the raw scores; F.cross_entropy applies log-softmax itself. "
            "Returning probabilities (and feeding them to cross_entropy) applies softmax twice.",
            hints=["Do your outputs sum to 1 per row? Logits do not.",
                   "Leave the softmax to the loss.", "Return the last linear layer's output."],
            replace={"mlp_logits": _logits_softmaxed},
        ),
        Misconception(
            id="torch-mlp-digits.no-hidden-bias",
            title="leaving out the hidden layer's bias",
            explanation="Each layer is affine: X W1 + b1. Without b1 every hidden unit's ReLU "
            "threshold is stuck at the origin.",
            hints=["Is b1 used?", "Both layers add a bias.", "X @ W1 + b1."],
            replace={"mlp_logits": _logits_no_hidden_bias},
        ),
        Misconception(
            id="torch-mlp-digits.softmax-before-loss",
            title="applying softmax before F.cross_entropy",
            explanation="F.cross_entropy expects logits and applies log-softmax inside. Softmax "
            "first squashes the scores, so gradients shrink and training stalls.",
            hints=["What does F.cross_entropy expect as input?", "Logits, not probabilities.",
                   "cross_entropy(logits, y) with the raw logits."],
            replace={"train_step": _step_softmax_first},
            reteach="In PyTorch, CrossEntropyLoss = LogSoftmax + NLLLoss. Models output logits; "
            "apply softmax only when you need probabilities for display.",
        ),
        Misconception(
            id="torch-mlp-digits.sum-reduction",
            title="a summed loss (reduction='sum') with a learning rate meant for the mean",
            explanation="The default reduction is the mean over the batch; summing makes the "
            "step scale with the batch size.",
            hints=["Does your step grow with the batch?", "Use the default reduction.",
                   "F.cross_entropy(logits, y)."],
            replace={"train_step": _step_sum},
        ),
        Misconception(
            id="torch-mlp-digits.ascent",
            title="adding the gradient to the weights",
            explanation="Descent subtracts lr times the gradient.",
            hints=["Does the loss go down after your step?", "p - lr * p.grad.",
                   "Subtract."],
            replace={"train_step": _step_ascent},
        ),
    ],
)
