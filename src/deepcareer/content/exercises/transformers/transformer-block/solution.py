"""One pre-LayerNorm transformer block (GPT-2's layout) and a numerical check of its gradient."""

import numpy as np


def layer_norm(x, gamma, beta, eps=1e-5):
    """Normalise each position's D features (given: the layer-norm exercise)."""
    mu = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def causal_self_attention(x, Wq, Wk, Wv, Wo, n_heads):
    """Multi-head causal self-attention without biases (given: the multi-head exercise)."""
    b, t, d = x.shape
    dh = d // n_heads

    def split(z):
        return z.reshape(b, t, n_heads, dh).transpose(0, 2, 1, 3)

    q, k, v = split(x @ Wq), split(x @ Wk), split(x @ Wv)
    scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(dh)
    scores = np.where(np.tril(np.ones((t, t), dtype=bool)), scores, -np.inf)
    scores = scores - scores.max(axis=-1, keepdims=True)
    w = np.exp(scores)
    w = w / w.sum(axis=-1, keepdims=True)
    return (w @ v).transpose(0, 2, 1, 3).reshape(b, t, d) @ Wo


def gelu(x):
    """GELU in its tanh form (GPT-2's): 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))."""
    # BEGIN SOLUTION: a smooth gate x * Phi(x), with the standard normal CDF Phi approximated
    return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x**3)))
    # END SOLUTION


def block_forward(x, ln1_g, ln1_b, Wq, Wk, Wv, Wo, ln2_g, ln2_b, W1, b1, W2, b2, n_heads):
    """x: (B, T, D) -> (B, T, D).

    h = x + attention(LN1(x)); out = h + MLP(LN2(h)), MLP(z) = gelu(z W1 + b1) W2 + b2.
    Shapes: ln*: (D,); Wq..Wo: (D, D); W1: (D, F), b1: (F,); W2: (F, D), b2: (D,).
    """
    # BEGIN SOLUTION: normalise a copy, transform it, add it back; twice
    h = x + causal_self_attention(layer_norm(x, ln1_g, ln1_b), Wq, Wk, Wv, Wo, n_heads)
    z = layer_norm(h, ln2_g, ln2_b)
    return h + gelu(z @ W1 + b1) @ W2 + b2  # (B, T, D): the residual stream goes on
    # END SOLUTION


def block_input_grad(dout, x, ln1_g, ln1_b, Wq, Wk, Wv, Wo, ln2_g, ln2_b, W1, b1, W2, b2,
                     n_heads, eps):
    """The gradient of L = sum(dout * block_forward(x, ...)) with respect to x, by central
    differences with step eps. Returns a new (B, T, D) array; x is left unchanged."""
    # BEGIN SOLUTION: perturb one entry at a time, both ways, on a private copy of x
    params = (ln1_g, ln1_b, Wq, Wk, Wv, Wo, ln2_g, ln2_b, W1, b1, W2, b2, n_heads)
    xp = x.astype(float)  # a copy: the caller's x must not change
    grad = np.zeros_like(xp)
    for i in np.ndindex(xp.shape):
        old = xp[i]
        xp[i] = old + eps
        up = np.sum(dout * block_forward(xp, *params))
        xp[i] = old - eps
        down = np.sum(dout * block_forward(xp, *params))
        xp[i] = old
        grad[i] = (up - down) / (2.0 * eps)
    return grad
    # END SOLUTION
