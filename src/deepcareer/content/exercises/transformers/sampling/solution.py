"""Decoding: turning a language model's next-token logits into a token."""

import numpy as np


def greedy(logits):
    """logits: (B, V). The most likely token of every row, (B,) integers (ties: lowest index)."""
    # BEGIN SOLUTION: the index of the largest logit of each row
    return np.argmax(logits, axis=-1)
    # END SOLUTION


def next_token_probs(logits, temperature, top_k, top_p):
    """logits: (B, V); temperature > 0; top_k: keep the k most likely (0 = all);
    top_p in (0, 1]: keep the most likely tokens until their probability reaches top_p.

    Returns (B, V) probabilities, zero outside the kept tokens, each row summing to 1.
    Ranking: by probability, descending; equal probabilities keep the lower index first.
    """
    # BEGIN SOLUTION: temperature on the logits, softmax, top-k, then top-p, renormalising
    z = logits / temperature  # (B, V): T < 1 sharpens, T > 1 flattens
    z = z - z.max(axis=-1, keepdims=True)
    probs = np.exp(z)
    probs = probs / probs.sum(axis=-1, keepdims=True)
    order = np.argsort(-probs, axis=-1, kind="stable")  # most likely first
    ranked = np.take_along_axis(probs, order, axis=-1)  # (B, V), descending
    if top_k > 0:
        ranked[:, top_k:] = 0.0
        ranked = ranked / ranked.sum(axis=-1, keepdims=True)
    before = np.cumsum(ranked, axis=-1) - ranked  # mass of the better tokens
    ranked = np.where(before < top_p, ranked, 0.0)  # the token that crosses top_p is kept
    ranked = ranked / ranked.sum(axis=-1, keepdims=True)
    out = np.zeros_like(probs)
    np.put_along_axis(out, order, ranked, axis=-1)
    return out
    # END SOLUTION


def sample(logits, temperature, top_k, top_p, seed):
    """Draw one token per row from next_token_probs, (B,) integers.

    Use rng = np.random.default_rng(seed) and exactly one draw u = rng.random(B); row b takes
    the first token whose cumulative probability exceeds u[b] (inverse-CDF sampling).
    """
    # BEGIN SOLUTION: one uniform per row, then invert the cumulative distribution
    probs = next_token_probs(logits, temperature, top_k, top_p)
    u = np.random.default_rng(seed).random(len(logits))  # (B,)
    cdf = np.cumsum(probs, axis=-1)
    cdf = cdf / cdf[:, -1:]  # the last value exactly 1.0, above every u in [0, 1)
    return (cdf <= u[:, None]).sum(axis=-1)  # how many cumulative values u has passed
    # END SOLUTION
