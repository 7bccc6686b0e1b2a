"""Quiz: recurrent networks, LSTM cells, embeddings and attention."""

import math

from deepcareer.mentor.quiz import Choice, Numeric, Quiz, distinct


def _rnn_params(rng):
    d = int(rng.integers(2, 65))
    h = int(rng.integers(4, 129))
    n = h * d + h * h + 2 * h
    return {"d": d, "h": h}, float(n), distinct(n, {
        "forgetting the recurrent weights": h * d + 2 * h,
        "forgetting the biases": h * d + h * h,
        "a single bias vector": h * d + h * h + h}, rel_tol=1e-4)


def _lstm_params(rng):
    d = int(rng.integers(2, 65))
    h = int(rng.integers(4, 129))
    one = h * d + h * h + 2 * h
    return {"d": d, "h": h}, float(4 * one), distinct(4 * one, {
        "counting one gate only": one,
        "three gates (forgetting the candidate cell)": 3 * one,
        "forgetting the recurrent weights": 4 * (h * d + 2 * h)}, rel_tol=1e-4)


def _bptt(rng):
    w = float(rng.choice([0.5, 0.8, 0.9, 1.1, 1.2, 1.5]))
    t = int(rng.integers(5, 21))
    return {"w": w, "T": t}, w ** t, distinct(w ** t, {
        "adding the factors instead of multiplying them": w * t,
        "one factor fewer than there are steps": w ** (t - 1)})


def _cell(rng):
    f, i = (round(float(v), 2) for v in rng.uniform(0.05, 0.95, size=2))
    g = round(float(rng.uniform(-0.9, 0.9)), 2)
    c = round(float(rng.uniform(-2, 2)), 2)
    new = f * c + i * g
    return {"f": f, "i": i, "g": g, "c": c}, new, distinct(new, {
        "swapping the gates (input gate on the old cell)": i * c + f * g,
        "leaving out the forget gate": c + i * g,
        "leaving out the input gate": f * c + g})


def _emb_rows(rng):
    while True:
        ids = [int(v) for v in rng.integers(0, 8, size=8)]
        if len(set(ids)) < len(ids):
            break
    return {"ids": ids}, float(len(set(ids))), distinct(len(set(ids)), {
        "counting every position, repeats included": len(ids),
        "thinking every row of the table gets a gradient": 1000}, rel_tol=1e-3)


def _attn_weight(rng):
    while True:
        q = [int(v) for v in rng.integers(-2, 3, size=4)]
        k1 = [int(v) for v in rng.integers(-2, 3, size=4)]
        k2 = [int(v) for v in rng.integers(-2, 3, size=4)]
        s1 = sum(a * b for a, b in zip(q, k1))
        s2 = sum(a * b for a, b in zip(q, k2))
        if s1 != s2:
            break

    def first(scale):
        return 1 / (1 + math.exp((s2 - s1) / scale))

    return {"q": q, "k1": k1, "k2": k2}, first(2.0), distinct(first(2.0), {
        "not scaling the scores": first(1.0),
        "dividing by $d$ instead of $\\sqrt{d}$": first(4.0)})


