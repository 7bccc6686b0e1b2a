"""Digits with Keras (TensorFlow track): fit(train, run) and predict(model, X).

fit() imports Keras itself, because TensorFlow takes seconds to load. fit() below is the
skeleton; the model, its compilation, the logging callback and predict are yours.
"""

import numpy as np

# Starting points, not answers.
EPOCHS = 15
BATCH = 64
LR = 1e-3


def build_model(keras, n_features, n_classes):
    """A keras.Sequential that maps rows of n_features pixels (B, 64) to logits (B, n_classes).

    Dense layers take the rows as they are. For Conv2D, first reshape each row to an 8 x 8
    image with one channel (keras.layers.Reshape). The last layer has no softmax.
    """
    # TODO: a small Sequential model ending in Dense(n_classes)
    raise NotImplementedError("a small Sequential model ending in Dense(n_classes)")


def compile_model(keras, model):
    """model.compile with an Adam optimiser at LR, a loss for integer labels and logits, and
    metrics=["accuracy"] so that each epoch's logs carry the training accuracy."""
    # TODO: model.compile(optimizer=..., loss=..., metrics=["accuracy"])
    raise NotImplementedError("model.compile(optimizer=..., loss=..., metrics=['accuracy'])")


def make_logger(keras, run):
    """A keras.callbacks.Callback whose on_epoch_end(epoch, logs) calls
    run.log(loss=..., train_accuracy=...) with the figures Keras puts in ``logs``."""
    # TODO: subclass keras.callbacks.Callback and return an instance
    raise NotImplementedError("subclass keras.callbacks.Callback and return an instance")


def fit(train, run):
    """Train on train.X (N, 64), pixels in [0, 1], and train.y (N,) labels 0..9."""
    import keras

    keras.utils.set_random_seed(run.seed)  # Python, NumPy and TensorFlow in one call
    X = np.asarray(train.X, dtype=np.float32)  # (N, 64): Keras layers compute in float32
    y = np.asarray(train.y, dtype=np.int64)  # (N,)
    run.params(epochs=EPOCHS, batch_size=BATCH, lr=LR)

    model = build_model(keras, X.shape[1], len(train.classes))
    compile_model(keras, model)
    logger = make_logger(keras, run)
    # One Keras epoch per tracker epoch, so the progress bar and the log rows line up.
    for _ in run.epochs(EPOCHS):
        model.fit(X, y, epochs=1, batch_size=BATCH, shuffle=True, verbose=0,
                  callbacks=[logger])
    return model


def predict(model, X):
    """Class scores (n, 10) as a NumPy array: logits, or probabilities (rows summing to 1,
    which also give a log-loss)."""
    # TODO: model.predict on float32 rows, without the progress bar
    raise NotImplementedError("model.predict on float32 rows, without the progress bar")
