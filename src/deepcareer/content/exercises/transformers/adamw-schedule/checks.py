"""Cases and misconceptions for AdamW, Adam with L2, and warm-up plus cosine."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, load_reference

ref = load_reference(__file__)


def _decay_without_lr(w, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    new_w, m, v = ref.adamw_step(w, grad, m, v, t, lr, beta1, beta2, eps, 0.0)
    return new_w - weight_decay * w, m, v


def _decay_after_moments_in_l2(w, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return ref.adamw_step(w, grad, m, v, t, lr, beta1, beta2, eps, weight_decay)


def _l2_in_adamw(w, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return ref.adam_l2_step(w, grad, m, v, t, lr, beta1, beta2, eps, weight_decay)


def _warmup_plus_one(t, base, minimum, warmup, total):
    lr = ref.warmup_cosine(t, base, minimum, warmup, total)
    t = np.asarray(t, dtype=float)
    return np.where(t < warmup, base * np.minimum(1.0, (t + 1) / warmup), lr)


def _cosine_from_zero(t, base, minimum, warmup, total):
    t = np.asarray(t, dtype=float)
    cosine = minimum + (base - minimum) * (1.0 + np.cos(np.pi * np.clip(t / total, 0, 1))) / 2
    return np.where(t < warmup, base * t / warmup, cosine)


def _random_cases(rng):
    shape = (3, 4)
    w, g = rng.normal(size=shape), rng.normal(size=shape)
    m, v = rng.normal(0, 0.1, size=shape), rng.uniform(0.01, 0.5, size=shape)
    t = int(rng.integers(2, 50))
    warmup = int(rng.integers(3, 20))
    total = warmup + int(rng.integers(10, 100))
    args = [w, g, m, v, t, 1e-2, 0.9, 0.999, 1e-8, float(rng.uniform(0.01, 0.3))]
    return [
        Case("adamw_step", args, name=f"random (3, 4) at step {t}"),
        Case("adam_l2_step", args, name=f"random (3, 4) at step {t}"),
        Case("warmup_cosine", [np.arange(total + 5), float(rng.uniform(1e-4, 1e-2)),
                               float(rng.uniform(0, 1e-5)), warmup, total],
             name=f"warm-up {warmup}, total {total}"),
    ]


W = np.array([1.0, -2.0])
G = np.array([0.5, 0.5])
Z = np.zeros(2)
M = np.array([0.05, -0.1])
V = np.array([0.01, 0.02])
BIG = np.array([3.0, -4.0, 0.5])

CHECKS = Checks(
    cases=[
        Case("adamw_step", [W, G, Z, Z, 1, 0.1, 0.9, 0.999, 1e-8, 0.1], name="the README example"),
        Case("adam_l2_step", [W, G, Z, Z, 1, 0.1, 0.9, 0.999, 1e-8, 0.1],
             name="the README example"),
        Case("adamw_step", [W, G, M, V, 5, 0.01, 0.9, 0.999, 1e-8, 0.05], name="step 5"),
        Case("adam_l2_step", [W, G, M, V, 5, 0.01, 0.9, 0.999, 1e-8, 0.05], name="step 5"),
        Case("adamw_step", [BIG, np.zeros(3), np.zeros(3), np.zeros(3), 1, 0.01, 0.9, 0.999,
                            1e-8, 0.1], name="a zero gradient: only the decay moves w"),
        Case("adam_l2_step", [BIG, np.zeros(3), np.zeros(3), np.zeros(3), 1, 0.01, 0.9, 0.999,
                              1e-8, 0.1], name="a zero gradient: the penalty's gradient moves w"),
        Case("adamw_step", [W, np.array([1e-4, -1e-3]), Z, Z, 1, 0.1, 0.9, 0.999, 1e-3, 0.1],
             name="gradients near eps"),
        Case("adam_l2_step", [W, np.array([1e-4, -1e-3]), Z, Z, 1, 0.1, 0.9, 0.999, 1e-3, 1e-4],
             name="gradients near eps"),
        Case("warmup_cosine", [np.arange(8), 1.0, 0.1, 2, 6], name="the README example"),
        Case("warmup_cosine", [np.array([0, 99, 100, 101, 550, 1000, 1200]), 3e-4, 3e-5,
                               100, 1000], name="around the ends of warm-up and decay"),
    ],
    hidden=[
        Case("adamw_step", [np.ones((2, 2)), np.full((2, 2), -0.3), np.full((2, 2), 0.1),
                            np.full((2, 2), 0.2), 2, 0.05, 0.8, 0.99, 1e-6, 0.5]),
        Case("adam_l2_step", [np.ones((2, 2)), np.full((2, 2), -0.3), np.full((2, 2), 0.1),
                              np.full((2, 2), 0.2), 2, 0.05, 0.8, 0.99, 1e-6, 0.5]),
        Case("warmup_cosine", [np.arange(0, 30, 3), 0.5, 0.0, 4, 25]),
    ],
    random_cases=_random_cases,
    rtol=1e-7,
    atol=1e-12,
    misconceptions=[
        Misconception(
            id="adamw-schedule.l2-inside-adamw",
            title="AdamW written as Adam with the decay added to the gradient",
            explanation="Added to the gradient, the decay passes through the moments and is "
            "divided by sqrt(v_hat): weights with large gradients are hardly decayed at all. "
            "AdamW keeps the decay out of m and v and subtracts lr * wd * w from the weights "
            "directly, the same pull for every weight.",
            hints=["Does weight_decay appear in your m or v update?",
                   "In AdamW the moments see only the loss gradient.",
                   "w - lr * (m_hat / (sqrt(v_hat) + eps) + weight_decay * w)."],
            replace={"adamw_step": _l2_in_adamw},
            reteach="L2 regularisation and weight decay are the same thing for plain SGD and "
            "different for adaptive methods: Adam rescales a penalty's gradient like any other.",
        ),
        Misconception(
            id="adamw-schedule.decoupled-in-l2",
            title="Adam with L2 written with the decay outside the moments",
            explanation="An L2 penalty (wd / 2) ||w||^2 is part of the loss, so its gradient "
            "wd * w is part of the gradient Adam sees: it enters m and v. Subtracting it from "
            "the weights afterwards is AdamW, a different optimizer.",
            hints=["Which gradient does Adam see when the loss has a penalty term?",
                   "The loss gradient PLUS wd * w, before the moments.",
                   "g = grad + weight_decay * w; then Adam with g."],
            replace={"adam_l2_step": _decay_after_moments_in_l2},
        ),
        Misconception(
            id="adamw-schedule.decay-without-lr",
            title="decoupled decay not multiplied by the learning rate",
            explanation="In AdamW (as in PyTorch) the decay term is part of the step and is "
            "scaled by lr: w loses lr * wd * w per step. Without lr, a wd of 0.1 removes a "
            "tenth of every weight each step and the schedule no longer controls the decay.",
            hints=["With a zero gradient, how much should one step shrink w?",
                   "By the factor (1 - lr * wd).",
                   "w - lr * (... + weight_decay * w)."],
            replace={"adamw_step": _decay_without_lr},
        ),
        Misconception(
            id="adamw-schedule.warmup-from-one-step",
            title="a warm-up that starts at base / warmup instead of at 0",
            explanation="The ramp here is base * t / warmup: step 0 trains with learning rate 0 "
            "and step `warmup` reaches base, where the cosine takes over. (t + 1) / warmup "
            "reaches base one step early and starts above 0.",
            hints=["What is your learning rate at t = 0?",
                   "The ramp starts at 0 and reaches base exactly at t = warmup.",
                   "base * t / warmup for t < warmup."],
            replace={"warmup_cosine": _warmup_plus_one},
        ),
        Misconception(
            id="adamw-schedule.cosine-from-zero",
            title="cosine progress measured from step 0 instead of from the end of the warm-up",
            explanation="The cosine must start at base exactly when the warm-up ends. Measured "
            "from 0 it has already decayed by then, so the learning rate jumps down at t = "
            "warmup and the full base rate is never used.",
            hints=["Is your schedule continuous at t = warmup?",
                   "At t = warmup the cosine's progress is 0; at t = total it is 1.",
                   "progress = (t - warmup) / (total - warmup), clipped to [0, 1]."],
            replace={"warmup_cosine": _cosine_from_zero},
        ),
    ],
)