QUIZ = Quiz(
    id="sequences",
    title="Recurrent networks, LSTMs, embeddings and attention",
    skills=["rnn", "lstm", "embeddings", "attention"],
    questions=[
        Numeric(
            skill="rnn",
            prompt="PyTorch's `nn.RNN` with input size {d} and hidden size {h} (one layer, two "
            "bias vectors as PyTorch keeps them). How many parameters does it have?",
            make=_rnn_params,
            explanation="$h \\times d$ input weights, $h \\times h$ recurrent weights and two "
            "bias vectors of length $h$.",
            rel_tol=1e-9,
        ),
        Numeric(
            skill="rnn",
            prompt="A linear recurrence $h_t = w h_{{t-1}}$ with $w = {w}$ runs {T} steps. What "
            "is $\\partial h_T / \\partial h_0$?",
            make=_bptt,
            explanation="Backpropagation through time multiplies one factor $w$ per step: "
            "$w^T$, which vanishes for $|w| < 1$ and explodes for $|w| > 1$.",
        ),
        Choice(
            skill="rnn",
            prompt="Why clip gradients when training an RNN?",
            options=["To make training deterministic",
                     "Gradients through many time steps can explode; clipping their norm keeps "
                     "one bad step from wrecking the weights",
                     "To fix vanishing gradients", "Because RNNs have no biases"],
            answer=1,
            why_not={0: "Clipping does not remove randomness.",
                     2: "Clipping caps large gradients; it cannot enlarge vanishing ones.",
                     3: "RNN cells do have biases, and they are unrelated."},
            explanation="Repeated multiplication by the recurrent Jacobian can blow up the "
            "gradient; rescaling it to a maximum norm keeps the direction, limits the step.",
        ),
        Numeric(
            skill="lstm",
            prompt="PyTorch's `nn.LSTM` with input size {d} and hidden size {h} (one layer, two "
            "bias vectors per gate). How many parameters does it have?",
            make=_lstm_params,
            explanation="Four gate blocks (input, forget, candidate, output), each with input "
            "weights, recurrent weights and two biases: four times an RNN's count.",
            rel_tol=1e-9,
        ),
        Numeric(
            skill="lstm",
            prompt="An LSTM cell has forget gate $f = {f}$, input gate $i = {i}$, candidate "
            "$g = {g}$ and previous cell state $c = {c}$. What is the new cell state?",
            make=_cell,
            explanation="$c_t = f \\odot c_{t-1} + i \\odot g$: the forget gate scales the old "
            "memory, the input gate scales what is written.",
        ),
        Choice(
            skill="lstm",
            prompt="Why do LSTMs keep gradients alive over more steps than a plain RNN?",
            options=["They use ReLU everywhere",
                     "The cell state is updated additively, scaled by a forget gate that can "
                     "stay near 1, rather than squashed through a matrix and tanh every step",
                     "They have fewer parameters", "They are trained without backpropagation"],
            answer=1,
            why_not={0: "LSTM gates use sigmoids and tanh.",
                     2: "They have four times the parameters of an RNN of the same size.",
                     3: "They are trained by backpropagation through time."},
            explanation="Along the cell state $\\partial c_t/\\partial c_{t-1} = f$, so with "
            "$f \\approx 1$ the gradient passes almost unchanged (a common trick: forget-gate "
            "bias 1).",
        ),
        Numeric(
            skill="embeddings",
            prompt="An embedding table of 1000 rows receives the batch of token ids {ids}. How "
            "many rows get a non-zero gradient (assume the upstream gradients are non-zero)?",
            make=_emb_rows,
            explanation="Only rows that were looked up get a gradient, one per DISTINCT id; "
            "repeated ids add into the same row.",
            rel_tol=1e-9,
        ),
        Choice(
            skill="embeddings",
            prompt="What is an embedding lookup equivalent to?",
            options=["A convolution over the vocabulary",
                     "Multiplying a one-hot vector of the token by the embedding matrix",
                     "A softmax over the vocabulary", "Hashing the token's characters"],
            answer=1,
            why_not={0: "There is no sliding window over the vocabulary.",
                     2: "A softmax produces probabilities; a lookup selects a learned vector.",
                     3: "Embeddings are learned parameters, not fixed hashes."},
            explanation="$e_t^\\top E$ selects row $t$ of $E$; the lookup does that without "
            "building the one-hot vector, and its gradient touches only that row.",
        ),
        Numeric(
            skill="attention",
            prompt="Scaled dot-product attention with query $q = {q}$ and two keys "
            "$k_1 = {k1}$, $k_2 = {k2}$ (dimension 4). What weight does the first key get?",
            make=_attn_weight,
            explanation="Scores are $q \\cdot k / \\sqrt{d}$, here divided by 2, then a softmax "
            "over the keys.",
        ),
        Choice(
            skill="attention",
            prompt="Why are attention scores divided by $\\sqrt{d_k}$?",
            options=["To make them positive",
                     "Dot products of $d_k$-dimensional random vectors grow like "
                     "$\\sqrt{d_k}$; unscaled, the softmax saturates and its gradients vanish",
                     "To normalise them into probabilities", "To save computation"],
            answer=1,
            why_not={0: "Division by a positive number keeps the sign.",
                     2: "The softmax does the normalising.",
                     3: "It adds a division; it saves nothing."},
            explanation="With unit-variance entries, $q \\cdot k$ has variance $d_k$; dividing by "
            "$\\sqrt{d_k}$ keeps the scores at unit scale whatever the width.",
        ),
    ],
)
