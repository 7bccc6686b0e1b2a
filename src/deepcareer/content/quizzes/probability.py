"""Quiz: discrete and continuous distributions, maximum likelihood and the costs it gives."""

import math

from deepcareer.mentor.quiz import Choice, Numeric, Quiz, distinct


def _binomial(rng):
    n = int(rng.integers(4, 11))
    k = int(rng.integers(1, n))
    p = float(rng.choice([0.2, 0.3, 0.4, 0.6, 0.7]))
    core = p ** k * (1 - p) ** (n - k)
    right = math.comb(n, k) * core
    return {"n": n, "k": k, "p": p}, right, distinct(right, {
        "forgetting the binomial coefficient": core,
        "forgetting the failures' factor $(1-p)^{n-k}$": math.comb(n, k) * p ** k})


def _poisson(rng):
    lam = float(rng.choice([0.5, 1.5, 2.0, 3.0, 4.5]))
    k = int(rng.integers(2, 6))
    right = lam ** k * math.exp(-lam) / math.factorial(k)
    return {"lam": lam, "k": k}, right, distinct(right, {
        "forgetting the $k!$": lam ** k * math.exp(-lam),
        "forgetting the $e^{-\\lambda}$": lam ** k / math.factorial(k)})


def _bernoulli_ll(rng):
    n = int(rng.integers(5, 21))
    k = int(rng.integers(1, n))
    p = float(rng.choice([0.2, 0.3, 0.5, 0.6, 0.8]))
    right = k * math.log(p) + (n - k) * math.log(1 - p)
    return {"n": n, "k": k, "p": p}, right, distinct(right, {
        "using base-10 logarithms": k * math.log10(p) + (n - k) * math.log10(1 - p),
        "counting only the ones": k * math.log(p)})


def _gauss_pdf(rng):
    mu = int(rng.integers(-2, 3))
    sigma = float(rng.choice([0.5, 2.0, 3.0]))
    x = mu + float(rng.choice([-1, 1])) * round(float(rng.uniform(0.2, 2.0)), 1)
    z2 = (x - mu) ** 2
    right = math.exp(-z2 / (2 * sigma ** 2)) / (sigma * math.sqrt(2 * math.pi))
    return {"mu": mu, "sigma": sigma, "x": x}, right, distinct(right, {
        "leaving out the normalising constant": math.exp(-z2 / (2 * sigma ** 2)),
        "using $\\sigma$ where $\\sigma^2$ belongs in the exponent":
            math.exp(-z2 / (2 * sigma)) / (sigma * math.sqrt(2 * math.pi))})


def _expo_tail(rng):
    lam = float(rng.choice([0.5, 2.0, 4.0, 0.25]))
    t = round(float(rng.uniform(0.2, 3.0)), 1)
    right = math.exp(-lam * t)
    return {"lam": lam, "t": t}, right, distinct(right, {
        "giving the CDF $P(X \\le t)$ instead": 1 - right,
        "taking $\\lambda$ as the mean instead of the rate": math.exp(-t / lam)})


def _data(rng):
    return [round(float(v), 1) for v in rng.uniform(0, 10, size=int(rng.integers(4, 7)))]


def _gauss_var(rng):
    xs = _data(rng)
    while len(set(xs)) < 2:
        xs = _data(rng)
    m = sum(xs) / len(xs)
    ss = sum((x - m) ** 2 for x in xs)
    right = ss / len(xs)
    return {"xs": xs}, right, distinct(right, {
        "the unbiased estimate (dividing by $n - 1$)": ss / (len(xs) - 1),
        "the standard deviation instead of the variance": math.sqrt(right)}, rel_tol=1e-3)


def _expo_rate(rng):
    xs = [round(float(v), 1) for v in rng.uniform(0.1, 5, size=int(rng.integers(4, 8)))]
    m = sum(xs) / len(xs)
    return {"xs": xs}, 1 / m, distinct(1 / m, {
        "giving the mean (the scale) instead of the rate": m,
        "summing without dividing by $n$": 1 / sum(xs)})


def _gauss_nll(rng):
    y = round(float(rng.uniform(-2, 2)), 1)
    mu = round(y + float(rng.choice([-1, 1])) * float(rng.uniform(0.3, 2)), 1)
    var = float(rng.choice([0.25, 0.5, 2.0, 4.0]))
    right = 0.5 * math.log(2 * math.pi * var) + (y - mu) ** 2 / (2 * var)
    return {"y": y, "mu": mu, "var": var}, right, distinct(right, {
        "dropping the log-normaliser": (y - mu) ** 2 / (2 * var),
        "plain squared error, ignoring the variance": (y - mu) ** 2})


