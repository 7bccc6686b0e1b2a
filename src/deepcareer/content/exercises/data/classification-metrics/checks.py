"""Cases and misconceptions for classification metrics."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, load_reference

ref = load_reference(__file__)


def _transposed(y_true, y_pred, n_classes):
    return ref.confusion_matrix(y_true, y_pred, n_classes).T


def _buffered_counts(y_true, y_pred, n_classes):
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    matrix[y_true, y_pred] += 1  # repeated pairs counted once
    return matrix


def _swapped_pr(y_true, y_pred, n_classes):
    p, r, f1 = ref.precision_recall_f1(y_true, y_pred, n_classes)
    return r, p, f1


def _arithmetic_mean_f1(y_true, y_pred, n_classes):
    p, r, _ = ref.precision_recall_f1(y_true, y_pred, n_classes)
    return p, r, (p + r) / 2


def _nan_for_unpredicted(y_true, y_pred, n_classes):
    C = ref.confusion_matrix(y_true, y_pred, n_classes)
    tp = np.diag(C).astype(float)
    with np.errstate(all="ignore"):
        p = tp / C.sum(axis=0)
        r = tp / C.sum(axis=1)
        f1 = 2 * p * r / (p + r)
    return p, r, f1


def _accuracy_as_macro(y_true, y_pred, n_classes):
    return np.mean(y_true == y_pred)


def _weighted_f1(y_true, y_pred, n_classes):
    f1 = ref.precision_recall_f1(y_true, y_pred, n_classes)[2]
    support = np.bincount(y_true, minlength=n_classes)
    return np.sum(f1 * support) / support.sum()


def _random_cases(rng):
    y = rng.integers(0, 4, size=30)
    noisy = np.where(rng.random(30) < 0.7, y, rng.integers(0, 4, size=30))
    return [Case(name, [y, noisy, 4], name="random labels, 4 classes")
            for name in ("confusion_matrix", "precision_recall_f1", "macro_f1")]


YT = np.array([0, 0, 1, 1, 1, 2], dtype=np.int64)
YP = np.array([0, 1, 1, 1, 0, 1], dtype=np.int64)
IMB_T = np.array([0] * 9 + [1], dtype=np.int64)
IMB_P = np.zeros(10, dtype=np.int64)

def _f1_of_macro_means(y_true, y_pred, n_classes):
    p, r, _ = ref.precision_recall_f1(y_true, y_pred, n_classes)
    pm, rm = p.mean(), r.mean()
    return 2 * pm * rm / (pm + rm) if pm + rm > 0 else 0.0


CHECKS = Checks(
    cases=[
        Case("confusion_matrix", [YT, YP, 3], name="the README example"),
        Case("precision_recall_f1", [YT, YP, 3], name="the README example"),
        Case("macro_f1", [YT, YP, 3], name="the README example"),
        Case("precision_recall_f1", [IMB_T, IMB_P, 2], name="a class that is never predicted"),
        Case("macro_f1", [IMB_T, IMB_P, 2], name="90 % accuracy, useless model"),
    ],
    hidden=[
        Case("confusion_matrix", [np.array([2, 2, 0, 1], dtype=np.int64),
                                  np.array([2, 0, 0, 2], dtype=np.int64), 3]),
        Case("precision_recall_f1", [np.array([0, 1, 2, 2, 1], dtype=np.int64),
                                     np.array([0, 2, 2, 1, 1], dtype=np.int64), 3]),
        Case("macro_f1", [np.array([1, 1, 1, 0], dtype=np.int64),
                          np.array([1, 1, 0, 0], dtype=np.int64), 2]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="classification-metrics.f1-of-macro-means",
            title="macro F1 as the F1 of the averaged precision and recall",
            explanation="Macro F1 averages the per-class F1 scores. Taking the harmonic mean "
            "of the macro precision and the macro recall gives another number, usually larger, "
            "because one class's poor precision can be offset by another's good recall.",
            hints=["Do you compute one F1 per class first?",
                   "Average the F1 column, not the precision and recall columns.",
                   "precision_recall_f1(...)[2].mean()."],
            replace={"macro_f1": _f1_of_macro_means},
        ),
        Misconception(
            id="classification-metrics.transposed-matrix",
            title="rows as predictions and columns as true classes",
            explanation="By convention (scikit-learn's too) rows are the true classes and columns "
            "the predictions, so row sums count how often each class occurs.",
            hints=["What does row 0 of your matrix count?", "Rows: truth. Columns: prediction.",
                   "C[true, predicted] += 1."],
            replace={"confusion_matrix": _transposed},
        ),
        Misconception(
            id="classification-metrics.buffered-counts",
            title="C[y_true, y_pred] += 1, which counts repeated pairs once",
            explanation="Fancy-index += is buffered: the same (true, predicted) pair appearing "
            "twice is added once. np.add.at counts every occurrence.",
            hints=["How many (1, 1) pairs does the README example have, and what does your "
                   "matrix say?", "Repeated indices collide.",
                   "np.add.at(C, (y_true, y_pred), 1)."],
            replace={"confusion_matrix": _buffered_counts},
        ),
        Misconception(
            id="classification-metrics.precision-recall-swapped",
            title="precision and recall swapped",
            explanation="Precision divides by how often the class was PREDICTED (column sum); "
            "recall by how often it really occurs (row sum).",
            hints=["Of everything you called class c, how much was c? Which sum is that?",
                   "Column sums for precision, row sums for recall.",
                   "precision = tp / C.sum(axis=0)."],
            replace={"precision_recall_f1": _swapped_pr},
        ),
        Misconception(
            id="classification-metrics.arithmetic-mean-f1",
            title="F1 as the arithmetic mean of precision and recall",
            explanation="F1 is the HARMONIC mean, 2 p r / (p + r), which is low whenever either is "
            "low: a model cannot buy F1 with recall alone.",
            hints=["What is F1 when precision is 1 and recall is 0?", "Harmonic mean.",
                   "2 * p * r / (p + r)."],
            replace={"precision_recall_f1": _arithmetic_mean_f1},
        ),
        Misconception(
            id="classification-metrics.nan-for-unpredicted",
            title="NaN for a class that is never predicted",
            explanation="0 / 0 is undefined; the convention (scikit-learn's zero_division=0) is to "
            "report 0, which is also what the class deserves.",
            hints=["Look at the never-predicted case.", "Guard the divisions.",
                   "np.divide(..., where=denominator > 0, out=zeros)."],
            replace={"precision_recall_f1": _nan_for_unpredicted},
        ),
        Misconception(
            id="classification-metrics.accuracy-as-macro-f1",
            title="reporting accuracy where macro F1 is asked for",
            explanation="With 9 examples of class 0 and 1 of class 1, always predicting 0 scores "
            "90 % accuracy but a macro F1 of 0.47: macro averaging gives the rare class a voice.",
            hints=["Look at the 90 %-accuracy case.", "Average the per-class F1 scores.",
                   "precision_recall_f1(...)[2].mean()."],
            replace={"macro_f1": _accuracy_as_macro},
        ),
        Misconception(
            id="classification-metrics.support-weighted",
            title="weighting the per-class F1 by class frequency",
            explanation="That is the 'weighted' average. Macro F1 weights every class equally, "
            "which is the point when classes are imbalanced.",
            hints=["Does a rare class count as much as a common one in your average?",
                   "Unweighted mean.", "f1.mean()."],
            replace={"macro_f1": _weighted_f1},
        ),
    ],
)
