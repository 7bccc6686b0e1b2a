# expect: classification-metrics.transposed-matrix|shape:transposed
# bug: rows are predictions
"""How to read a classifier's mistakes, class by class."""

import numpy as np


def confusion_matrix(y_true, y_pred, n_classes):
    """C[i, j] = number of examples of true class i predicted as class j."""
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (y_pred, y_true), 1)
    return matrix


def precision_recall_f1(y_true, y_pred, n_classes):
    """Per-class precision, recall and F1, each (n_classes,); 0 where undefined."""
    C = confusion_matrix(y_true, y_pred, n_classes)
    tp = np.diag(C).astype(float)
    predicted = C.sum(axis=0)  # how often each class was predicted
    actual = C.sum(axis=1)  # how often each class occurs
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros_like(tp), where=actual > 0)
    total = precision + recall
    f1 = np.divide(2 * precision * recall, total, out=np.zeros_like(tp), where=total > 0)
    return precision, recall, f1


def macro_f1(y_true, y_pred, n_classes):
    """The unweighted mean of the per-class F1 scores."""
    return precision_recall_f1(y_true, y_pred, n_classes)[2].mean()
