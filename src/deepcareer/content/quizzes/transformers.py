"""Quiz: multi-head attention, positions, the transformer block, tokenizers, sampling and LoRA."""

import math

from deepcareer.mentor.quiz import Choice, Numeric, Quiz, distinct


def _mha_params(rng):
    heads = int(rng.choice([2, 4, 8]))
    d = heads * int(rng.choice([8, 16, 32, 64]))
    n = 4 * d * d + 4 * d
    return {"d": d, "h": heads}, float(n), distinct(n, {
        "forgetting the output projection": 3 * d * d + 3 * d,
        "a full-width projection per head": heads * 3 * (d * d + d) + d * d + d,
        "forgetting the biases": 4 * d * d}, rel_tol=1e-4)


def _causal_pairs(rng):
    t = int(rng.integers(4, 65))
    n = t * (t + 1) // 2
    return {"T": t}, float(n), distinct(n, {
        "hiding the diagonal as well (a mask off by one)": t * (t - 1) // 2,
        "forgetting the mask": t * t}, rel_tol=1e-4)


def _sinusoid(rng):
    d = int(rng.choice([16, 32, 64]))
    i = int(rng.integers(1, 4))
    p = int(rng.integers(1, 30))
    angle = p / 10000 ** (2 * i / d)
    return {"d": d, "i": i, "p": p}, math.sin(angle), distinct(math.sin(angle), {
        "using $i/d$ in the exponent instead of $2i/d$": math.sin(p / 10000 ** (i / d)),
        "taking the cosine for an even index": math.cos(angle),
        "forgetting the frequency (using $\\sin p$)": math.sin(p)})


def _rope(rng):
    x0, x1 = (int(v) for v in rng.integers(1, 4, size=2))
    p = int(rng.integers(1, 6))
    theta = float(rng.choice([0.1, 0.2, 0.5]))
    a = p * theta
    y0 = x0 * math.cos(a) - x1 * math.sin(a)
    return {"x0": x0, "x1": x1, "p": p, "theta": theta}, y0, distinct(y0, {
        "rotating the wrong way": x0 * math.cos(a) + x1 * math.sin(a),
        "rotating by $\\theta$ whatever the position": x0 * math.cos(theta) - x1 * math.sin(theta)})


def _mlp_params(rng):
    d = int(rng.choice([32, 64, 96, 128, 256]))
    n = 8 * d * d + 5 * d
    return {"d": d}, float(n), distinct(n, {
        "forgetting the biases": 8 * d * d,
        "a hidden layer as wide as the model": 2 * d * d + 2 * d,
        "counting one of the two layers": 4 * d * d + 4 * d}, rel_tol=1e-4)


def _kv_bytes(rng):
    layers = int(rng.choice([2, 4, 6, 12]))
    t = int(rng.choice([128, 256, 512, 1024, 2048]))
    d = int(rng.choice([128, 256, 512]))
    mib = 2 * layers * t * d * 2 / 2 ** 20
    return {"L": layers, "T": t, "d": d}, mib, distinct(mib, {
        "caching the keys only": mib / 2,
        "one layer's cache only": mib / layers,
        "four bytes per number (float32)": 2 * mib})


def _merges(rng):
    while True:
        s = "".join(str(c) for c in rng.choice(list("aab"), size=11))
        if "aaa" in s:
            break
    merged, i = [], 0
    while i < len(s):
        if s[i:i + 2] == "aa":
            merged.append("aa")
            i += 2
        else:
            merged.append(s[i])
            i += 1
    overlapping = sum(s[j:j + 2] == "aa" for j in range(len(s) - 1))
    return {"s": s}, float(len(merged)), distinct(len(merged), {
        "counting overlapping pairs as separate merges": len(s) - overlapping}, rel_tol=1e-3)


def _temperature(rng):
    a, b = sorted((int(v) for v in rng.choice(range(0, 5), size=2, replace=False)), reverse=True)
    t = float(rng.choice([0.5, 2.0, 0.25, 4.0]))

    def p_first(x, y):
        return 1 / (1 + math.exp(y - x))

    right = p_first(a / t, b / t)
    plain = p_first(a, b)
    return {"a": a, "b": b, "t": t}, right, distinct(right, {
        "multiplying the logits by $T$ instead of dividing": p_first(a * t, b * t),
        "dividing the probabilities, not the logits, by $T$": plain / t,
        "ignoring the temperature": plain})


