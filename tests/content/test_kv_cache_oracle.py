"""kv-cache: cached decoding against torch.nn.MultiheadAttention run on the whole prefix."""

import numpy as np
import pytest
import torch

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("kv-cache")
REF = EX.reference


def _torch_layer(Wq, Wk, Wv, Wo, n_heads):
    d = Wq.shape[0]
    mha = torch.nn.MultiheadAttention(d, n_heads, bias=False, batch_first=True).double()
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.from_numpy(np.concatenate([Wq.T, Wk.T, Wv.T])))
        mha.out_proj.weight.copy_(torch.from_numpy(Wo.T))
    return mha


def _full_causal(x, Wq, Wk, Wv, Wo, n_heads):
    t = x.shape[1]
    blocked = torch.triu(torch.ones(t, t, dtype=torch.bool), 1)
    xt = torch.from_numpy(x)
    with torch.no_grad():
        out, _ = _torch_layer(Wq, Wk, Wv, Wo, n_heads)(xt, xt, xt, attn_mask=blocked)
    return out.numpy()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_torch(seed: int) -> None:
    calls = set()
    for case in build_cases(EX, seed):
        calls.add(case.call)
        if case.call == "decode_incremental":
            np.testing.assert_allclose(REF.decode_incremental(*case.args),
                                       _full_causal(*case.args), rtol=1e-9, atol=1e-12)
        elif case.call == "decode_step":
            x_t, k_cache, v_cache, Wq, Wk, Wv, Wo, h = case.args
            out, K, V = REF.decode_step(*case.args)
            keys = np.concatenate([k_cache, REF.split_heads(x_t @ Wk, h)], axis=2)
            values = np.concatenate([v_cache, REF.split_heads(x_t @ Wv, h)], axis=2)
            np.testing.assert_allclose(K, keys, rtol=1e-12)
            np.testing.assert_allclose(V, values, rtol=1e-12)
            # torch's layer projects token vectors; give it identity key and value projections
            # and the cached keys and values as the "tokens".
            eye = np.eye(Wq.shape[0])
            with torch.no_grad():
                want, _ = _torch_layer(Wq, eye, eye, Wo, h)(
                    torch.from_numpy(x_t), torch.from_numpy(REF.merge_heads(keys)),
                    torch.from_numpy(REF.merge_heads(values)))
            np.testing.assert_allclose(out, want.numpy(), rtol=1e-9, atol=1e-12)
            assert K.shape[2] == V.shape[2] == k_cache.shape[2] + 1
            np.testing.assert_array_equal(K[:, :, :-1], k_cache)
            np.testing.assert_array_equal(V[:, :, :-1], v_cache)
        else:
            layers, heads, head_dim, seq, batch, nbytes = case.args
            dtype = {2: torch.float16, 4: torch.float32, 8: torch.float64}[nbytes]
            cache = [torch.empty(batch, heads, seq, head_dim, dtype=dtype)
                     for _ in range(2 * layers)]
            assert REF.cache_bytes(*case.args) == sum(c.nbytes for c in cache)
    assert calls == {"decode_step", "decode_incremental", "cache_bytes"}


def test_the_step_matches_the_last_row_of_the_full_layer() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 6, 8))
    W = [rng.normal(size=(8, 8)) / 3 for _ in range(4)]
    kc = REF.split_heads(x[:, :5] @ W[1], 4)
    vc = REF.split_heads(x[:, :5] @ W[2], 4)
    out, _, _ = REF.decode_step(x[:, 5:], kc, vc, *W, 4)
    np.testing.assert_allclose(out[:, 0], _full_causal(x, *W, 4)[:, 5], rtol=1e-9, atol=1e-12)
