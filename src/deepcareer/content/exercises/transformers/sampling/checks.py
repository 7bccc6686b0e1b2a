"""Cases and misconceptions for greedy decoding and temperature / top-k / top-p sampling."""

import numpy as np

from deepcareer.grading.spec import BEYOND_OVERFLOW, Case, Checks, Misconception, Property


def _softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _probs(logits, temperature, top_k, top_p, *, temp="logits", nucleus="crossing"):
    if temp == "logits":
        probs = _softmax(logits / temperature)
    elif temp == "times":
        probs = _softmax(logits * temperature)
    else:  # dividing the probabilities: the renormalisation below undoes it
        probs = _softmax(logits) / temperature
        probs = probs / probs.sum(axis=-1, keepdims=True)
    order = np.argsort(-probs, axis=-1, kind="stable")
    ranked = np.take_along_axis(probs, order, axis=-1)
    if top_k > 0:
        ranked[:, top_k:] = 0.0
        ranked = ranked / ranked.sum(axis=-1, keepdims=True)
    cum = np.cumsum(ranked, axis=-1)
    if nucleus == "crossing":
        keep = cum - ranked < top_p
    else:  # only tokens whose running total stays within top_p: the crossing one is dropped
        keep = cum <= top_p
    ranked = np.where(keep, ranked, 0.0)
    ranked = ranked / ranked.sum(axis=-1, keepdims=True)
    out = np.zeros_like(probs)
    np.put_along_axis(out, order, ranked, axis=-1)
    return out


def _draw(probs, seed):
    u = np.random.default_rng(seed).random(len(probs))
    cdf = np.cumsum(probs, axis=-1)
    return (cdf / cdf[:, -1:] <= u[:, None]).sum(axis=-1)


def _pair(**knobs):
    def probs(logits, temperature, top_k, top_p):
        return _probs(logits, temperature, top_k, top_p, **knobs)

    def sample(logits, temperature, top_k, top_p, seed):
        return _draw(_probs(logits, temperature, top_k, top_p, **knobs), seed)

    return {"next_token_probs": probs, "sample": sample}


def _greedy_over_batch(logits):
    return np.argmax(logits, axis=0)


def _rows_sum_to_one(case, output):
    if case.call != "next_token_probs":
        return None
    probs = np.asarray(output, dtype=float)
    if probs.shape != np.shape(case.args[0]):
        return f"next_token_probs should return an array of the logits' shape {case.args[0].shape}"
    if not np.allclose(probs.sum(axis=-1), 1.0) or np.any(probs < 0):
        return "each row should be a distribution: non-negative, summing to 1"
    k = case.args[2]
    if k > 0 and np.any((probs > 0).sum(axis=-1) > k):
        return f"with top_k = {k} at most {k} tokens may keep a probability above 0"
    return None


def _random_cases(rng):
    b, v = 3, 10
    logits = rng.normal(0.0, 2.0, size=(b, v))
    # top_p = the mass of the two best tokens (plus a hair): three tokens cross the line,
    # so "one too few" keeps two and the right rule keeps three, on every seed.
    p = np.sort(_softmax(logits[:1]), axis=-1)[0, ::-1]
    seed = int(rng.integers(0, 2**31))
    return [
        Case("greedy", [rng.normal(size=(4, 7))], name="random (4, 7)"),
        Case("next_token_probs", [logits, 0.7, 0, 1.0], name="random, temperature 0.7"),
        Case("next_token_probs", [logits, 1.3, 4, 1.0], name="random, temperature 1.3, top-4"),
        Case("next_token_probs", [logits, 1.0, 0, float(p[0] + p[1] + 0.5 * p[2])],
             name="random, top-p halfway through the third token"),
        Case("sample", [logits, 1.5, 6, 0.9, seed], name=f"random, seed {seed}"),
    ]


LOGITS = np.array([[2.0, 1.0, 0.0, -1.0]])
RNG = np.random.default_rng(1904)
L2 = RNG.normal(0.0, 1.5, size=(4, 6))
WIDE = np.array([[BEYOND_OVERFLOW, 0.0, -BEYOND_OVERFLOW, 1.0],
                 [-BEYOND_OVERFLOW, -BEYOND_OVERFLOW + 2.0, -BEYOND_OVERFLOW + 1.0,
                  -BEYOND_OVERFLOW]])

