"""Your project: a tiny character-level GPT of Python's standard library, beside an LSTM.

Fill in every function that raises NotImplementedError. Read README.md first: it explains
the data, the metric (bits per character on held-out files), the two experiments and what
to try.

`train.X` is the training text as one long 1-D array of character ids (int64) and
`train.vocab[i]` is the character of id i. `run.variant` is "gpt" or "lstm": the same
fit trains either model, on the same budget, so the report compares them fairly.
To run the GPT alone while you work on it: `deepcareer project run tiny-gpt -e gpt`.
"""

import math
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

# The budget, the same for both models: STEPS updates of 2,048 characters each, and a
# ceiling on the wall clock for a busy machine.
STEPS = 1000
TRAIN_S = 600.0
STEPS_PER_EPOCH = 25  # an "epoch" is a fixed number of updates: one row of the curves
TEMPERATURE = 0.8  # sample()'s default; the report also asks for other temperatures

# Starting values for the transformer: change them, and record what you tried.
WIDTH = 128  # D, the size of each position's vector
LAYERS = 2
HEADS = 4  # each head attends with WIDTH // HEADS dimensions
CONTEXT = 128  # the longest prefix one forward pass sees
PREVIOUS = 2  # embedding tables for the characters 1 and 2 places back
GPT_BATCH = 16
GPT_LR = 5e-3
WARMUP = 0.05  # share of the budget spent raising the learning rate from 0
WEIGHT_DECAY = 0.1
CLIP = 1.0

# The LSTM: bring your model and settings from the char-lstm project.
EMBED = 32
HIDDEN = 256
SEQ_LEN = 64
LSTM_BATCH = 32
LSTM_LR = 2e-2


def rotate(x):
    """Rotary position embedding of queries or keys x (B, HEADS, T, d), d even."""
    raise NotImplementedError(
        "pair dimension i with i + d/2; at position t rotate each pair by the angle "
        "t * 10000 ** (-2i / d): x1 * cos - x2 * sin and x2 * cos + x1 * sin, "
        "concatenated back to (B, HEADS, T, d)")


class CausalSelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.qkv = nn.Linear(WIDTH, 3 * WIDTH)
        self.out = nn.Linear(WIDTH, WIDTH)

    def forward(self, x):
        """x (B, T, D) -> (B, T, D): each position attends to itself and earlier ones."""
        raise NotImplementedError(
            "split qkv(x) into q, k, v; reshape each to (B, HEADS, T, D / HEADS); rotate q "
            "and k; softmax(q k^T / sqrt(D / HEADS)) with a causal mask, times v (or "
            "F.scaled_dot_product_attention(..., is_causal=True)); merge the heads back "
            "to (B, T, D) and apply self.out")


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = nn.LayerNorm(WIDTH)
        self.attn = CausalSelfAttention()
        self.ln2 = nn.LayerNorm(WIDTH)
        self.mlp = nn.Sequential(nn.Linear(WIDTH, 4 * WIDTH), nn.GELU(),
                                 nn.Linear(4 * WIDTH, WIDTH))

    def forward(self, x):
        """Pre-LayerNorm: x + attention of a normalised copy, then + MLP of another."""
        raise NotImplementedError("two residual additions: attn(ln1(x)), then mlp(ln2(x))")


class TinyGPT(nn.Module):
    def __init__(self, vocab_size, seed):
        super().__init__()
        self.seed = seed  # keep it: sample() should be reproducible
        self.context = CONTEXT  # predict() and sample() need to know the limit
        self.tokens = nn.Embedding(vocab_size, WIDTH)
        self.previous = nn.ModuleList(nn.Embedding(vocab_size, WIDTH)
                                      for _ in range(PREVIOUS))  # characters 1, 2.. back
        self.blocks = nn.ModuleList(Block() for _ in range(LAYERS))
        self.ln = nn.LayerNorm(WIDTH)
        self.head = nn.Linear(WIDTH, vocab_size)

    def forward(self, x):
        """x (B, T) ids, T <= CONTEXT -> logits (B, T, V) of the next character."""
        raise NotImplementedError(
            "embed x with self.tokens; for k = 1, 2, ... add self.previous[k - 1] of x "
            "shifted right by k (id 0 in front, still T long); run the blocks, the final "
            "LayerNorm and the head")


