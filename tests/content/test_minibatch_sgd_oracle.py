"""minibatch-sgd: the reference against torch's DataLoader-free SGD on the same batches."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("minibatch-sgd")
REF = EX.reference


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch_sgd(seed: int) -> None:
    for case in build_cases(EX, seed):
        if case.call == "minibatches":
            perm, size = case.args
            batches = REF.minibatches(perm, size)
            np.testing.assert_array_equal(np.concatenate(batches), perm)
            assert [len(x) for x in batches] == [len(t) for t in torch.split(
                torch.from_numpy(np.asarray(perm)), size)]
            continue
        X, y, w, b, lr, size, perm = case.args
        tw = torch.nn.Parameter(torch.from_numpy(w.astype(float).copy()))
        tb = torch.nn.Parameter(torch.tensor(float(b), dtype=torch.float64))
        opt = torch.optim.SGD([tw, tb], lr=lr)
        for idx in torch.split(torch.from_numpy(np.asarray(perm)), size):
            opt.zero_grad()
            pred = torch.from_numpy(X)[idx] @ tw + tb
            torch.mean((pred - torch.from_numpy(y)[idx]) ** 2).backward()
            opt.step()
        ours = REF.sgd_epoch(X, y, w, b, lr, size, perm)
        np.testing.assert_allclose(ours[0], tw.detach().numpy(), rtol=1e-12, atol=1e-14)
        assert ours[1] == pytest.approx(tb.item(), rel=1e-12, abs=1e-14)
