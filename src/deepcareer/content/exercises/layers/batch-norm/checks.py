"""Cases and misconceptions for batch normalisation."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, load_reference

ref = load_reference(__file__)


def _forward(x, gamma, beta, rm, rv, momentum, eps, training, *, ddof=0, axis=0,
             eps_outside=False, eval_batch=False, swap_momentum=False, biased_running=False):
    use_batch = training or eval_batch
    if use_batch:
        n = x.shape[axis]
        mu = x.mean(axis=axis, keepdims=True)
        var = x.var(axis=axis, ddof=ddof, keepdims=True)
    if training:
        unbiased = var.reshape(-1) * (1 if biased_running else n / (n - 1)) if axis == 0 \
            else rv
        batch_mu = mu.reshape(-1) if axis == 0 else rm
        if swap_momentum:
            rm = momentum * rm + (1.0 - momentum) * batch_mu
            rv = momentum * rv + (1.0 - momentum) * unbiased
        else:
            rm = (1.0 - momentum) * rm + momentum * batch_mu
            rv = (1.0 - momentum) * rv + momentum * unbiased
    if not use_batch:
        mu, var = rm, rv
    if eps_outside:
        x_hat = (x - mu) / (np.sqrt(var) + eps)
    else:
        x_hat = (x - mu) / np.sqrt(var + eps)
    return gamma * x_hat + beta, rm, rv


def _unbiased(*a):
    return _forward(*a, ddof=1)


def _feature_axis(*a):
    return _forward(*a, axis=1)


def _eval_batch(*a):
    return _forward(*a, eval_batch=True)


def _swap_momentum(*a):
    return _forward(*a, swap_momentum=True)


def _eps_outside(*a):
    return _forward(*a, eps_outside=True)


def _biased_running(*a):
    return _forward(*a, biased_running=True)


def _backward_constant_stats(dout, x, gamma, eps):
    _, dgamma, dbeta = ref.batchnorm_backward(dout, x, gamma, eps)
    return dout * gamma / np.sqrt(x.var(axis=0) + eps), dgamma, dbeta


def _backward_dgamma_no_xhat(dout, x, gamma, eps):
    dx, _, dbeta = ref.batchnorm_backward(dout, x, gamma, eps)
    return dx, dout.sum(axis=0), dbeta


def _backward_mean_only(dout, x, gamma, eps):
    # Differentiates through the mean but treats the variance as a constant.
    n = x.shape[0]
    inv_std = 1.0 / np.sqrt(x.var(axis=0) + eps)
    dxhat = dout * gamma
    dx = inv_std * (dxhat - dxhat.sum(axis=0) / n)
    _, dgamma, dbeta = ref.batchnorm_backward(dout, x, gamma, eps)
    return dx, dgamma, dbeta


def _fwd_case(rng, n, d, training, name):
    return Case("batchnorm_forward", [rng.normal(2.0, 3.0, size=(n, d)), rng.normal(1, 0.2, d),
                                      rng.normal(0, 0.5, d), rng.normal(0, 1, d),
                                      rng.random(d) + 0.5, 0.1, 1e-5, training], name=name)


def _random_cases(rng):
    return [
        _fwd_case(rng, 6, 4, True, "random training batch 6 x 4"),
        _fwd_case(rng, 5, 3, False, "random evaluation batch 5 x 3"),
        _fwd_case(rng, 1, 3, False, "random evaluation of a single example"),
        Case("batchnorm_backward", [rng.normal(size=(6, 3)), rng.normal(1, 2, size=(6, 3)),
                                    rng.normal(1, 0.3, size=3), 1e-5],
             name="random upstream gradient 6 x 3"),
        Case("batchnorm_backward", [rng.normal(size=(4, 5)), rng.normal(size=(4, 5)),
                                    rng.normal(size=5), 1e-3], name="random 4 x 5, eps 1e-3"),
    ]


X = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 4.0], [7.0, 0.0]])
ONES, ZEROS = np.ones(2), np.zeros(2)
GAMMA = np.array([2.0, 0.5])
BETA = np.array([0.1, -0.1])
DOUT = np.array([[0.5, -1.0], [1.0, 0.2], [-0.3, 0.7], [0.8, -0.4]])

CHECKS = Checks(
    cases=[
        Case("batchnorm_forward", [X, ONES, ZEROS, ZEROS, ONES, 0.1, 1e-5, True],
             name="the README example"),
        Case("batchnorm_forward", [X, GAMMA, BETA, np.array([4.0, 3.0]), np.array([6.0, 5.0]),
                                   0.1, 1e-5, False], name="evaluation with running statistics"),
        Case("batchnorm_forward", [X, GAMMA, BETA, ZEROS, ONES, 0.5, 1.0, True],
             name="momentum 0.5, eps 1"),
        Case("batchnorm_forward", [X[:2], ONES, ZEROS, ZEROS, ONES, 0.1, 1e-5, True],
             name="a batch of two"),
        Case("batchnorm_backward", [DOUT, X, GAMMA, 1e-5], name="the README gradient"),
        Case("batchnorm_backward", [DOUT, X, GAMMA, 2.0], name="the gradient with eps 2"),
    ],
    hidden=[
        Case("batchnorm_forward", [np.linspace(-1, 1, 12).reshape(4, 3), np.full(3, 1.5),
                                   np.full(3, 0.2), np.zeros(3), np.ones(3), 0.2, 1e-3, True]),
        Case("batchnorm_forward", [np.linspace(0, 5, 6).reshape(3, 2), GAMMA, BETA,
                                   np.array([1.0, 2.0]), np.array([0.5, 2.0]), 0.1, 1e-5,
                                   False]),
        Case("batchnorm_backward", [np.linspace(1, -1, 9).reshape(3, 3),
                                    np.array([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0],
                                              [2.0, 2.0, 0.5]]),
                                    np.array([1.0, -1.0, 0.5]), 1e-5]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="batch-norm.unbiased-variance",
            title="normalising with the unbiased variance (dividing by N - 1)",
            explanation="Batch norm normalises with the batch's own biased variance (divide by "
            "N), as the paper and the frameworks do. The N - 1 version is only for the running "
            "estimate of the population variance.",
            hints=[
                "Which ddof does np.var use by default, and which does your code use?",
                "The normalised batch should have variance exactly 1 (up to eps) per feature.",
                "x.var(axis=0) for the normalisation; var * N / (N - 1) only in the running "
                "update.",
            ],
            replace={"batchnorm_forward": _unbiased},
        ),
        Misconception(
            id="batch-norm.feature-axis",
            title="normalising over the features (axis 1) instead of over the batch",
            explanation="Batch norm computes one mean and variance per feature, across the "
            "examples of the batch: axis 0. Normalising each row is layer normalisation, a "
            "different layer.",
            hints=[
                "How many means should you compute for a (N, D) input?",
                "One statistic per feature; the batch axis is the one you reduce.",
                "x.mean(axis=0), x.var(axis=0).",
            ],
            replace={"batchnorm_forward": _feature_axis},
        ),
        Misconception(
            id="batch-norm.eval-uses-batch",
            title="using the batch's statistics at evaluation",
            explanation="At evaluation the output for one example must not depend on the other "
            "examples in its batch, so the layer uses the running estimates gathered in "
            "training.",
            hints=[
                "Does your evaluation branch use running_mean and running_var?",
                "In evaluation a batch of one must still work.",
                "if not training: mu, var = running_mean, running_var.",
            ],
            replace={"batchnorm_forward": _eval_batch},
        ),
        Misconception(
            id="batch-norm.momentum-reversed",
            title="giving the old running statistics the weight momentum",
            explanation="In the PyTorch convention momentum (0.1) is the weight of the NEW batch "
            "statistic: running = (1 - momentum) * running + momentum * batch. Keras uses the "
            "opposite convention (0.99 on the old value), a frequent source of this slip.",
            hints=[
                "With momentum 0.1, should one batch move the running mean a little or a lot?",
                "momentum multiplies the batch statistic.",
                "running_mean = (1 - momentum) * running_mean + momentum * mu.",
            ],
            replace={"batchnorm_forward": _swap_momentum},
        ),
        Misconception(
            id="batch-norm.eps-outside-sqrt",
            title="adding eps after the square root",
            explanation="eps is added to the variance, inside the root: sqrt(var + eps).",
            hints=[
                "Look at the case with eps = 1.",
                "eps stands next to the variance in the formula.",
                "(x - mu) / np.sqrt(var + eps).",
            ],
            replace={"batchnorm_forward": _eps_outside},
        ),
        Misconception(
            id="batch-norm.biased-running-var",
            title="updating the running variance with the biased batch variance",
            explanation="The running variance estimates the variance of the whole population, so "
            "PyTorch folds in the unbiased batch variance var * N / (N - 1). The difference is "
            "large for small batches.",
            hints=[
                "Look at the batch of two: what is N / (N - 1) there?",
                "Normalise with the biased variance, but store the unbiased one.",
                "running_var = (1 - m) * running_var + m * var * N / (N - 1).",
            ],
            replace={"batchnorm_forward": _biased_running},
        ),
        Misconception(
            id="batch-norm.constant-statistics",
            title="a backward pass that treats the batch mean and variance as constants",
            explanation="In training, every x_i moves the batch mean and variance, which move "
            "every other output. Those paths add two terms to dx: without them the gradient is "
            "only right for a batch of infinite size.",
            hints=[
                "Does the mean of the batch depend on x?",
                "dx has three terms: the direct one, one through the mean and one through the "
                "variance.",
                "dx = (N dxhat - sum(dxhat) - x_hat * sum(dxhat * x_hat)) / (N sqrt(var + eps)).",
            ],
            replace={"batchnorm_backward": _backward_constant_stats},
            reteach="When a statistic of the batch is computed from the inputs, it is part of "
            "the graph. Backpropagation must go through it like through any other node.",
        ),
        Misconception(
            id="batch-norm.mean-path-only",
            title="a backward pass through the mean but not through the variance",
            explanation="The variance depends on x as well; its path gives the term "
            "- x_hat * sum(dxhat * x_hat) / N.",
            hints=[
                "You have the mean's term; which statistic is still treated as constant?",
                "d var / d x_i = 2 (x_i - mu) / N.",
                "Subtract x_hat * (dxhat * x_hat).sum(axis=0) / N as well.",
            ],
            replace={"batchnorm_backward": _backward_mean_only},
        ),
        Misconception(
            id="batch-norm.dgamma-without-xhat",
            title="dgamma summed from dout alone",
            explanation="gamma multiplies x_hat, so its gradient is the sum of dout * x_hat; "
            "sum(dout) is dbeta's.",
            hints=[
                "What does gamma multiply in the forward pass?",
                "dL/dgamma = sum_n dout * x_hat.",
                "dgamma = (dout * x_hat).sum(axis=0).",
            ],
            replace={"batchnorm_backward": _backward_dgamma_no_xhat},
        ),
    ],
)
