"""A Keras MLP on the 8 x 8 digits."""

import keras
import numpy as np


def keras_logits(X, W1, b1, W2, b2):
    """Logits of relu(X W1 + b1) W2 + b2, computed by a Keras Sequential model holding the
    given weights. Returns an (N, K) array."""
    # BEGIN SOLUTION: two Dense layers, float64, weights set by hand
    model = keras.Sequential([
        keras.Input((W1.shape[0],), dtype="float64"),
        keras.layers.Dense(W1.shape[1], activation="relu", dtype="float64"),
        keras.layers.Dense(W2.shape[1], dtype="float64"),  # no activation: logits
    ])
    model.layers[0].set_weights([W1, b1])  # Keras kernels are (inputs, units)
    model.layers[1].set_weights([W2, b2])
    return model(X)
    # END SOLUTION


def keras_loss(y, logits):
    """Mean cross-entropy of integer labels y (N,) against logits (N, K), with a Keras loss."""
    # BEGIN SOLUTION: the sparse loss, told that it receives logits
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    return loss(y, logits)
    # END SOLUTION


def train_and_predict(X_train, y_train, X_test, seed):
    """Train a Keras MLP on the training digits and return predicted labels for X_test."""
    # BEGIN SOLUTION: compile, fit, predict, argmax
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((X_train.shape[1],)),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10),
    ])
    model.compile(optimizer=keras.optimizers.Adam(3e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(X_train, y_train, epochs=30, batch_size=64, verbose=0)
    return np.argmax(model.predict(X_test, verbose=0), axis=1)
    # END SOLUTION
