"""Reference: a tiny character-level GPT beside the char-LSTM, on the same text and budget.

Two experiments: ``gpt`` (embeddings of each character and of the two before it, a stack
of pre-LayerNorm transformer blocks with causal self-attention and rotary positions, a
linear head) and ``lstm`` (the char-lstm project's model with its settings). Both train
for STEPS updates on 2,048 characters each, random windows of the training text, so the
report compares them on the same budget.
"""

import math
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

STEPS = 1000  # updates of 2,048 characters each: about one pass over the training text
TRAIN_S = 600.0  # a ceiling on the wall clock, for a machine busy with other work
TEMPERATURE = 0.8  # the default for sample(); the report also shows other temperatures

# The transformer.
WIDTH = 128  # D: the size of every position's vector in the residual stream
LAYERS = 2
HEADS = 4  # each head attends with WIDTH // HEADS = 32 dimensions
CONTEXT = 128  # the longest prefix one forward pass sees
PREVIOUS = 2  # embedding tables for the characters 1 and 2 places back
GPT_BATCH = 16  # 16 windows of 128: the same 2,048 characters per update as the LSTM
GPT_LR = 5e-3  # a small transformer tolerates a high peak rate after a warm-up
WARMUP = 0.05  # the share of the budget spent raising the rate from 0 to GPT_LR
WEIGHT_DECAY = 0.1  # decoupled (AdamW), on the weight matrices only
GPT_STEPS_PER_EPOCH = 25  # an "epoch" is a fixed number of updates: one row of the curves

# The LSTM: the char-lstm reference's model and settings, unchanged.
EMBED = 32
HIDDEN = 256
SEQ_LEN = 64
LSTM_BATCH = 32
LSTM_LR = 2e-2
LSTM_STEPS_PER_EPOCH = 50

CLIP = 1.0  # both: clip the gradient norm, so one bad batch cannot throw the weights far