CHECKS = Checks(
    cases=[
        Case("greedy", [LOGITS], name="the README example"),
        Case("greedy", [np.array([[0.0, 3.0, 3.0], [5.0, -1.0, 2.0]])], name="a tie: lowest index"),
        Case("next_token_probs", [LOGITS, 1.0, 0, 1.0], name="the README example, plain softmax"),
        Case("next_token_probs", [LOGITS, 2.0, 0, 1.0], name="the README example, temperature 2"),
        Case("next_token_probs", [LOGITS, 1.0, 2, 1.0], name="the README example, top-2"),
        Case("next_token_probs", [LOGITS, 1.0, 0, 0.8], name="the README example, top-p 0.8"),
        Case("next_token_probs", [LOGITS, 1.0, 0, 0.5], name="top-p below the best token"),
        Case("next_token_probs", [L2, 0.5, 3, 0.7], name="all three filters, 4 rows"),
        Case("next_token_probs", [WIDE, 1.0, 0, 1.0], name="logits of +-800"),
        Case("next_token_probs", [np.array([[1.0, 2.0, 3.0, 4.0]]), 0.01, 0, 1.0],
             name="temperature 0.01: logits / T in the hundreds"),
        Case("sample", [L2, 1.0, 0, 1.0, 7], name="plain sampling, seed 7"),
        Case("sample", [L2, 0.8, 3, 0.9, 2017], name="all three filters, seed 2017"),
    ],
    hidden=[
        Case("greedy", [L2]),
        Case("next_token_probs", [L2, 3.0, 0, 1.0]),
        Case("next_token_probs", [L2, 1.0, 1, 1.0]),
        Case("next_token_probs", [L2[:1], 1.0, 0, 0.95]),
        Case("sample", [np.repeat(LOGITS, 8, axis=0), 2.0, 0, 0.9, 11]),
    ],
    random_cases=_random_cases,
    properties=[Property("distributions over the vocabulary", _rows_sum_to_one,
                         calls=("next_token_probs",))],
    rtol=1e-7,
    atol=1e-10,
    misconceptions=[
        Misconception(
            id="sampling.temperature-after-softmax",
            title="applying the temperature to the probabilities after the softmax",
            explanation="Dividing probabilities by T multiplies them all by the same number, "
            "and renormalising undoes it: the temperature then changes nothing. It must divide "
            "the logits, softmax(z / T), which raises every probability to the power 1/T "
            "before renormalising.",
            hints=["Does your distribution change at all between T = 0.5 and T = 2?",
                   "softmax(z) / T, renormalised, is softmax(z) again.",
                   "probs = softmax(logits / temperature)."],
            replace=_pair(temp="probs"),
            reteach="Temperature reshapes the distribution only through the exponent: "
            "exp(z / T) is exp(z) to the power 1/T. Anything done after the softmax and undone "
            "by renormalising is not a temperature.",
        ),
        Misconception(
            id="sampling.temperature-multiplies",
            title="multiplying the logits by the temperature",
            explanation="A HIGH temperature should flatten the distribution (more random), a "
            "low one sharpen it towards greedy. That is logits / T; logits * T does the "
            "opposite.",
            hints=["With T = 2, should the best token get more or less probability than with "
                   "T = 1?",
                   "Less: high temperature, more randomness.",
                   "logits / temperature."],
            replace=_pair(temp="times"),
        ),
        Misconception(
            id="sampling.top-p-one-too-few",
            title="top-p that drops the token whose probability crosses p",
            explanation="Top-p keeps the SMALLEST set of tokens whose probabilities add up to "
            "at least p. Keeping only tokens whose running total stays at or below p stops one "
            "token short, so the kept mass is below p, and when the best token alone is above "
            "p nothing is kept at all.",
            hints=["With top_p = 0.5 and a best token of probability 0.64, what do you keep?",
                   "The best token alone reaches 0.5: it must be kept. Keep a token while the "
                   "mass of the tokens BEFORE it is still below p.",
                   "before = np.cumsum(ranked, -1) - ranked; keep = before < top_p."],
            replace=_pair(nucleus="within"),
        ),
        Misconception(
            id="sampling.greedy-over-batch",
            title="greedy argmax over the batch axis",
            explanation="Each row of the logits is one sequence's next-token scores over the "
            "vocabulary: the argmax runs along the last (vocabulary) axis, giving one token "
            "per row.",
            hints=["How many tokens should greedy return for logits of shape (B, V)?",
                   "One per row: B of them, each an index into the vocabulary.",
                   "np.argmax(logits, axis=-1)."],
            replace={"greedy": _greedy_over_batch},
        ),
    ],
)
