"""Your project: a character-level LSTM language model of Python's standard library.

Fill in every function that raises NotImplementedError. Read README.md first: it explains
the data, the metric (bits per character on held-out files) and what to try.

`train.X` is the training text as one long 1-D array of character ids (int64) and
`train.vocab[i]` is the character of id i.
"""

import math
import time

import numpy as np
import torch
from torch import nn

# Starting values: change them, and record what you tried with run.params.
EMBED = 32
HIDDEN = 256
LAYERS = 1
SEQ_LEN = 64  # characters per training window: how far back gradients flow
BATCH = 32
LR = 3e-3
CLIP = 1.0
EPOCHS = 12
STEPS_PER_EPOCH = 50  # an "epoch" can be a fixed number of updates: 600 in all
TEMPERATURE = 0.8


class CharLSTM(nn.Module):
    def __init__(self, vocab_size, seed):
        super().__init__()
        self.seed = seed  # keep it: sample() should be reproducible
        raise NotImplementedError(
            "build the layers: an nn.Embedding(vocab_size, EMBED), an nn.LSTM with "
            "batch_first=True, and an nn.Linear from the hidden size to vocab_size")

    def forward(self, x, state=None):
        """x (B, T) ids -> logits (B, T, V) of the next character, and the LSTM's state."""
        raise NotImplementedError(
            "embed x to (B, T, E), run the LSTM (passing state) to (B, T, H), project to "
            "(B, T, V); return the logits and the new state")


def random_windows(ids, rng):
    """BATCH random windows of the text: inputs (B, T) and targets (B, T), as tensors."""
    raise NotImplementedError(
        "pick BATCH random start positions with rng, cut SEQ_LEN + 1 characters at each; "
        "the inputs are the first SEQ_LEN, the targets the same windows shifted by one")


def train_step(model, optimizer, x, y):
    """One update on a batch of windows; returns the loss (nats per character) as a float."""
    raise NotImplementedError(
        "logits = model(x); cross-entropy between the (B*T, V) logits and the (B*T,) "
        "targets; zero the gradients, backward, clip the gradient norm to CLIP, step")


def fit(train, run):
    torch.manual_seed(run.seed)
    rng = np.random.default_rng(run.seed)
    ids = np.asarray(train.X, dtype=np.int64)
    vocab_size = len(train.vocab)
    # Train for a fixed number of updates: verify re-runs this code, maybe on a busier
    # machine, and a loop that stops on the clock trains less there. The clock is only a
    # ceiling, before the runner stops a run that overstays its budget.
    time_limit = run.budget_s - 25.0
    start = time.monotonic()

    model = CharLSTM(vocab_size, run.seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    run.params(embed=EMBED, hidden=HIDDEN, layers=LAYERS, seq_len=SEQ_LEN, batch=BATCH,
               lr=LR, clip=CLIP)
    for _epoch in run.epochs(EPOCHS):
        losses = []
        for _ in range(STEPS_PER_EPOCH):
            x, y = random_windows(ids, rng)  # (B, T), (B, T)
            losses.append(train_step(model, optimizer, x, y))
            if time.monotonic() - start > time_limit:
                break
        loss = float(np.mean(losses))  # nats per character
        run.log(loss=loss, bits_per_char=loss / math.log(2))
        if time.monotonic() - start > time_limit:
            break
    model.eval()
    return model


@torch.no_grad()
def predict(model, X):
    """X (n, T) int64 -> float32 (n, T, V): natural-log probabilities of the next character
    after each prefix (position t is scored against X[:, t + 1])."""
    raise NotImplementedError(
        "run the model on a few rows at a time, take log_softmax over the last axis, "
        "and return one float32 NumPy array")


@torch.no_grad()
def sample(model, prompt, n):
    """n new character ids (1-D int64) after the 1-D int64 prompt."""
    raise NotImplementedError(
        "seed a torch.Generator from model.seed, feed the prompt to get a state, then n "
        "times: softmax(logits / TEMPERATURE), torch.multinomial with the generator, feed "
        "the drawn id back in with the state")