def _top_k(rng):
    while True:
        raw = sorted((int(v) for v in rng.integers(1, 10, size=5)), reverse=True)
        if len(set(raw)) == 5:
            break
    p = [round(v / sum(raw), 3) for v in raw]
    k = int(rng.integers(2, 4))
    right = p[0] / sum(p[:k])
    return {"p": p, "k": k}, right, distinct(right, {
        "not renormalising after the cut": p[0],
        "renormalising over one token too many": p[0] / sum(p[:k + 1])})


def _top_p(rng):
    while True:
        raw = sorted((int(v) for v in rng.integers(1, 20, size=6)), reverse=True)
        p = [round(v / sum(raw), 3) for v in raw]
        thr = round(float(rng.uniform(0.5, 0.9)), 2)
        prefix = [sum(p[:j + 1]) for j in range(6)]  # kept clear of the threshold, so
        # rounding the shown probabilities cannot move the cut
        if len(set(raw)) == 6 and all(abs(c - thr) > 0.005 for c in prefix):
            break
    kept = next(j + 1 for j, c in enumerate(prefix) if c >= thr)
    return {"p": p, "thr": thr}, float(kept), distinct(kept, {
        "stopping one token short (keeping those with cumulative mass below $p$)": kept - 1,
        "keeping one token past the threshold": kept + 1}, rel_tol=1e-3)


def _lora_params(rng):
    din = int(rng.choice([256, 512, 768, 1024]))
    dout = int(rng.choice([256, 512, 768, 1024, 3072]))
    r = int(rng.choice([4, 8, 16]))
    n = r * (din + dout)
    return {"din": din, "dout": dout, "r": r}, float(n), distinct(n, {
        "counting the frozen matrix": din * dout,
        "counting one factor only": r * din,
        "counting the frozen matrix plus the adapter": din * dout + n}, rel_tol=1e-4)


def _lora_merge(rng):
    while True:  # a non-zero update, or the question has nothing to merge
        b = [int(v) for v in rng.integers(-2, 3, size=2)]
        a = [int(v) for v in rng.integers(-2, 3, size=2)]
        if b[0] * a[0] + b[1] * a[1] != 0:
            break
    r = 2
    alpha = int(rng.choice([4, 8, 16]))
    w = round(float(rng.uniform(-1, 1)), 2)
    dot = b[0] * a[0] + b[1] * a[1]
    new = w + alpha / r * dot
    return {"b": b, "a": a, "alpha": alpha, "w": w}, new, distinct(new, {
        "forgetting the scale $\\alpha/r$": w + dot,
        "scaling by $\\alpha$ instead of $\\alpha/r$": w + alpha * dot,
        "replacing the weight instead of adding to it": alpha / r * dot})


