"""Cases and misconceptions for the small PyTorch CNN."""

import numpy as np

from deepcareer.grading.judges import accuracy_judge, digits
from deepcareer.grading.spec import Case, Checks, Misconception

_D = digits()
IMAGES = _D.images.reshape(-1, 1, 8, 8)
LABELS, TRAIN, TEST = _D.labels, _D.train, _D.test
TARGET_ACCURACY = 0.96
# A model without this can come close to the target on these small images: checked apart.
STRUCTURE = ("convolution",)


def _t(*arrays):
    import torch
    return [torch.from_numpy(np.asarray(a, dtype=float)) for a in arrays]


def _no_relu(x, cw, cb, fw, fb):
    from torch.nn import functional as F
    x, cw, cb, fw, fb = _t(x, cw, cb, fw, fb)
    return F.max_pool2d(F.conv2d(x, cw, cb, padding=1), 2).flatten(1) @ fw + fb


def _avg_pool(x, cw, cb, fw, fb):
    from torch.nn import functional as F
    x, cw, cb, fw, fb = _t(x, cw, cb, fw, fb)
    return F.avg_pool2d(F.relu(F.conv2d(x, cw, cb, padding=1)), 2).flatten(1) @ fw + fb


def _channels_last_flatten(x, cw, cb, fw, fb):
    from torch.nn import functional as F
    x, cw, cb, fw, fb = _t(x, cw, cb, fw, fb)
    h = F.max_pool2d(F.relu(F.conv2d(x, cw, cb, padding=1)), 2)
    return h.permute(0, 2, 3, 1).reshape(len(h), -1) @ fw + fb  # (H, W, C) order


def _no_conv_bias(x, cw, cb, fw, fb):
    from torch.nn import functional as F
    x, cw, cb, fw, fb = _t(x, cw, cb, fw, fb)
    return F.max_pool2d(F.relu(F.conv2d(x, cw, padding=1)), 2).flatten(1) @ fw + fb


def _weights(rng, c=4):
    return [rng.normal(scale=0.5, size=(c, 1, 3, 3)), rng.normal(scale=0.1, size=c),
            rng.normal(scale=0.2, size=(c * 16, 10)), rng.normal(scale=0.1, size=10)]


def _random_cases(rng):
    idx = rng.choice(len(LABELS), size=6, replace=False)
    return [Case("cnn_logits", [IMAGES[idx], *_weights(rng)], name="6 random digits")]


RNG = np.random.default_rng(11)

CHECKS = Checks(
    cases=[
        Case("cnn_logits", [IMAGES[:4], *_weights(RNG, 2)], name="four digits, 2 channels"),
        Case("cnn_logits", [IMAGES[4:7], *_weights(RNG, 3)], name="three digits, 3 channels"),
        Case("train_and_predict", [IMAGES[TRAIN], LABELS[TRAIN], IMAGES[TEST], 0],
             name=f"train on {len(TRAIN)} digits, predict {len(TEST)} held-out ones",
             judge=accuracy_judge(LABELS[TEST], TARGET_ACCURACY), structure=STRUCTURE),
    ],
    hidden=[Case("cnn_logits", [IMAGES[100:105], *_weights(np.random.default_rng(3), 4)])],
    random_cases=_random_cases,
    rtol=1e-6,
    atol=1e-9,
    misconceptions=[
        Misconception(
            id="torch-cnn.no-relu",
            title="no non-linearity after the convolution",
            explanation="Without ReLU, convolution, max pooling and the linear layer are almost "
            "linear: the network loses most of its power.",
            hints=["Where is your activation?", "conv -> ReLU -> pool.", "F.relu(F.conv2d(...))."],
            replace={"cnn_logits": _no_relu},
        ),
        Misconception(
            id="torch-cnn.average-pooling",
            title="average pooling where max pooling is asked for",
            explanation="Max pooling keeps the strongest response in each window.",
            hints=["Which pooling does your code use?", "F.max_pool2d.",
                   "F.max_pool2d(h, 2)."],
            replace={"cnn_logits": _avg_pool},
        ),
        Misconception(
            id="torch-cnn.channels-last-flatten",
            title="flattening in (H, W, C) order while the weights expect (C, H, W)",
            explanation="PyTorch tensors are (N, C, H, W); flatten(start_dim=1) lists channel 0's "
            "4 x 4 map, then channel 1's, and so on. Permuting to channels-last first (as in "
            "TensorFlow's layout) scrambles which weight meets which feature.",
            hints=["In what order do your flattened features come?",
                   "Do not permute before flattening.", "h.flatten(start_dim=1)."],
            replace={"cnn_logits": _channels_last_flatten},
        ),
        Misconception(
            id="torch-cnn.no-conv-bias",
            title="leaving out the convolution's bias",
            explanation="Each filter has a bias added to its whole output map.",
            hints=["Does your conv2d use conv_b?", "F.conv2d(x, w, b, padding=1).",
                   "Pass the bias."],
            replace={"cnn_logits": _no_conv_bias},
        ),
    ],
)
