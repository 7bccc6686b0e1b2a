"""Cases and misconceptions for numerical gradient checking."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, load_reference

ref = load_reference(__file__)
f = ref.quadratic


def _forward(A, b, w, eps):
    g = np.zeros_like(w, dtype=float)
    for i in range(w.size):
        wp = w.astype(float).copy()
        wp[i] += eps
        g[i] = (f(A, b, wp) - f(A, b, w)) / eps
    return g


def _one_eps(A, b, w, eps):
    g = np.zeros_like(w, dtype=float)
    for i in range(w.size):
        wp, wm = w.astype(float).copy(), w.astype(float).copy()
        wp[i] += eps
        wm[i] -= eps
        g[i] = (f(A, b, wp) - f(A, b, wm)) / eps
    return g


def _all_at_once(A, b, w, eps):
    ones = np.ones_like(w, dtype=float)
    value = (f(A, b, w + eps * ones) - f(A, b, w - eps * ones)) / (2 * eps)
    return np.full(w.shape, value)


def _not_restored(A, b, w, eps):
    w = w.astype(float).copy()
    g = np.zeros_like(w)
    for i in range(w.size):
        w[i] += eps
        plus = f(A, b, w)
        w[i] -= 2 * eps
        minus = f(A, b, w)
        g[i] = (plus - minus) / (2 * eps)
        w[i] += 2 * eps  # "restores" in the wrong direction: ends at w + eps
    return g


def _signed(analytic, numeric):
    return np.max((analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-12))


def _absolute(analytic, numeric):
    return np.max(np.abs(analytic - numeric))


def _mean_not_max(analytic, numeric):
    diff = np.abs(analytic - numeric)
    return np.mean(diff / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-12))


def _dense_forward_diff(x, W, b, dout, eps):
    g = np.zeros_like(W, dtype=float)
    base = np.sum((x @ W + b) * dout)
    for idx in np.ndindex(W.shape):
        Wp = W.copy()
        Wp[idx] += eps
        g[idx] = (np.sum((x @ Wp + b) * dout) - base) / eps
    return g


def _quad(rng, d):
    M = rng.normal(size=(d, d))
    return M + M.T, rng.normal(size=d)


def _random_cases(rng):
    A, b = _quad(rng, 4)
    return [
        Case("numerical_gradient", [A, b, rng.normal(size=4), 1e-3], name="random 4-D quadratic"),
        Case("relative_error", [rng.normal(size=5), rng.normal(size=5)], name="random vectors"),
        # W not square, so a transposed gradient has the wrong shape instead of hiding.
        Case("dense_weight_gradcheck", [rng.normal(size=(3, 2)), rng.normal(size=(2, 4)),
                                        rng.normal(size=4), rng.normal(size=(3, 4)), 1e-4],
             name="random dense layer"),
    ]


A1 = np.array([[2.0, 1.0], [1.0, 4.0]])
B1 = np.array([1.0, -1.0])

CHECKS = Checks(
    cases=[
        Case("numerical_gradient", [A1, B1, np.array([1.0, 2.0]), 1e-3], name="the README example"),
        Case("numerical_gradient", [np.diag([10.0, 0.0, 6.0]), np.zeros(3),
                                    np.array([1.0, 5.0, -1.0]), 0.1],
             name="a large eps, curvature 10"),
        # The gradient is 0.5 (A + A^T) w + b: A w + b only when A is symmetric.
        Case("numerical_gradient", [np.array([[1.0, 3.0], [-1.0, 2.0]]), np.array([0.5, 0.0]),
                                    np.array([2.0, -1.0]), 1e-4],
             name="a matrix that is not symmetric"),
        Case("relative_error", [np.array([1.0, 2.0, 0.0]), np.array([1.1, 2.0, 0.0])],
             name="the README example"),
        Case("relative_error", [np.array([-3.0, 1.0]), np.array([-1.0, 1.0])],
             name="the numeric one is larger"),
        Case("relative_error", [np.array([1e-8, 100.0]), np.array([2e-8, 100.001])],
             name="tiny and large entries"),
        Case("dense_weight_gradcheck", [np.array([[1.0, 2.0], [3.0, -1.0]]),
                                        np.array([[0.5, -1.0], [1.0, 0.0]]), np.array([0.1, 0.2]),
                                        np.array([[1.0, -2.0], [0.0, 1.0]]), 1e-4],
                name="a dense layer"),
    ],
    hidden=[
        Case("numerical_gradient", [np.eye(3) * 3.0, np.array([0.0, 1.0, 2.0]), np.ones(3), 0.05]),
        Case("relative_error", [np.zeros(3), np.array([0.0, 1e-3, 0.0])]),
        Case("dense_weight_gradcheck", [np.eye(3), np.ones((3, 2)), np.zeros(2),
                                        np.linspace(-1, 1, 6).reshape(3, 2), 1e-3]),
    ],
    random_cases=_random_cases,
    rtol=1e-6,
    atol=1e-9,
    misconceptions=[
        Misconception(
            id="gradient-check.forward-difference",
            title="a one-sided (forward) difference instead of a central one",
            explanation="(f(w + eps) - f(w)) / eps has an error proportional to eps; the central "
            "difference (f(w + eps) - f(w - eps)) / (2 eps) cancels that term and its error is "
            "proportional to eps^2, far smaller.",
            hints=[
                "Do you evaluate f at w - eps?",
                "Use both sides of the point.",
                "(f(w + eps e_i) - f(w - eps e_i)) / (2 * eps).",
            ],
            replace={"numerical_gradient": _forward,
                     "dense_weight_gradcheck": _dense_forward_diff},
        ),
        Misconception(
            id="gradient-check.divide-by-eps",
            title="dividing the central difference by eps instead of 2 eps",
            explanation="The two evaluations are 2 eps apart, so the slope is their difference "
            "over 2 eps; dividing by eps doubles every component.",
            hints=[
                "Is every component of your gradient exactly twice the analytic one?",
                "How far apart are w + eps and w - eps?",
                "Divide by 2 * eps.",
            ],
            replace={"numerical_gradient": _one_eps},
        ),
        Misconception(
            id="gradient-check.perturb-all",
            title="perturbing every coordinate at once",
            explanation="Moving all coordinates together measures the derivative along the "
            "direction (1, 1, ..., 1), one number, not the partial derivative of each "
            "coordinate.",
            hints=[
                "Are all the components of your gradient equal?",
                "Change one coordinate, keep the others.",
                "Use the unit vector e_i for coordinate i.",
            ],
            replace={"numerical_gradient": _all_at_once},
        ),
        Misconception(
            id="gradient-check.not-restored",
            title="perturbing in place and not restoring the coordinate",
            explanation="Editing w in place and leaving it shifted makes every later coordinate "
            "measured at a different point. Work on copies, or restore exactly.",
            hints=[
                "After measuring coordinate 0, is w back to its original value?",
                "Copy w for each perturbation.",
                "w_plus = w.copy(); w_plus[i] += eps.",
            ],
            replace={"numerical_gradient": _not_restored},
        ),
        Misconception(
            id="gradient-check.signed-error",
            title="a relative error without the absolute value",
            explanation="A large negative difference would look like a tiny error. Take the "
            "magnitude of the difference.",
            hints=[
                "Can your error be negative?",
                "Use |a - n|.",
                "np.abs(analytic - numeric).",
            ],
            replace={"relative_error": _signed},
        ),
        Misconception(
            id="gradient-check.absolute-error",
            title="judging gradients by their absolute difference",
            explanation="An absolute difference of 1e-3 is huge for a gradient of 1e-6 and "
            "nothing for one of 1e3. Dividing by the magnitudes makes the threshold meaningful "
            "at any scale.",
            hints=[
                "Look at the case with tiny and large entries.",
                "Normalise by |a| + |n|.",
                "|a - n| / max(|a| + |n|, 1e-12).",
            ],
            replace={"relative_error": _absolute},
        ),
        Misconception(
            id="gradient-check.mean-error",
            title="averaging the elementwise errors instead of taking the largest",
            explanation="One wrong entry among thousands is still a bug; the mean hides it. "
            "Report the worst element.",
            hints=[
                "Would one bad element out of a million change your number?",
                "A gradient check cares about the worst entry.",
                "np.max(...).",
            ],
            replace={"relative_error": _mean_not_max},
        ),
    ],
)