def rotate(x):
    """Rotary position embedding: rotate each pair of dimensions (i, i + d/2) of a query
    or key at position t by the angle t * 10000^(-2i/d). A query-key dot product then
    depends on the two positions only through their distance."""
    T, d = x.shape[-2], x.shape[-1]
    freqs = 10000.0 ** (-torch.arange(0, d // 2, dtype=torch.float32) / (d // 2))  # (d/2,)
    angles = torch.arange(T, dtype=torch.float32)[:, None] * freqs[None, :]  # (T, d/2)
    cos, sin = angles.cos(), angles.sin()
    x1, x2 = x[..., : d // 2], x[..., d // 2:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


class CausalSelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.qkv = nn.Linear(WIDTH, 3 * WIDTH)  # queries, keys and values in one product
        self.out = nn.Linear(WIDTH, WIDTH)

    def forward(self, x):
        B, T, D = x.shape
        q, k, v = self.qkv(x).split(D, dim=2)  # 3 x (B, T, D)
        # (B, T, D) -> (B, HEADS, T, D / HEADS): each head attends on its own slice.
        q, k, v = (z.view(B, T, HEADS, D // HEADS).transpose(1, 2) for z in (q, k, v))
        q, k = rotate(q), rotate(k)  # positions enter as rotations of q and k
        # softmax(q k^T / sqrt(head size)) v, with position t seeing positions <= t only.
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # (B, HEADS, T, D / HEADS)
        return self.out(y.transpose(1, 2).reshape(B, T, D))  # heads merged back: (B, T, D)


class Block(nn.Module):
    """Pre-LayerNorm: each sub-layer reads a normalised copy and adds to the raw stream."""

    def __init__(self):
        super().__init__()
        self.ln1 = nn.LayerNorm(WIDTH)
        self.attn = CausalSelfAttention()
        self.ln2 = nn.LayerNorm(WIDTH)
        self.mlp = nn.Sequential(nn.Linear(WIDTH, 4 * WIDTH), nn.GELU(),
                                 nn.Linear(4 * WIDTH, WIDTH))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))  # (B, T, D)
        return x + self.mlp(self.ln2(x))  # (B, T, D)


class TinyGPT(nn.Module):
    def __init__(self, vocab_size, seed):
        super().__init__()
        self.seed = seed  # kept so that sampling is reproducible
        self.context = CONTEXT
        self.tokens = nn.Embedding(vocab_size, WIDTH)
        # One table per character back: the model sees its last few characters directly.
        self.previous = nn.ModuleList(nn.Embedding(vocab_size, WIDTH)
                                      for _ in range(PREVIOUS))
        self.blocks = nn.ModuleList(Block() for _ in range(LAYERS))
        self.ln = nn.LayerNorm(WIDTH)
        self.head = nn.Linear(WIDTH, vocab_size)

    def forward(self, x):
        """Logits of the next character after each prefix of x (B, T), T <= CONTEXT."""
        T = x.shape[1]
        h = self.tokens(x)  # (B, T, D); no position embedding: the rotations carry order
        for k, table in enumerate(self.previous, start=1):
            # x shifted right by k (newlines, id 0, in front): position t gets x[t - k].
            before = torch.cat([torch.zeros_like(x[:, :k]), x[:, :-k]], dim=1)[:, :T]
            h = h + table(before)  # (B, T, D)
        for block in self.blocks:
            h = block(h)
        return self.head(self.ln(h))  # (B, T, V)


class CharLSTM(nn.Module):
    def __init__(self, vocab_size, seed):
        super().__init__()
        self.seed = seed
        self.context = None  # no limit: the state carries the whole prefix
        self.embed = nn.Embedding(vocab_size, EMBED)
        self.lstm = nn.LSTM(EMBED, HIDDEN, batch_first=True)
        self.head = nn.Linear(HIDDEN, vocab_size)

    def forward(self, x):
        h, _ = self.lstm(self.embed(x))  # (B, T, H), from a zero state
        return self.head(h)  # (B, T, V)


def random_windows(ids, rng, batch, length):
    """``batch`` windows of length + 1 characters at random places: inputs and targets."""
    starts = rng.integers(0, len(ids) - length - 1, size=batch)
    chunk = torch.from_numpy(ids[starts[:, None] + np.arange(length + 1)])  # (B, T + 1)
    return chunk[:, :-1], chunk[:, 1:]  # the target of each character is the one after it


def learning_rate(peak, progress, warmup):
    """Linear warm-up to ``peak`` over the first ``warmup`` of the run, then cosine decay
    to peak / 20. Warm-up matters for the transformer: Adam's first steps are large
    relative to the small initial weights, and a full rate then can send attention
    somewhere it never recovers from."""
    if progress < warmup:
        return peak * progress / warmup
    done = min(1.0, (progress - warmup) / (1.0 - warmup))
    return peak * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * done)))


def _optimizer(model, variant):
    if variant == "lstm":
        return torch.optim.Adam(model.parameters(), lr=LSTM_LR)
    # Decay the matrices only: shrinking biases, LayerNorm gains or embeddings towards 0
    # does not make the model simpler, it only fights the fit.
    decay = [p for n, p in model.named_parameters()
             if p.dim() == 2 and not n.startswith(("tokens", "previous"))]
    rest = [p for n, p in model.named_parameters() if not any(p is d for d in decay)]
    return torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY},
                              {"params": rest, "weight_decay": 0.0}],
                             lr=GPT_LR, betas=(0.9, 0.99))


