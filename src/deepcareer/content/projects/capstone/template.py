"""Your capstone: a model for your own data, held to the same checks as every project.

deepcareer calls fit(train, run) with the training split of your data and then
predict(model, X) with the held-out features; it scores the predictions itself.

train.X        your features: (n, d) numbers for a CSV, (n, H, W[, C]) in [0, 1] for images
train.y        class ids 0 .. len(train.classes) - 1
train.classes  the class names, from your target column or your image folders
train.meta     facts about the data: feature names, rows left out, image shape

Start simple and earn complexity: the report puts your model beside a majority vote,
logistic regression and gradient boosting on the same split.
"""

import numpy as np  # noqa: F401  (you will want it)


def fit(train, run):
    """Train on train.X, train.y only and return your model."""
    # 1. Decide the preprocessing (scaling, flattening images) and fit it here, on train.X.
    # 2. Build a model; record its settings with run.params(...).
    # 3. Train it: for epoch in run.epochs(n): ... run.log(loss=...)
    raise NotImplementedError("write fit: preprocess with training statistics, build and "
                              "train a model, return it")


def predict(model, X):
    """Return class ids (n,) or class scores (n, n_classes) for the rows of X."""
    # Apply the preprocessing fitted in fit, never statistics of X itself.
    raise NotImplementedError("write predict: apply fit's preprocessing and return the "
                              "model's predictions")
