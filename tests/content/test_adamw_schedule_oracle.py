"""adamw-schedule: the reference against torch.optim.AdamW, torch.optim.Adam(weight_decay)
and torch's LinearLR -> CosineAnnealingLR chain."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("adamw-schedule")
REF = EX.reference


def _torch_step(kind, w, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    """torch's optimizer one step from the state (m, v, t - 1), as it stores them."""
    p = torch.nn.Parameter(torch.from_numpy(w.copy()))
    cls = torch.optim.AdamW if kind == "adamw_step" else torch.optim.Adam
    opt = cls([p], lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay)
    p.grad = torch.from_numpy(grad.copy())
    opt.state[p] = {"step": torch.tensor(float(t - 1)), "exp_avg": torch.from_numpy(m.copy()),
                    "exp_avg_sq": torch.from_numpy(v.copy())}
    opt.step()
    state = opt.state[p]
    return p.detach().numpy(), state["exp_avg"].numpy(), state["exp_avg_sq"].numpy()


def _torch_schedule(t, base, minimum, warmup, total):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base)
    ramp = torch.optim.lr_scheduler.LinearLR(opt, start_factor=1e-12, end_factor=1.0,
                                             total_iters=warmup)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total - warmup,
                                                        eta_min=minimum)
    sched = torch.optim.lr_scheduler.SequentialLR(opt, [ramp, cosine], milestones=[warmup])
    rates = []
    for _ in range(int(np.max(t)) + 1):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    rates_arr = np.array(rates)
    # torch's cosine keeps turning after T_max; the schedule here holds the minimum instead
    return np.where(t > total, minimum, rates_arr[np.minimum(t, total)])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch(seed: int) -> None:
    calls = set()
    for case in build_cases(EX, seed):
        calls.add(case.call)
        if case.call == "warmup_cosine":
            base = case.args[1]
            np.testing.assert_allclose(REF.warmup_cosine(*case.args), _torch_schedule(*case.args),
                                       rtol=1e-9, atol=1e-11 * base)
        else:
            got = getattr(REF, case.call)(*case.args)
            for a, b in zip(got, _torch_step(case.call, *case.args), strict=True):
                np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)
    assert calls == {"adamw_step", "adam_l2_step", "warmup_cosine"}


def test_adamw_decay_is_the_same_fraction_for_every_weight() -> None:
    w = np.array([10.0, 0.1, -3.0])
    z = np.zeros(3)
    new_w, _, _ = REF.adamw_step(w, z, z, z, 1, 0.01, 0.9, 0.999, 1e-8, 0.1)
    np.testing.assert_allclose(new_w / w, 1 - 0.01 * 0.1)
    l2_w, _, _ = REF.adam_l2_step(w, z, z, z, 1, 0.01, 0.9, 0.999, 1e-8, 0.1)
    np.testing.assert_allclose(w - l2_w, 0.01 * np.sign(w), rtol=1e-6)
