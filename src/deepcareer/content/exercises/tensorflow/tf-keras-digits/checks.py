"""Cases and misconceptions for the Keras digits model.

train_and_predict is judged by held-out accuracy: its test labels stay in this process.
Keras is imported inside the variants so that building the cases needs only NumPy.
"""

import importlib

import numpy as np

from deepcareer.grading.judges import accuracy_judge, digits
from deepcareer.grading.spec import Case, Checks, Misconception

_D = digits()
IMAGES, LABELS, TRAIN, TEST = _D.images, _D.labels, _D.train, _D.test
TARGET_ACCURACY = 0.96
# A model without this can come close to the target on these small images: checked apart.
STRUCTURE = ("hidden layer",)


def _keras():
    return importlib.import_module("keras")


def _logits(X, W1, b1, W2, b2, *, hidden="relu", out=None):
    keras = _keras()
    model = keras.Sequential([
        keras.Input((W1.shape[0],), dtype="float64"),
        keras.layers.Dense(W1.shape[1], activation=hidden, dtype="float64"),
        keras.layers.Dense(W2.shape[1], activation=out, dtype="float64"),
    ])
    model.layers[0].set_weights([W1, b1])
    model.layers[1].set_weights([W2, b2])
    return model(X)


def _logits_sigmoid(*a):
    return _logits(*a, hidden="sigmoid")


def _logits_softmax_layer(*a):
    return _logits(*a, out="softmax")


def _loss_softmax_first(y, logits):
    keras = _keras()
    probs = keras.ops.softmax(keras.ops.convert_to_tensor(logits), axis=-1)
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, probs)


def _loss_sum(y, logits):
    keras = _keras()
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="sum")(
        y, logits)




def _weights(rng, d=64, h=16, k=10):
    return [rng.normal(scale=0.3, size=(d, h)), rng.normal(scale=0.1, size=h),
            rng.normal(scale=0.3, size=(h, k)), rng.normal(scale=0.1, size=k)]


def _random_cases(rng):
    idx = rng.choice(len(LABELS), size=20, replace=False)
    return [
        Case("keras_logits", [IMAGES[idx], *_weights(rng)], name="20 random digits"),
        Case("keras_loss", [LABELS[idx], rng.normal(scale=2.0, size=(20, 10))],
             name="20 random labels and logits"),
    ]


SMALL = [np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([[1.0, 0.0, -1.0], [0.5, 1.0, 0.0]]),
         np.array([0.0, -0.5, 0.1]), np.array([[1.0, -1.0], [0.5, 0.5], [-1.0, 2.0]]),
         np.array([0.1, -0.1])]

CHECKS = Checks(
    cases=[
        Case("keras_logits", SMALL, name="the README example"),
        Case("keras_logits", [IMAGES[:10], *_weights(np.random.default_rng(5))],
             name="ten digits"),
        Case("keras_loss", [np.array([0, 2]), np.array([[2.0, 1.0, 0.1], [0.5, 0.5, 3.0]])],
             name="the README example"),
        Case("train_and_predict", [IMAGES[TRAIN], LABELS[TRAIN], IMAGES[TEST], 0],
             name=f"train on {len(TRAIN)} digits, predict {len(TEST)} held-out ones",
             judge=accuracy_judge(LABELS[TEST], TARGET_ACCURACY,
                                  "check from_logits, the learning rate and the number of "
                                  "epochs"),
             structure=STRUCTURE),
    ],
    hidden=[
        Case("keras_logits", [IMAGES[50:55], *_weights(np.random.default_rng(8))]),
        Case("keras_loss", [np.array([1, 1, 0]), np.array([[0.0, 4.0], [1.0, -1.0],
                                                           [3.0, 3.0]])]),
    ],
    random_cases=_random_cases,
    rtol=1e-5,  # Keras losses compute in float32
    atol=1e-7,
    misconceptions=[
        Misconception(
            id="tf-keras-digits.sigmoid-hidden",
            title="sigmoid hidden units where ReLU is asked for",
            explanation="The model is relu(X W1 + b1) W2 + b2: Dense(H, activation='relu').",
            hints=["Which activation does your first Dense layer have?",
                   "activation='relu'.",
                   "keras.layers.Dense(H, activation='relu', dtype='float64')."],
            replace={"keras_logits": _logits_sigmoid},
        ),
        Misconception(
            id="tf-keras-digits.softmax-output-layer",
            title="a softmax activation on the output layer when logits are asked for",
            explanation="Logits are the raw scores. Dense(K, activation='softmax') returns "
            "probabilities; paired with from_logits=True in the loss it applies softmax twice.",
            hints=["Do your outputs sum to 1 per row? Logits do not.",
                   "The last layer has no activation.",
                   "keras.layers.Dense(K, dtype='float64')."],
            replace={"keras_logits": _logits_softmax_layer},
        ),
        Misconception(
            id="tf-keras-digits.double-softmax",
            title="a softmax before a loss built with from_logits=True",
            explanation="from_logits=True tells the loss to apply (log-)softmax itself. Feeding "
            "it probabilities squashes the scores into [0, 1], so the loss barely moves and "
            "training stalls.",
            hints=["What does from_logits=True promise the loss?",
                   "That its input is raw scores.",
                   "Pass the logits straight to SparseCategoricalCrossentropy(from_logits=True)."],
            replace={"keras_loss": _loss_softmax_first},
            reteach="Either the model outputs logits and the loss has from_logits=True "
            "(preferred: numerically stable), or the model ends in softmax and the loss has "
            "from_logits=False. Never both softmaxes.",
        ),
        Misconception(
            id="tf-keras-digits.sum-reduction",
            title="summing the per-example losses",
            explanation="Keras losses average over the batch by default; a sum grows with the "
            "batch size and with it the size of every step.",
            hints=["Is your loss N times too large?", "Use the default reduction.",
                   "SparseCategoricalCrossentropy(from_logits=True)(y, logits)."],
            replace={"keras_loss": _loss_sum},
        ),
    ],
)
