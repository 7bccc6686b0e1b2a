"""sampling: the reference against a torch version of the Hugging Face logits warpers.

The torch side filters the way `transformers` does (top-k through torch.topk's k-th value,
top-p by sorting ASCENDING and dropping the tail whose total is at most 1 - p), a different
route to the same distribution.
"""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("sampling")
REF = EX.reference


def _torch_probs(logits: np.ndarray, temperature: float, top_k: int, top_p: float) -> np.ndarray:
    z = torch.from_numpy(logits) / temperature
    if top_k > 0:
        kth = torch.topk(z, top_k, dim=-1).values[..., -1:]
        z = z.masked_fill(z < kth, float("-inf"))
    if top_p < 1.0:
        ordered, index = torch.sort(z, dim=-1)  # ascending
        tail = ordered.softmax(dim=-1).cumsum(dim=-1) <= 1 - top_p
        z = z.masked_fill(tail.scatter(-1, index, tail), float("-inf"))
    return torch.softmax(z, dim=-1).numpy()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch(seed: int) -> None:
    calls = set()
    for case in build_cases(EX, seed):
        calls.add(case.call)
        if case.call == "greedy":
            want = torch.argmax(torch.from_numpy(case.args[0]), dim=-1).numpy()
            np.testing.assert_array_equal(REF.greedy(*case.args), want)
        elif case.call == "next_token_probs":
            np.testing.assert_allclose(REF.next_token_probs(*case.args),
                                       _torch_probs(*case.args), rtol=1e-9, atol=1e-12)
        else:
            logits, t, k, p, s = case.args
            cdf = torch.from_numpy(_torch_probs(logits, t, k, p)).cumsum(dim=-1)
            u = torch.from_numpy(np.random.default_rng(s).random(len(logits)))
            want = torch.searchsorted(cdf, u[:, None], right=True)[:, 0].numpy()
            np.testing.assert_array_equal(REF.sample(*case.args), want)
    assert calls == {"greedy", "next_token_probs", "sample"}


def test_samples_follow_the_distribution() -> None:
    """Over many seeds each token's frequency is its probability (a 5-sigma band)."""
    logits = np.array([[1.5, 0.2, -0.3, 0.9, -2.0, 0.0]] * 50)
    probs = REF.next_token_probs(logits[:1], 1.2, 5, 0.9)[0]
    draws = np.concatenate([REF.sample(logits, 1.2, 5, 0.9, s) for s in range(200)])
    freq = np.bincount(draws, minlength=6) / draws.size
    band = 5 * np.sqrt(probs * (1 - probs) / draws.size) + 1e-12
    assert np.all(np.abs(freq - probs) <= band), (freq, probs)
    assert np.all(freq[probs == 0] == 0)
