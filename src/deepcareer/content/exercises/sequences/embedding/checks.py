"""Cases and misconceptions for the embedding layer."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception


def _buffered(dout, ids, vocab_size):
    dW = np.zeros((vocab_size, dout.shape[-1]))
    dW[ids.ravel()] += dout.reshape(-1, dout.shape[-1])  # repeats overwrite each other
    return dW


def _mean_over_occurrences(dout, ids, vocab_size):
    d = dout.shape[-1]
    dW = np.zeros((vocab_size, d))
    np.add.at(dW, ids.ravel(), dout.reshape(-1, d))
    counts = np.bincount(ids.ravel(), minlength=vocab_size)[:, None]
    return dW / np.maximum(counts, 1)



def _reversed_positions(ids, W):
    return W[ids[:, ::-1]]  # reads the sequence back to front


def _random_cases(rng):
    v, d = 7, 3
    ids = rng.integers(0, v, size=(2, 5))
    return [
        Case("embedding_forward", [ids, rng.normal(size=(v, d))], name="random ids"),
        Case("embedding_backward", [rng.normal(size=(2, 5, d)), ids, v], name="random ids"),
    ]


IDS = np.array([[1, 3, 1], [0, 3, 2]])
W = np.arange(12.0).reshape(4, 3)
DOUT = np.arange(18.0).reshape(2, 3, 3) / 10

CHECKS = Checks(
    cases=[
        Case("embedding_forward", [IDS, W], name="the README example"),
        Case("embedding_backward", [DOUT, IDS, 4], name="the README example (repeated tokens)"),
        Case("embedding_backward", [np.ones((1, 3, 2)), np.array([[2, 0, 1]]), 5],
             name="no repeats, unused rows"),
    ],
    hidden=[
        Case("embedding_forward", [np.array([[0, 0], [1, 1]]), np.eye(2)]),
        Case("embedding_backward", [np.linspace(-1, 1, 12).reshape(2, 2, 3),
                                    np.array([[1, 1], [1, 0]]), 3]),
    ],
    random_cases=_random_cases,
    misconceptions=[
        Misconception(
            id="embedding.buffered-scatter",
            title="dW[ids] += dout, which drops repeated tokens",
            explanation="With fancy indexing, += is buffered: when an id appears twice, both "
            "writes go to the same row and only the last one survives. np.add.at performs the "
            "additions one by one.",
            hints=["Token 1 appears twice in the README batch: does its row get both gradients?",
                   "Fancy-index += does not accumulate repeats.",
                   "np.add.at(dW, ids.ravel(), dout.reshape(-1, D))."],
            replace={"embedding_backward": _buffered},
            reteach="Any gather in the forward pass (W[ids], x[idx]) becomes a scatter-add in the "
            "backward pass. In NumPy that is np.add.at; in PyTorch index_add_ or scatter_add_.",
        ),
        Misconception(
            id="embedding.mean-over-occurrences",
            title="averaging the gradients of a repeated token instead of summing them",
            explanation="Each occurrence contributed to the loss separately, so each contributes "
            "its full gradient: the chain rule sums.",
            hints=["Should a token used twice learn twice as fast?",
                   "Sum over occurrences.", "No division by the counts."],
            replace={"embedding_backward": _mean_over_occurrences},
        ),
        Misconception(
            id="embedding.reversed-positions",
            title="mixing up the token positions in the lookup",
            explanation="out[n, t] must be the vector of the token at position t of sequence n.",
            hints=["Is out[0, 0] the vector of ids[0, 0]?", "Index the table with ids as is.",
                   "W[ids]."],
            replace={"embedding_forward": _reversed_positions},
        ),
    ],
)
