"""Cases and misconceptions for learning-rate schedules."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception


def _decay_every_step(t, base, gamma, step_size):
    return base * gamma ** (t / step_size)


def _decay_off_by_one(t, base, gamma, step_size):
    return base * gamma ** ((t + 1) // step_size)


def _cosine_full_wave(t, base, minimum, total):
    return minimum + (base - minimum) * (1.0 + np.cos(2 * np.pi * t / total)) / 2.0


def _cosine_no_min(t, base, minimum, total):
    return base * (1.0 + np.cos(np.pi * t / total)) / 2.0


def _warmup_from_zero(t, base, warmup):
    return base * np.minimum(1.0, t / warmup)


def _warmup_uncapped(t, base, warmup):
    return base * (t + 1) / warmup


def _random_cases(rng):
    t = np.arange(int(rng.integers(20, 40)))
    return [
        Case("step_decay", [t, float(rng.uniform(0.01, 1)), 0.5, int(rng.integers(3, 8))],
             name="random schedule"),
        Case("cosine_annealing", [t, float(rng.uniform(0.1, 1)), 0.001, len(t) - 1],
             name="random schedule"),
        Case("linear_warmup", [t, float(rng.uniform(0.1, 1)), int(rng.integers(2, 10))],
             name="random schedule"),
    ]


T = np.arange(10)

def _cosine_floor_added(t, base, minimum, total):
    return minimum + base * (1.0 + np.cos(np.pi * t / total)) / 2.0


CHECKS = Checks(
    cases=[
        Case("step_decay", [T, 0.1, 0.5, 3], name="the README example"),
        Case("cosine_annealing", [np.array([0, 5, 10]), 1.0, 0.0, 10], name="the README example"),
        Case("cosine_annealing", [T, 0.5, 0.05, 9], name="with a floor"),
        Case("linear_warmup", [T, 0.2, 4], name="the README example"),
    ],
    hidden=[
        Case("step_decay", [np.arange(30), 1.0, 0.1, 10]),
        Case("cosine_annealing", [np.arange(5), 0.2, 0.02, 4]),
        Case("linear_warmup", [np.arange(6), 1.0, 1]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="lr-schedules.cosine-floor-added",
            title="adding the minimum without taking it off the range",
            explanation="The cosine moves the rate from base down to minimum, a range of "
            "base - minimum. Adding minimum to a curve that still spans base starts above base.",
            hints=["What is your rate at step 0 when minimum > 0?",
                   "Scale the cosine by base - minimum, then add minimum.",
                   "minimum + (base - minimum) * (1 + cos(pi t / T)) / 2."],
            replace={"cosine_annealing": _cosine_floor_added},
        ),
        Misconception(
            id="lr-schedules.continuous-decay",
            title="decaying a little every step instead of in blocks",
            explanation="Step decay holds the rate constant for step_size steps and then drops "
            "it: gamma to the power of the number of COMPLETED blocks, an integer.",
            hints=["Is your rate the same at t = 0, 1 and 2 with step_size 3?",
                   "Use integer division.", "gamma ** (t // step_size)."],
            replace={"step_decay": _decay_every_step},
        ),
        Misconception(
            id="lr-schedules.decay-off-by-one",
            title="dropping the rate one step too early",
            explanation="Steps count from 0: the first drop happens at t = step_size.",
            hints=["At which t does your first drop happen?", "t counts from 0.",
                   "t // step_size."],
            replace={"step_decay": _decay_off_by_one},
        ),
        Misconception(
            id="lr-schedules.cosine-full-wave",
            title="a full cosine wave, which climbs back up",
            explanation="Annealing uses half a period: the rate falls monotonically from base to "
            "the minimum. A full period returns to base at the end.",
            hints=["What is your rate at t = total?", "The angle goes from 0 to pi.",
                   "cos(pi * t / total)."],
            replace={"cosine_annealing": _cosine_full_wave},
        ),
        Misconception(
            id="lr-schedules.cosine-ignores-min",
            title="annealing to zero instead of to the minimum",
            explanation="The curve is rescaled into [minimum, base].",
            hints=["What is your rate at the last step when minimum > 0?",
                   "minimum + (base - minimum) * ...", "Add the floor back."],
            replace={"cosine_annealing": _cosine_no_min},
        ),
        Misconception(
            id="lr-schedules.warmup-starts-at-zero",
            title="a warm-up whose first step has learning rate 0",
            explanation="A step with learning rate 0 does nothing; the first step uses "
            "base / warmup and step warmup - 1 reaches base.",
            hints=["What is your rate at t = 0?", "Use t + 1.", "(t + 1) / warmup."],
            replace={"linear_warmup": _warmup_from_zero},
        ),
        Misconception(
            id="lr-schedules.warmup-uncapped",
            title="a warm-up that keeps rising after the warm-up period",
            explanation="After warm-up the rate stays at base: cap the factor at 1.",
            hints=["What is your rate at t = 2 * warmup?", "Cap it.",
                   "np.minimum(1, (t + 1) / warmup)."],
            replace={"linear_warmup": _warmup_uncapped},
        ),
    ],
)
