"""Cases and misconceptions for LoRA."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception


def _forward(x, W, b, A, B, alpha, *, scale_by="rank"):
    s = alpha / A.shape[1] if scale_by == "rank" else alpha if scale_by == "alpha" else 1.0
    return x @ W + b + s * (x @ A) @ B


def _backward(dout, x, A, B, alpha, *, scale_by="rank"):
    s = alpha / A.shape[1] if scale_by == "rank" else alpha if scale_by == "alpha" else 1.0
    return s * x.T @ (dout @ B.T), s * (x @ A).T @ dout


def _merge(W, A, B, alpha, *, scale_by="rank"):
    s = alpha / A.shape[1] if scale_by == "rank" else alpha if scale_by == "alpha" else 1.0
    return W + s * A @ B


def _scaled(scale_by):
    return {
        "lora_forward": lambda x, W, b, A, B, alpha: _forward(x, W, b, A, B, alpha,
                                                              scale_by=scale_by),
        "lora_backward": lambda dout, x, A, B, alpha: _backward(dout, x, A, B, alpha,
                                                                scale_by=scale_by),
        "lora_merge": lambda W, A, B, alpha: _merge(W, A, B, alpha, scale_by=scale_by),
    }


def _merge_unscaled(W, A, B, alpha):
    return W + A @ B


def _full_matrix_count(d_in, d_out, r):
    return d_in * d_out, d_in * d_out + d_out


def _bias_not_counted(d_in, d_out, r):
    return r * (d_in + d_out), d_in * d_out


def _layer(rng, n, d_in, d_out, r):
    return [rng.normal(size=(n, d_in)), rng.normal(size=(d_in, d_out)) / np.sqrt(d_in),
            rng.normal(size=d_out), rng.normal(size=(d_in, r)) / np.sqrt(d_in),
            rng.normal(size=(r, d_out))]


def _random_cases(rng):
    x, W, b, A, B = _layer(rng, 5, 6, 3, 2)
    alpha = float(rng.choice([4.0, 8.0, 16.0]))
    return [
        Case("lora_forward", [x, W, b, A, B, alpha], name=f"random, r = 2, alpha = {alpha:g}"),
        Case("lora_backward", [rng.normal(size=(5, 3)), x, A, B, alpha],
             name=f"random gradient, r = 2, alpha = {alpha:g}"),
        Case("lora_merge", [W, A, B, alpha], name="random merge, r = 2"),
        Case("lora_param_counts", [int(rng.integers(16, 5000)), int(rng.integers(16, 5000)),
                                   int(rng.choice([4, 8, 16, 64]))], name="random sizes"),
    ]


X1 = np.array([[1.0, 2.0]])
I2 = np.eye(2)
A1 = np.array([[1.0], [1.0]])
B1 = np.array([[0.5, -1.0]])
RNG = np.random.default_rng(2106)
XL, WL, BL, AL, BBL = _layer(RNG, 4, 5, 3, 3)
DL = RNG.normal(size=(4, 3))

CHECKS = Checks(
    cases=[
        Case("lora_forward", [X1, I2, np.zeros(2), A1, B1, 2.0], name="the README example"),
        Case("lora_forward", [XL, WL, BL, AL, BBL, 6.0], name="rank 3, alpha 6"),
        Case("lora_forward", [XL, WL, BL, AL, np.zeros((3, 3)), 16.0],
             name="B = 0 at initialisation: the pretrained layer exactly"),
        Case("lora_backward", [np.array([[1.0, -0.5]]), X1, A1, B1, 2.0],
             name="the README example"),
        Case("lora_backward", [DL, XL, AL, BBL, 6.0], name="rank 3, alpha 6"),
        Case("lora_backward", [DL, XL, AL, np.zeros((3, 3)), 8.0],
             name="B = 0: A gets no gradient on the first step"),
        Case("lora_merge", [I2, A1, B1, 2.0], name="the README example"),
        Case("lora_merge", [WL, AL, BBL, 6.0], name="rank 3, alpha 6"),
        Case("lora_param_counts", [2, 2, 1], name="the README example"),
        Case("lora_param_counts", [4096, 4096, 8], name="a 4096 x 4096 projection, r = 8"),
    ],
    hidden=[
        Case("lora_forward", [XL[:1], WL, BL, AL[:, :1], BBL[:1], 1.0]),
        Case("lora_backward", [DL[:2], XL[:2], AL[:, :2], BBL[:2], 32.0]),
        Case("lora_merge", [WL, AL[:, :2], BBL[:2], 4.0]),
        Case("lora_param_counts", [768, 3072, 16]),
    ],
    random_cases=_random_cases,
    rtol=1e-9,
    atol=1e-12,
    misconceptions=[
        Misconception(
            id="lora.scale-by-alpha",
            title="scaling the adapter by alpha instead of alpha / r",
            explanation="The update is scaled by alpha / r so that changing the rank does not "
            "change how large the update starts: with alpha fixed, a bigger r adds more "
            "columns but each counts for less. Scaling by alpha alone makes the update r "
            "times too large.",
            hints=["With r = 4 and alpha = 8, what factor multiplies x A B?",
                   "alpha / r = 2, not 8.",
                   "scale = alpha / A.shape[1], used in forward, backward and merge."],
            replace=_scaled("alpha"),
        ),
        Misconception(
            id="lora.no-scale",
            title="adding x A B without the alpha / r factor",
            explanation="alpha / r is part of the layer: the forward pass, the gradients and "
            "the merged weight all carry it. Leaving it out trains a different layer from the "
            "one the configuration describes, and a merged weight would not match training.",
            hints=["Where does alpha enter your code?",
                   "out = x W + b + (alpha / r) x A B.",
                   "Multiply the low-rank path by alpha / r."],
            replace=_scaled("none"),
        ),
        Misconception(
            id="lora.merge-unscaled",
            title="merging A B into W without the scaling",
            explanation="The merged layer must compute exactly what the adapted layer "
            "computes, so the merged weight is W + (alpha / r) A B. Without the factor, the "
            "model changes the moment it is merged for deployment.",
            hints=["Does x @ merged + b equal lora_forward(x, ...)?",
                   "The adapter's contribution is (alpha / r) x A B.",
                   "W + (alpha / r) * A @ B."],
            replace={"lora_merge": _merge_unscaled},
        ),
        Misconception(
            id="lora.full-matrix-trainable",
            title="counting the adapter as a full d_in x d_out matrix",
            explanation="The point of LoRA is that A B is never stored or trained as one "
            "matrix: only A (d_in x r) and B (r x d_out) are, r (d_in + d_out) numbers, far "
            "fewer than d_in d_out when r is small.",
            hints=["What are the shapes of the matrices that actually train?",
                   "(d_in, r) and (r, d_out).",
                   "trainable = r * (d_in + d_out)."],
            replace={"lora_param_counts": _full_matrix_count},
        ),
        Misconception(
            id="lora.bias-forgotten",
            title="leaving the frozen bias out of the frozen count",
            explanation="The pretrained layer has d_in d_out weights AND d_out biases; both "
            "stay frozen.",
            hints=["Which parameters does the pretrained layer have?",
                   "A weight matrix and a bias vector.",
                   "frozen = d_in * d_out + d_out."],
            replace={"lora_param_counts": _bias_not_counted},
        ),
    ],
)
