"""Incremental decoding with a key-value cache, for one multi-head causal attention layer."""

import numpy as np


def split_heads(x, n_heads):
    """(B, T, D) -> (B, H, T, D // H), as in the multi-head attention exercise (given)."""
    b, t, d = x.shape
    return x.reshape(b, t, n_heads, d // n_heads).transpose(0, 2, 1, 3)


def merge_heads(x):
    """(B, H, T, Dh) -> (B, T, H * Dh), the inverse of split_heads (given)."""
    b, h, t, dh = x.shape
    return x.transpose(0, 2, 1, 3).reshape(b, t, h * dh)


def decode_step(x_t, k_cache, v_cache, Wq, Wk, Wv, Wo, n_heads):
    """One new token per sequence. x_t: (B, 1, D); caches: (B, H, t, Dh), t >= 0 earlier tokens.

    Returns (out (B, 1, D), k_cache (B, H, t + 1, Dh), v_cache (B, H, t + 1, Dh)): the
    layer's output for the new token and the caches with its key and value appended.
    The caches passed in are left unchanged.
    """
    # BEGIN SOLUTION: project the new token, append to the caches, attend with one query row
    q = split_heads(x_t @ Wq, n_heads)  # (B, H, 1, Dh)
    K = np.concatenate([k_cache, split_heads(x_t @ Wk, n_heads)], axis=2)  # (B, H, t+1, Dh)
    V = np.concatenate([v_cache, split_heads(x_t @ Wv, n_heads)], axis=2)
    scores = q @ K.transpose(0, 1, 3, 2) / np.sqrt(q.shape[-1])  # (B, H, 1, t+1)
    scores = scores - scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights = weights / weights.sum(axis=-1, keepdims=True)
    return merge_heads(weights @ V) @ Wo, K, V
    # END SOLUTION


def decode_incremental(x, Wq, Wk, Wv, Wo, n_heads):
    """x: (B, T, D). Feed the tokens one at a time through decode_step, starting from empty
    caches (B, H, 0, Dh); return the (B, T, D) outputs, which must equal the full causal layer's.
    """
    # BEGIN SOLUTION: empty caches, then one step per position, outputs stacked in time
    b, t, d = x.shape
    k_cache = np.zeros((b, n_heads, 0, d // n_heads))
    v_cache = np.zeros((b, n_heads, 0, d // n_heads))
    outs = []
    for i in range(t):
        out, k_cache, v_cache = decode_step(x[:, i:i + 1], k_cache, v_cache,
                                            Wq, Wk, Wv, Wo, n_heads)
        outs.append(out)
    return np.concatenate(outs, axis=1)
    # END SOLUTION


def cache_bytes(n_layers, n_heads, head_dim, seq_len, batch, bytes_per_value):
    """Memory of a full cache: keys and values of every layer, head and position."""
    # BEGIN SOLUTION: two tensors (K and V) of batch x heads x positions x head_dim per layer
    return 2 * n_layers * batch * n_heads * seq_len * head_dim * bytes_per_value
    # END SOLUTION