class CharLSTM(nn.Module):
    def __init__(self, vocab_size, seed):
        super().__init__()
        self.seed = seed
        self.context = None  # no limit: the state carries the whole prefix
        raise NotImplementedError(
            "your char-lstm model: an embedding, an LSTM with batch_first=True, a head")

    def forward(self, x):
        """x (B, T) ids -> logits (B, T, V), from a zero state."""
        raise NotImplementedError("as in your char-lstm project, returning the logits only")


def random_windows(ids, rng, batch, length):
    """``batch`` random windows: inputs (B, T) and targets (B, T) shifted by one."""
    starts = rng.integers(0, len(ids) - length - 1, size=batch)
    chunk = torch.from_numpy(ids[starts[:, None] + np.arange(length + 1)])  # (B, T + 1)
    return chunk[:, :-1], chunk[:, 1:]


def learning_rate(peak, progress, warmup):
    """Linear warm-up over the first ``warmup`` of the run, then cosine decay."""
    if progress < warmup:
        return peak * progress / warmup
    done = min(1.0, (progress - warmup) / (1.0 - warmup))
    return peak * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * done)))


def make_model(variant, vocab_size, seed):
    """The model and its optimizer for run.variant."""
    if variant == "lstm":
        model = CharLSTM(vocab_size, seed)
        return model, torch.optim.Adam(model.parameters(), lr=LSTM_LR)
    model = TinyGPT(vocab_size, seed)
    return model, torch.optim.AdamW(model.parameters(), lr=GPT_LR,
                                    weight_decay=WEIGHT_DECAY)


def fit(train, run):
    torch.manual_seed(run.seed)
    rng = np.random.default_rng(run.seed)
    ids = np.asarray(train.X, dtype=np.int64)
    vocab_size = len(train.vocab)
    time_limit = min(TRAIN_S, run.budget_s - 10.0)  # stop before the runner stops you
    start = time.monotonic()
    model, optimizer = make_model(run.variant, vocab_size, run.seed)
    gpt = run.variant != "lstm"
    batch, length = (GPT_BATCH, CONTEXT) if gpt else (LSTM_BATCH, SEQ_LEN)
    peak, warmup = (GPT_LR, WARMUP) if gpt else (LSTM_LR, 0.0)
    run.params(variant=run.variant, batch=batch, length=length, lr=peak,
               parameters=sum(p.numel() for p in model.parameters()))
    step, progress = 0, 0.0
    for _epoch in run.epochs(STEPS // STEPS_PER_EPOCH):
        losses = []
        for _ in range(STEPS_PER_EPOCH):
            x, y = random_windows(ids, rng, batch, length)  # (B, T), (B, T)
            logits = model(x)  # (B, T, V)
            loss = F.cross_entropy(logits.reshape(-1, vocab_size), y.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), CLIP)
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(peak, progress, warmup)
            optimizer.step()
            losses.append(loss.item())
            step += 1
            progress = max(step / STEPS, (time.monotonic() - start) / time_limit)
            if progress >= 1.0:
                break
        loss = float(np.mean(losses))  # nats per character
        run.log(loss=loss, bits_per_char=loss / math.log(2), step=step,
                seconds=time.monotonic() - start)
        if progress >= 1.0:
            break
    model.eval()
    return model


@torch.no_grad()
def predict(model, X):
    """X (n, T) int64 -> float32 (n, T, V): natural-log probabilities of the next character
    after each prefix (position t is scored against X[:, t + 1] and may use X[:, :t + 1]
    only). T can be longer than the GPT's context."""
    raise NotImplementedError(
        "a few rows at a time: the LSTM reads whole rows; for the GPT, score the first "
        "CONTEXT positions in one pass, then slide a window of CONTEXT characters on by "
        "CONTEXT // 2 and keep only its new positions; log_softmax over the last axis; "
        "return one float32 NumPy array")


@torch.no_grad()
def sample(model, prompt, n, temperature=TEMPERATURE):
    """n new character ids (1-D int64) after the 1-D int64 prompt, at ``temperature``."""
    raise NotImplementedError(
        "seed a torch.Generator from model.seed; n times: run the model on the last "
        "model.context ids (all of them for the LSTM), softmax(logits[-1] / temperature), "
        "draw with torch.multinomial and the generator, append the id")
