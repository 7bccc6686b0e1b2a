"""Reference: a small Keras CNN on the 8 x 8 digits (TensorFlow track).

TensorFlow is imported inside fit(): importing it takes seconds, and the module should load
fast when deepcareer only wants to inspect it. predict() needs no import: the model has it.
"""

import math

import numpy as np

EPOCHS = 15
BATCH = 64
LR = 3e-3


def build_model(keras, n_features, n_classes):
    """Rows of 64 pixels in, logits out; the first layer turns each row back into an image."""
    side = math.isqrt(n_features)  # 8
    return keras.Sequential([
        keras.Input((n_features,)),  # (B, 64)
        keras.layers.Reshape((side, side, 1)),  # (B, 8, 8, 1): height, width, channels
        keras.layers.Conv2D(16, 3, padding="same", activation="relu"),  # (B, 8, 8, 16)
        keras.layers.Conv2D(32, 3, padding="same", activation="relu"),  # (B, 8, 8, 32)
        keras.layers.MaxPooling2D(2),  # (B, 4, 4, 32)
        keras.layers.Flatten(),  # (B, 512)
        keras.layers.Dense(64, activation="relu"),  # (B, 64)
        keras.layers.Dropout(0.2),  # active only in training
        keras.layers.Dense(n_classes),  # (B, K): logits, no softmax
    ])


def compile_model(keras, model):
    """Adam, and the cross-entropy of integer labels against logits."""
    model.compile(
        optimizer=keras.optimizers.Adam(LR),
        # Sparse: integer labels. from_logits: the loss applies the softmax itself, stably.
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],  # Keras then reports "accuracy" in the epoch's logs
    )


def make_logger(keras, run):
    """A callback that sends Keras's end-of-epoch figures to the tracker."""

    class RunLogger(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            # These are averages over the epoch's batches, measured while the weights moved.
            run.log(loss=logs.get("loss"), train_accuracy=logs.get("accuracy"))

    return RunLogger()


def fit(train, run):
    import keras

    keras.utils.set_random_seed(run.seed)  # Python, NumPy and TensorFlow in one call
    X = np.asarray(train.X, dtype=np.float32)  # (N, 64), pixels in [0, 1]
    y = np.asarray(train.y, dtype=np.int64)  # (N,)
    run.params(model="cnn conv16-conv32-pool-dense64", epochs=EPOCHS, batch_size=BATCH,
               lr=LR, optimizer="adam", dropout=0.2)

    model = build_model(keras, X.shape[1], len(train.classes))
    compile_model(keras, model)
    logger = make_logger(keras, run)
    # One Keras epoch per tracker epoch, so the progress bar and the log rows line up.
    for _ in run.epochs(EPOCHS):
        model.fit(X, y, epochs=1, batch_size=BATCH, shuffle=True, verbose=0,
                  callbacks=[logger])
    return model


def predict(model, X):
    """Class probabilities (n, 10) as a NumPy array (rows sum to 1: the report adds a
    log-loss)."""
    logits = model.predict(np.asarray(X, dtype=np.float32), batch_size=256, verbose=0)
    logits = np.asarray(logits, dtype=np.float64)  # (n, 10)
    shifted = logits - logits.max(axis=1, keepdims=True)  # no overflow in exp
    probs = np.exp(shifted)
    return probs / probs.sum(axis=1, keepdims=True)
