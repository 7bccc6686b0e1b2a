"""lr-schedules: against torch.optim.lr_scheduler driving a real optimiser."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("lr-schedules")
REF = EX.reference


def _torch_rates(make, base, steps):
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=base)
    sched = make(opt)
    rates = []
    for _ in range(steps):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(rates)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch_schedulers(seed: int) -> None:
    sched = torch.optim.lr_scheduler
    for case in build_cases(EX, seed):
        t = np.asarray(case.args[0])
        if not np.array_equal(t, np.arange(len(t))):
            continue  # torch steps through 0, 1, 2, ...; the README case samples points
        if case.call == "step_decay":
            _, base, gamma, size = case.args
            want = _torch_rates(lambda o, g=gamma, s=size: sched.StepLR(o, s, g), base, len(t))
        elif case.call == "cosine_annealing":
            _, base, low, total = case.args
            want = _torch_rates(lambda o, m=low, n=total: sched.CosineAnnealingLR(o, n, m),
                                base, len(t))
        else:
            _, base, warmup = case.args
            want = _torch_rates(lambda o, w=warmup: sched.LinearLR(o, 1.0 / w, 1.0, w - 1),
                                base, len(t))
        np.testing.assert_allclose(getattr(REF, case.call)(*case.args), want, rtol=1e-9)