QUIZ = Quiz(
    id="probability",
    title="Distributions, maximum likelihood and likelihood-based costs",
    skills=["distributions-discrete", "distributions-continuous", "mle", "max-likelihood-cost"],
    questions=[
        Numeric(
            skill="distributions-discrete",
            prompt="A coin lands heads with probability {p}. What is the probability of exactly "
            "{k} heads in {n} tosses?",
            make=_binomial,
            explanation="$P(X = k) = \\binom{n}{k} p^k (1 - p)^{n - k}$: the coefficient counts "
            "the orders in which the heads can fall.",
        ),
        Numeric(
            skill="distributions-discrete",
            prompt="Events arrive as a Poisson process with mean {lam} per minute. What is the "
            "probability of exactly {k} events in a minute?",
            make=_poisson,
            explanation="$P(X = k) = \\lambda^k e^{-\\lambda} / k!$.",
        ),
        Numeric(
            skill="distributions-discrete",
            prompt="A Bernoulli model with $p = {p}$ sees {k} ones among {n} independent "
            "draws. What is the log-likelihood (natural log) of the data?",
            make=_bernoulli_ll,
            explanation="$k \\ln p + (n - k) \\ln(1 - p)$: independent draws multiply, so their "
            "logs add, zeros included.",
        ),
        Numeric(
            skill="distributions-continuous",
            prompt="What is the density of a normal distribution with mean {mu} and standard "
            "deviation {sigma} at $x = {x}$?",
            make=_gauss_pdf,
            explanation="$\\frac{1}{\\sigma\\sqrt{2\\pi}} \\exp(-(x - \\mu)^2 / 2\\sigma^2)$.",
        ),
        Numeric(
            skill="distributions-continuous",
            prompt="Waiting times are exponential with rate $\\lambda = {lam}$ per hour. What is "
            "the probability of waiting MORE than {t} hours?",
            make=_expo_tail,
            explanation="The survival function is $P(X > t) = e^{-\\lambda t}$; the mean wait "
            "is $1/\\lambda$.",
        ),
        Choice(
            skill="distributions-continuous",
            prompt="A normal density with $\\sigma = 0.1$ takes the value 3.99 at its mean. "
            "Is that a mistake?",
            options=["Yes: probabilities cannot exceed 1",
                     "No: a density is not a probability; only its integral over an interval "
                     "must be at most 1",
                     "Yes: the density at the mean is always 1",
                     "No, because $\\sigma$ is small, so it is rounded"],
            answer=1,
            why_not={0: "A density value is probability per unit length, and can exceed 1 "
                        "when the distribution is narrow.",
                     2: "The peak is $1/(\\sigma\\sqrt{2\\pi})$, which depends on $\\sigma$.",
                     3: "Nothing is rounded; 3.99 is the exact peak for $\\sigma = 0.1$."},
            explanation="$1/(0.1\\sqrt{2\\pi}) \\approx 3.99$: narrow densities are tall, and "
            "the area under them is still 1.",
        ),
        Numeric(
            skill="mle",
            prompt="Fit a normal distribution to {xs} by maximum likelihood. What is the "
            "estimated VARIANCE?",
            make=_gauss_var,
            explanation="Setting the derivative of the log-likelihood to 0 gives the mean and "
            "the average squared deviation, divided by $n$ (the MLE is biased).",
            rel_tol=1e-4,
        ),
        Numeric(
            skill="mle",
            prompt="Fit an exponential distribution to the waiting times {xs} by maximum "
            "likelihood. What is the estimated rate $\\lambda$?",
            make=_expo_rate,
            explanation="$\\ell(\\lambda) = n \\ln \\lambda - \\lambda \\sum x_i$ is maximal at "
            "$\\lambda = n / \\sum x_i$, one over the sample mean.",
            rel_tol=1e-3,
        ),
        Choice(
            skill="mle",
            prompt="Why do we maximise the LOG-likelihood rather than the likelihood?",
            options=["It has a different maximum that generalises better",
                     "The log is increasing, so the maximum is the same, and sums of logs are "
                     "easy to differentiate and do not underflow like products of many "
                     "probabilities",
                     "The likelihood cannot be computed",
                     "The log makes the problem convex"],
            answer=1,
            why_not={0: "A strictly increasing function keeps the same maximiser.",
                     2: "It can; it just underflows to 0 for large datasets.",
                     3: "Convexity depends on the model; the log does not guarantee it."},
            explanation="Products of thousands of probabilities round to 0 in floating point; "
            "their logs add up to a finite number with the same maximiser.",
        ),
        Numeric(
            skill="max-likelihood-cost",
            prompt="A Gaussian model predicts mean {mu} with variance {var} for a target of "
            "{y}. What is the negative log-likelihood (natural log) of that target?",
            make=_gauss_nll,
            explanation="$-\\ln \\mathcal{N}(y; \\mu, \\sigma^2) = "
            "\\frac{1}{2}\\ln(2\\pi\\sigma^2) + (y - \\mu)^2 / 2\\sigma^2$.",
        ),
        Choice(
            skill="max-likelihood-cost",
            prompt="Minimising the mean squared error is maximum likelihood under which model?",
            options=["A Bernoulli model of the target",
                     "A Gaussian model of the target with a fixed variance",
                     "A Laplace model of the target", "No probabilistic model"],
            answer=1,
            why_not={0: "A Bernoulli model gives the binary cross-entropy.",
                     2: "A Laplace model gives the mean ABSOLUTE error.",
                     3: "The squared error is exactly a Gaussian negative log-likelihood up to "
                        "constants."},
            explanation="With fixed $\\sigma$ the Gaussian NLL is $(y - \\mu)^2/2\\sigma^2$ plus "
            "a constant: the same minimiser as the MSE.",
        ),
    ],
)
