"""Cases and misconceptions for early stopping."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, load_reference

ref = load_reference(__file__)


def _keeps_last(val_losses, patience):
    _, stop = ref.early_stopping(val_losses, patience)
    return stop, stop


def _ties_improve(val_losses, patience):
    best, best_epoch, wait = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss <= best:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait == patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses) - 1


def _off_by_one(val_losses, patience):
    best, best_epoch, wait = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait > patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses) - 1


def _no_reset(val_losses, patience):
    best, best_epoch, wait = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, best_epoch = loss, epoch
        else:
            wait += 1
            if wait == patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses) - 1


def _peeks_ahead(val_losses, patience):
    _, stop = ref.early_stopping(val_losses, patience)
    return int(np.argmin(val_losses)), stop


def _random_cases(rng):
    def curve(n):
        # A noisy U-shaped validation curve: falls, then rises as the model overfits.
        epochs = np.arange(n)
        return 1.0 / (1 + epochs) + 0.004 * epochs + rng.normal(0, 0.01, size=n)

    return [
        Case("early_stopping", [curve(30), 3], name="random noisy curve, patience 3"),
        Case("early_stopping", [curve(40), 5], name="random noisy curve, patience 5"),
        Case("early_stopping", [rng.random(12), 2], name="random losses, patience 2"),
    ]


CHECKS = Checks(
    cases=[
        Case("early_stopping", [np.array([1.0, 0.8, 0.7, 0.72, 0.75, 0.71, 0.9]), 3],
             name="the README example"),
        Case("early_stopping", [np.array([1.0, 0.9, 0.8, 0.7]), 2], name="always improving"),
        Case("early_stopping", [np.array([0.5, 0.5, 0.5, 0.5, 0.5]), 2], name="a flat curve"),
        Case("early_stopping", [np.array([0.9, 0.6, 0.7, 0.65, 0.62, 0.61, 0.4]), 2],
             name="a late improvement after the stop"),
        Case("early_stopping", [np.array([1.0, 0.5, 0.6, 0.5, 0.7, 0.8]), 2],
             name="a tie with the best"),
        Case("early_stopping", [np.array([3.0, 2.0, 2.5, 1.0, 1.5, 1.6, 1.7]), 1],
             name="patience 1"),
    ],
    hidden=[
        Case("early_stopping", [np.array([2.0, 1.9, 1.95, 1.8, 1.85, 1.86, 1.87, 1.88]), 3]),
        Case("early_stopping", [np.array([1.0]), 4]),
        Case("early_stopping", [np.array([0.3, 0.4, 0.2, 0.25, 0.21, 0.2, 0.19, 0.3]), 2]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="early-stopping.keeps-last",
            title="keeping the weights of the epoch where training stopped",
            explanation="By the time patience runs out, the model has had `patience` epochs "
            "without improvement: the weights to keep are the best epoch's (checkpointed then), "
            "not the last ones.",
            hints=[
                "Which epoch had the lowest validation loss in the README example?",
                "Early stopping restores a checkpoint.",
                "Return the best epoch and the stop epoch separately.",
            ],
            replace={"early_stopping": _keeps_last},
        ),
        Misconception(
            id="early-stopping.ties-improve",
            title="counting an equal loss as an improvement",
            explanation="A loss equal to the best is no progress; treating it as one resets the "
            "clock, so a plateau never stops training.",
            hints=[
                "Look at the flat curve: when should it stop?",
                "Improvement means strictly lower.",
                "Use loss < best.",
            ],
            replace={"early_stopping": _ties_improve},
        ),
        Misconception(
            id="early-stopping.off-by-one",
            title="waiting one epoch more than the patience",
            explanation="With patience p, training stops at the p-th epoch without improvement, "
            "not the (p + 1)-th.",
            hints=[
                "With patience 1, how many bad epochs are tolerated before stopping?",
                "Compare the counter with patience using ==, after incrementing it.",
                "wait += 1; if wait == patience: stop.",
            ],
            replace={"early_stopping": _off_by_one},
        ),
        Misconception(
            id="early-stopping.no-reset",
            title="not resetting the counter after an improvement",
            explanation="Patience counts consecutive epochs without improvement; a new best "
            "starts the count again.",
            hints=[
                "What happens to your counter when the loss improves?",
                "The epochs since the last best are what matter.",
                "Set wait = 0 when you record a new best.",
            ],
            replace={"early_stopping": _no_reset},
        ),
        Misconception(
            id="early-stopping.peeks-ahead",
            title="choosing the best epoch over ALL epochs, including after the stop",
            explanation="When training stops, the later epochs never happen. Picking the minimum "
            "of the whole curve uses information from the future.",
            hints=[
                "Look at the case with a late improvement after the stop.",
                "Only the epochs up to the stop were trained.",
                "Track the best while walking the epochs, and stop walking at the stop.",
            ],
            replace={"early_stopping": _peeks_ahead},
        ),
    ],
)