QUIZ = Quiz(
    id="transformers",
    title="Transformers: attention heads, positions, tokenizers, sampling and LoRA",
    skills=["self-attention", "positional-encoding", "transformers", "tokenization",
            "text-generation", "fine-tuning-lora"],
    questions=[
        Numeric(
            skill="self-attention",
            prompt="`torch.nn.MultiheadAttention` with model width {d}, {h} heads and biases. "
            "How many parameters does it have?",
            make=_mha_params,
            explanation="Query, key, value and output projections are each $d \\times d$ plus "
            "a bias: $4d^2 + 4d$. Heads split the width; they do not multiply the weights.",
            rel_tol=1e-9,
        ),
        Numeric(
            skill="self-attention",
            prompt="Causal self-attention over a sequence of {T} tokens: how many (query, key) "
            "pairs are allowed by the mask?",
            make=_causal_pairs,
            explanation="Query $t$ sees keys $1..t$, itself included: $1 + 2 + \\dots + T = "
            "T(T + 1)/2$.",
            rel_tol=1e-9,
        ),
        Choice(
            skill="self-attention",
            prompt="A model of width 512 has 8 heads. By what do you divide each head's scores?",
            options=["$\\sqrt{512}$", "$\\sqrt{64}$", "8", "512"],
            answer=1,
            why_not={0: "Each head's dot products are over its own 64 dimensions, not the full "
                        "width.",
                     2: "Dividing by the number of heads has no basis in the variance argument.",
                     3: "Dividing by the width squashes the scores far too much."},
            explanation="Each head works in $d/h = 64$ dimensions and its scores are scaled by "
            "$\\sqrt{d/h} = 8$.",
        ),
        Numeric(
            skill="positional-encoding",
            prompt="Sinusoidal positional encoding with model width $d = {d}$: what is "
            "$\\text{{PE}}[p, 2i]$ for position $p = {p}$ and $i = {i}$?",
            make=_sinusoid,
            explanation="$\\text{PE}[p, 2i] = \\sin(p / 10000^{2i/d})$ and "
            "$\\text{PE}[p, 2i+1]$ the cosine of the same angle.",
        ),
        Numeric(
            skill="positional-encoding",
            prompt="Rotary embeddings rotate the pair $(x_0, x_1) = ({x0}, {x1})$ at position "
            "$p = {p}$ with frequency $\\theta = {theta}$. What is the first component after "
            "the rotation?",
            make=_rope,
            explanation="RoPE rotates by the angle $p\\theta$: "
            "$x_0 \\cos(p\\theta) - x_1 \\sin(p\\theta)$, so a query-key dot product depends on "
            "the positions only through their difference.",
        ),
        Choice(
            skill="positional-encoding",
            prompt="Why does a transformer need positional information at all?",
            options=["To make attention faster",
                     "Self-attention treats its inputs as a set: permuting the tokens permutes "
                     "the outputs the same way, so word order would be invisible",
                     "To normalise the embeddings", "Only for sequences longer than 512"],
            answer=1,
            why_not={0: "Positions add work; they do not save any.",
                     2: "Normalisation is LayerNorm's job.",
                     3: "Order matters at every length."},
            explanation="Without positions, 'dog bites man' and 'man bites dog' give the same "
            "set of token representations.",
        ),
        Numeric(
            skill="transformers",
            prompt="A transformer block's MLP maps width {d} to $4 \\times {d}$ and back, with "
            "biases. How many parameters does it have?",
            make=_mlp_params,
            explanation="$d \\times 4d + 4d$ for the first layer and $4d \\times d + d$ for the "
            "second: $8d^2 + 5d$.",
            rel_tol=1e-9,
        ),
        Numeric(
            skill="transformers",
            prompt="A decoder with {L} layers and width {d} keeps a key-value cache in float16 "
            "(2 bytes per number) for a batch of one sequence of {T} tokens. How many MiB "
            "($2^{{20}}$ bytes) does the cache hold?",
            make=_kv_bytes,
            explanation="Every layer stores a key AND a value vector of width $d$ per token: "
            "$2 L T d$ numbers of 2 bytes.",
        ),
        Choice(
            skill="transformers",
            prompt="What distinguishes a pre-LayerNorm transformer block from the original "
            "post-LayerNorm one?",
            options=["Pre-LN has no residual connections",
                     "Pre-LN normalises the input of each sub-layer and adds the sub-layer's "
                     "output to the un-normalised residual stream",
                     "Pre-LN normalises over the batch",
                     "Pre-LN removes the MLP"],
            answer=1,
            why_not={0: "Both keep residual connections; that is what makes them trainable.",
                     2: "LayerNorm normalises over the features of each token, in both.",
                     3: "Both have an attention and an MLP sub-layer."},
            explanation="$x + \\mathrm{Attn}(\\mathrm{LN}(x))$ keeps an identity path from input "
            "to output, which trains stably without a long warm-up.",
        ),
        Numeric(
            skill="tokenization",
            prompt="A BPE merge rule joins the pair (a, a) into one token. Applied left to right "
            "to the characters of '{s}', how many tokens are left?",
            make=_merges,
            explanation="Merges replace non-overlapping occurrences scanned from the left: in "
            "'aaa' only the first two letters merge.",
            rel_tol=1e-9,
        ),
        Choice(
            skill="tokenization",
            prompt="How does a trained BPE tokenizer encode a new word?",
            options=["It picks the longest vocabulary entry at each position",
                     "It splits the word into base symbols and replays the learned merges in "
                     "the order they were learned",
                     "It looks the whole word up, or uses an unknown token",
                     "It merges the most frequent pair of the new word"],
            answer=1,
            why_not={0: "Greedy longest-match is a different algorithm (WordPiece-style); it "
                        "can split differently from BPE.",
                     2: "Subword tokenizers exist precisely so that new words need no unknown "
                        "token.",
                     3: "Frequencies are counted once, on the training corpus; encoding "
                        "follows the stored merge ranks."},
            explanation="Merge order is the tokenizer's real content: applying the merges by "
            "rank reproduces the segmentation the model was trained on.",
        ),
        Choice(
            skill="tokenization",
            prompt="Why do byte-level BPE tokenizers (GPT-2 style) never need an unknown token?",
            options=["Their vocabulary contains every word",
                     "Every text is a sequence of bytes, and all 256 bytes are in the base "
                     "vocabulary",
                     "They lower-case the input", "They drop characters they do not know"],
            answer=1,
            why_not={0: "No finite vocabulary contains every word; merges cover common ones.",
                     2: "GPT-2's tokenizer keeps case.",
                     3: "Dropping characters would lose information; nothing is dropped."},
            explanation="Any string encodes to UTF-8 bytes, so the worst case is one token per "
            "byte; merges only shorten common sequences.",
        ),
        Numeric(
            skill="text-generation",
            prompt="Two tokens have logits {a} and {b}. With temperature $T = {t}$, what "
            "probability does the first token get?",
            make=_temperature,
            explanation="Divide the logits by $T$, then apply the softmax: $T < 1$ sharpens, "
            "$T > 1$ flattens.",
        ),
        Numeric(
            skill="text-generation",
            prompt="The next-token probabilities, sorted, are {p}. Top-k sampling with "
            "$k = {k}$: what probability does the most likely token get after filtering?",
            make=_top_k,
            explanation="Keep the $k$ largest probabilities and renormalise them to sum to 1.",
        ),
        Numeric(
            skill="text-generation",
            prompt="The next-token probabilities, sorted, are {p}. How many tokens does top-p "
            "(nucleus) sampling keep with $p = {thr}$?",
            make=_top_p,
            explanation="Keep the smallest prefix of the sorted tokens whose total reaches $p$; "
            "the token that crosses the threshold is kept.",
            rel_tol=1e-9,
        ),
        Numeric(
            skill="fine-tuning-lora",
            prompt="LoRA of rank {r} adapts a frozen {dout} x {din} weight matrix "
            "($W + BA$ with $B$ of shape {dout} x {r} and $A$ of shape {r} x {din}). How many "
            "parameters are trained?",
            make=_lora_params,
            explanation="Only $A$ and $B$ train: $r(d_{in} + d_{out})$, a small fraction of "
            "$d_{in} d_{out}$.",
            rel_tol=1e-9,
        ),
        Numeric(
            skill="fine-tuning-lora",
            prompt="LoRA with rank $r = 2$ and $\\alpha = {alpha}$. A frozen weight is {w}; its "
            "row of $B$ is {b} and its column of $A$ is {a}. What is the weight after merging "
            "the adapter?",
            make=_lora_merge,
            explanation="Merging adds $\\frac{\\alpha}{r} BA$ to $W$: here $w + "
            "\\frac{\\alpha}{2}(b \\cdot a)$.",
        ),
        Choice(
            skill="fine-tuning-lora",
            prompt="Why is LoRA's $B$ initialised to zero?",
            options=["To make the adapter sparse",
                     "So the adapted layer starts exactly as the pretrained one; $A$ is random, "
                     "so the gradient of $B$ is not zero",
                     "Because zero-initialised weights train faster",
                     "So that merging is not possible"],
            answer=1,
            why_not={0: "$B$ becomes dense as soon as it trains.",
                     2: "All-zero layers usually train badly (symmetry); here only one factor "
                        "is zero.",
                     3: "Merging works at any time: $W + \\frac{\\alpha}{r}BA$."},
            explanation="$BA = 0$ at the start, so fine-tuning begins from the pretrained "
            "function, and the random $A$ gives $B$ a useful first gradient.",
        ),
    ],
)
