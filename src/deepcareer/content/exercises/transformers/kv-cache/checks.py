"""Cases and misconceptions for the key-value cache."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, load_reference

ref = load_reference(__file__)


def _attend(q, K, V, Wo, mask=None, scale=None):
    s = q @ K.transpose(0, 1, 3, 2) / np.sqrt(scale or q.shape[-1])
    if mask is not None:
        s = np.where(mask, s, -np.inf)
    s = s - s.max(axis=-1, keepdims=True)
    w = np.exp(s)
    w = w / w.sum(axis=-1, keepdims=True)
    return ref.merge_heads(w @ V) @ Wo


def _step(x_t, k_cache, v_cache, Wq, Wk, Wv, Wo, h, *, bug):
    q = ref.split_heads(x_t @ Wq, h)
    k, v = ref.split_heads(x_t @ Wk, h), ref.split_heads(x_t @ Wv, h)
    K = np.concatenate([k_cache, k], axis=2)
    V = np.concatenate([v_cache, v], axis=2)
    if bug == "square-mask":  # the full layer's tril mask, cut to one query row: key 0 only
        mask = np.tril(np.ones((1, K.shape[2]), dtype=bool))
        return _attend(q, K, V, Wo, mask), K, V
    if bug == "attend-before-append":  # the new token sees only the past (itself at t = 0)
        past = (k_cache, v_cache) if k_cache.shape[2] else (k, v)
        return _attend(q, *past, Wo), K, V
    if bug == "overwrite":  # the cache keeps only the newest token
        return _attend(q, k, v, Wo), k, v
    if bug == "model-width":  # scaled by sqrt(D), the model's width, not the head's
        return _attend(q, K, V, Wo, scale=Wq.shape[1]), K, V
    raise ValueError(bug)


def _pair(bug):
    def step(x_t, k_cache, v_cache, Wq, Wk, Wv, Wo, h):
        return _step(x_t, k_cache, v_cache, Wq, Wk, Wv, Wo, h, bug=bug)

    def incremental(x, Wq, Wk, Wv, Wo, h):
        b, t, d = x.shape
        kc = vc = np.zeros((b, h, 0, d // h))
        outs = []
        for i in range(t):
            out, kc, vc = step(x[:, i:i + 1], kc, vc, Wq, Wk, Wv, Wo, h)
            outs.append(out)
        return np.concatenate(outs, axis=1)

    return {"decode_step": step, "decode_incremental": incremental}


def _keys_only(n_layers, n_heads, head_dim, seq_len, batch, bytes_per_value):
    return n_layers * batch * n_heads * seq_len * head_dim * bytes_per_value


def _weights(rng, d):
    return [rng.normal(0.0, 1.0 / np.sqrt(d), size=(d, d)) for _ in range(4)]


def _prefix(x_past, W, h):
    """Caches exactly as the layer would have built them from the earlier tokens."""
    return ref.split_heads(x_past @ W[1], h), ref.split_heads(x_past @ W[2], h)


def _step_case(rng, b, t, d, h, name):
    W = _weights(rng, d)
    x = rng.normal(size=(b, t + 1, d))
    kc, vc = _prefix(x[:, :t], W, h)
    return Case("decode_step", [x[:, t:], kc, vc, *W, h], name=name)


def _random_cases(rng):
    W = _weights(rng, 6)
    return [
        _step_case(rng, 2, 4, 6, 3, "random: 4 cached tokens, 3 heads"),
        _step_case(rng, 1, 0, 4, 2, "random: the first token, empty caches"),
        Case("decode_incremental", [rng.normal(size=(2, 5, 6)), *W, 2],
             name="random: 5 tokens, 2 heads"),
        Case("cache_bytes", [int(rng.integers(1, 40)), int(rng.integers(1, 33)),
                             int(rng.choice([32, 64, 128])), int(rng.integers(1, 4097)),
                             int(rng.integers(1, 9)), int(rng.choice([2, 4]))],
             name="random model size"),
    ]


RNG = np.random.default_rng(1762)
W4 = _weights(RNG, 4)
X4 = RNG.normal(size=(1, 3, 4))
K4, V4 = _prefix(X4[:, :2], W4, 2)
EYE = np.eye(4)
XR = np.array([[[1.0, 0.0, 0.0, 1.0], [1.0, 1.0, 2.0, 0.0]]])

CHECKS = Checks(
    cases=[
        Case("decode_step", [XR[:, 1:], ref.split_heads(XR[:, :1], 2),
                             ref.split_heads(XR[:, :1], 2), EYE, EYE, EYE, EYE, 2],
             name="the README example, step 2"),
        Case("decode_step", [X4[:, 2:], K4, V4, *W4, 2], name="two cached tokens, 2 heads"),
        Case("decode_step", [X4[:, :1], K4[:, :, :0], V4[:, :, :0], *W4, 2],
             name="the first token: empty caches"),
        Case("decode_incremental", [XR, EYE, EYE, EYE, EYE, 2], name="the README example"),
        Case("decode_incremental", [X4, *W4, 1], name="three tokens, one head"),
        Case("decode_incremental", [30.0 * X4, *W4, 2], name="scores in the hundreds"),
        Case("cache_bytes", [1, 2, 2, 2, 1, 8], name="the README example"),
        Case("cache_bytes", [12, 12, 64, 1024, 1, 2], name="GPT-2 small, 1024 tokens, fp16"),
    ],
    hidden=[
        Case("decode_step", [X4[:, 1:2], *_prefix(X4[:, :1], W4, 4), *W4, 4]),
        Case("decode_incremental", [RNG.normal(size=(3, 4, 4)), *W4, 2]),
        Case("cache_bytes", [32, 32, 128, 4096, 4, 2]),
    ],
    random_cases=_random_cases,
    rtol=1e-7,
    atol=1e-10,
    misconceptions=[
        Misconception(
            id="kv-cache.scaled-by-model-width",
            title="scaling the scores by the model's width instead of the head's",
            explanation="Each head works in Dh = D / H dimensions, so its dot products have a "
            "variance of about Dh: dividing by sqrt(Dh) keeps the softmax out of saturation. "
            "sqrt(D) divides by sqrt(H) too much and flattens every head's attention.",
            hints=["What is the length of the vectors whose dot product you scale?",
                   "The head dimension, q.shape[-1], not the model's width.",
                   "scores = q @ K.transpose(0, 1, 3, 2) / np.sqrt(q.shape[-1])."],
            replace=_pair("model-width"),
        ),
        Misconception(
            id="kv-cache.square-mask-in-step",
            title="reusing the full layer's causal mask in a one-token step",
            explanation="np.tril over a (1, t + 1) score row allows key 0 only: the new token "
            "attends to the first token of the sequence and nothing else. In a cached step "
            "there is nothing to mask: the cache holds exactly the tokens the new one may see.",
            hints=["Which keys does your new token give non-zero weight?",
                   "np.tril(np.ones((1, n))) is [1, 0, 0, ...]: the mask assumes query 0.",
                   "Drop the mask in decode_step; softmax over all t + 1 cached keys."],
            replace=_pair("square-mask"),
        ),
        Misconception(
            id="kv-cache.attend-before-append",
            title="attending over the cache before appending the new token's key and value",
            explanation="In the full causal layer token t attends to keys 0..t, itself "
            "included. Append the new key and value first, then attend, or the new token "
            "never sees itself and the outputs drift from full recomputation.",
            hints=["Compare your step's output with the full layer's last row: do they match?",
                   "The diagonal of the causal mask is allowed: a token sees itself.",
                   "K = concatenate([k_cache, k_new], axis=2) BEFORE computing the scores."],
            replace=_pair("attend-before-append"),
        ),
        Misconception(
            id="kv-cache.overwrite",
            title="replacing the cache with the newest token instead of appending to it",
            explanation="The cache must grow by one position per step: every later token "
            "still attends to all the earlier ones. Overwriting it leaves each token attending "
            "only to itself.",
            hints=["What shape is your cache after three steps?",
                   "(B, H, 3, Dh): one position per token so far.",
                   "np.concatenate([k_cache, k_new], axis=2), and return that."],
            replace=_pair("overwrite"),
        ),
        Misconception(
            id="kv-cache.keys-only",
            title="counting the keys but not the values in the cache's memory",
            explanation="Each layer caches TWO tensors per token and head: the key and the "
            "value. That factor of 2 is often what decides whether a long context fits on a GPU.",
            hints=["What does the 'KV' in KV cache stand for?", "Keys and values: two tensors.",
                   "2 * layers * batch * heads * seq_len * head_dim * bytes."],
            replace={"cache_bytes": _keys_only},
        ),
    ],
)