def fit(train, run):
    """Train run.variant ('gpt' or 'lstm') on train.X, one long 1-D array of ids."""
    torch.manual_seed(run.seed)
    rng = np.random.default_rng(run.seed)
    ids = np.asarray(train.X, dtype=np.int64)
    vocab_size = len(train.vocab)
    # Stop by ourselves well before the runner's budget would kill the run.
    time_limit = min(TRAIN_S, run.budget_s - 10.0)
    start, cpu_start = time.monotonic(), time.process_time()
    if run.variant == "lstm":
        model = CharLSTM(vocab_size, run.seed)
        batch, length, peak, warmup, per_epoch = LSTM_BATCH, SEQ_LEN, LSTM_LR, 0.0, (
            LSTM_STEPS_PER_EPOCH)
        run.params(embed=EMBED, hidden=HIDDEN, seq_len=SEQ_LEN, batch=batch, lr=peak,
                   clip=CLIP, steps=STEPS)
    else:
        model = TinyGPT(vocab_size, run.seed)
        batch, length, peak, warmup, per_epoch = GPT_BATCH, CONTEXT, GPT_LR, WARMUP, (
            GPT_STEPS_PER_EPOCH)
        run.params(width=WIDTH, layers=LAYERS, heads=HEADS, context=CONTEXT, batch=batch,
                   previous=PREVIOUS, lr=peak, warmup=WARMUP, weight_decay=WEIGHT_DECAY,
                   clip=CLIP, steps=STEPS,
                   parameters=sum(p.numel() for p in model.parameters()))
    optimizer = _optimizer(model, run.variant)

    step = 0
    progress = 0.0
    for _epoch in run.epochs(STEPS // per_epoch):
        losses = []
        for _ in range(per_epoch):
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
            # The budget is a number of updates on as many characters for both models,
            # so a machine busy with other work slows the run but does not change the
            # comparison. The wall clock only stops a run that would overstay.
            progress = max(step / STEPS, (time.monotonic() - start) / time_limit)
            if progress >= 1.0:
                break
        mean_loss = float(np.mean(losses))  # nats per character
        # Wall and CPU seconds so far: on a busy machine the wall clock stretches, while
        # the CPU time per update shows what an idle one would take.
        run.log(loss=mean_loss, bits_per_char=mean_loss / math.log(2), step=step,
                seconds=time.monotonic() - start, cpu_s=time.process_time() - cpu_start)
        if progress >= 1.0:
            break
    model.eval()
    return model


@torch.no_grad()
def _log_probs(model, X):
    """(n, T) ids -> (n, T, V) log-probabilities, each position from its own prefix.

    The LSTM reads the whole row. The transformer sees at most ``model.context``
    characters, so a longer row is scored in overlapping windows: the first window gives
    its positions, each next one moves on by half a context and gives only its new
    positions, which therefore always see at least half a context of real prefix. Every
    position uses characters up to itself only.
    """
    n, T = X.shape
    window = model.context or T
    if T <= window:
        return torch.log_softmax(model(X), dim=-1)
    out = torch.empty(n, T, model.head.out_features)
    out[:, :window] = torch.log_softmax(model(X[:, :window]), dim=-1)
    done, stride = window, window // 2
    while done < T:
        end = min(done + stride, T)
        lo = end - window  # the window [lo, end) ends at the last new position
        out[:, done:end] = torch.log_softmax(model(X[:, lo:end]), dim=-1)[:, done - lo:]
        done = end
    return out


@torch.no_grad()
def predict(model, X):
    """Log-probabilities (natural log) of the next character after each prefix of each row."""
    X = torch.as_tensor(np.asarray(X, dtype=np.int64))  # (n, T)
    rows = [_log_probs(model, batch) for batch in torch.split(X, 64)]  # a few rows at a time
    return torch.cat(rows).numpy().astype(np.float32)  # (n, T, V)


@torch.no_grad()
def sample(model, prompt, n, temperature=TEMPERATURE):
    """n new character ids after prompt, drawn one at a time at ``temperature``.

    Each step runs the model on the last ``context`` characters (the LSTM on everything
    so far): simple, and fast enough for a few hundred characters. A key-value cache
    would reuse the earlier positions' keys and values instead of recomputing them.
    """
    generator = torch.Generator().manual_seed(model.seed)
    ids = [int(i) for i in np.asarray(prompt, dtype=np.int64)] or [0]  # 0 is a newline
    out = []
    for _ in range(n):
        window = ids[-model.context:] if model.context else ids
        logits = model(torch.tensor([window]))[0, -1]  # (V,)
        probs = torch.softmax(logits / temperature, dim=-1)
        next_id = int(torch.multinomial(probs, 1, generator=generator))
        ids.append(next_id)
        out.append(next_id)
    return np.array(out, dtype=np.int64)
