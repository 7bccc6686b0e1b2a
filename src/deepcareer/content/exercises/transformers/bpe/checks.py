"""Cases and misconceptions for byte-level BPE."""

import itertools

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, Property, load_reference

ref = load_reference(__file__)


def _merge_no_skip(ids, pair, new_id):
    # after a match the scan moves on by one: the pair's second id is emitted again
    out = []
    for i in range(len(ids)):
        if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
        else:
            out.append(ids[i])
    return out


def _learn(text, n_merges, *, merge=ref.merge_pair, tie="smallest", stop=True):
    ids = list(text.encode("utf-8"))
    merges = []
    for j in range(n_merges):
        counts = {}
        for pair in itertools.pairwise(ids):
            counts[pair] = counts.get(pair, 0) + 1
        if not counts or (stop and max(counts.values()) < 2):
            break
        if tie == "smallest":
            best = max(counts.values())
            pair = min(p for p, c in counts.items() if c == best)
        else:  # max() over a dict returns the first pair seen among the most frequent
            pair = max(counts, key=counts.get)
        ids = merge(ids, pair, 256 + j)
        merges.append(pair)
    return np.array(merges, dtype=np.int64).reshape(-1, 2)


def _encode(text, merges, *, merge=ref.merge_pair):
    ids = list(text.encode("utf-8"))
    for j, (a, b) in enumerate(merges):
        ids = merge(ids, (a, b), 256 + j)
    return np.array(ids, dtype=np.int64)


def _first_seen(text, n_merges):
    return _learn(text, n_merges, tie="first")


def _no_early_stop(text, n_merges):
    return _learn(text, n_merges, stop=False)


def _decode_one_level(ids, merges):
    vocab = {i: [i] for i in range(256)}
    for j, (a, b) in enumerate(merges):
        vocab[256 + j] = [int(a), int(b)]  # the pair, not the bytes it stands for
    return np.array([v for i in ids for v in vocab[int(i)]], dtype=np.int64)


def _round_trip(case, output):
    if case.call != "bpe_decode":
        return None
    values = np.asarray(output)
    if values.ndim != 1 or values.dtype.kind not in "iu":
        return "bpe_decode should return a 1-D array of integers (byte values)"
    if values.size and (values.min() < 0 or values.max() > 255):
        return "every value bpe_decode returns should be a byte, 0..255: expand merged ids"
    return None


TEXTS = [
    "a banana, a bandana",
    "the cat sat on the mat with the hat",
    "aaaaaaa",
    "low lower lowest newest widest",
    "naïve café, naïve résumé",  # several UTF-8 bytes per letter
]


def _random_text(rng):
    # few letters, so pairs repeat and ties between equally frequent pairs are common
    letters = np.array(list("abcde "))
    return "".join(rng.choice(letters, size=int(rng.integers(40, 80)), p=[.3, .2, .2, .1, .1, .1]))


def _random_cases(rng):
    train = _random_text(rng)
    other = _random_text(rng)
    merges = ref.learn_bpe(train, 12)
    return [
        Case("learn_bpe", [train, 12], name=f"random text {train[:20]!r}..., 12 merges"),
        Case("bpe_encode", [other, merges], name=f"random text {other[:20]!r}... with merges "
             "learned elsewhere"),
        Case("bpe_decode", [ref.bpe_encode(other, merges), merges], name="random round trip"),
    ]


M0 = ref.learn_bpe(TEXTS[0], 10)
M1 = ref.learn_bpe(TEXTS[1], 8)
M2 = ref.learn_bpe(TEXTS[2], 5)
M4 = ref.learn_bpe(TEXTS[4], 8)

CHECKS = Checks(
    cases=[
        Case("learn_bpe", [TEXTS[0], 10], name="the README example"),
        Case("learn_bpe", [TEXTS[1], 8], name="'the cat sat...', 8 merges"),
        Case("learn_bpe", [TEXTS[2], 5], name="'aaaaaaa': overlapping pairs"),
        Case("learn_bpe", [TEXTS[4], 8], name="accented letters (two bytes each)"),
        Case("learn_bpe", ["abcdef", 3], name="no pair repeats: no merge"),
        Case("bpe_encode", [TEXTS[0], M0], name="the README example"),
        Case("bpe_encode", ["a bandana, a banana", M0], name="new text, the README merges"),
        Case("bpe_encode", ["aaaaa", M2], name="'aaaaa' with the 'aaaaaaa' merges"),
        Case("bpe_encode", ["thermal", M1], name="a word the merges partly cover"),
        Case("bpe_decode", [ref.bpe_encode(TEXTS[0], M0), M0], name="the README example"),
        Case("bpe_decode", [ref.bpe_encode("naïve", M4), M4], name="multi-byte letters"),
        Case("bpe_decode", [np.array([104, 105], dtype=np.int64), M1], name="plain bytes"),
    ],
    hidden=[
        Case("learn_bpe", [TEXTS[3], 6]),
        Case("bpe_encode", [TEXTS[3], ref.learn_bpe(TEXTS[3], 6)]),
        Case("bpe_encode", ["the hat sat", M1]),
        Case("bpe_decode", [ref.bpe_encode("the mat", M1), M1]),
    ],
    random_cases=_random_cases,
    properties=[Property("decodes to bytes", _round_trip, calls=("bpe_decode",))],
    misconceptions=[
        Misconception(
            id="bpe.ties-first-seen",
            title="breaking ties by the pair seen first instead of the smallest pair",
            explanation="max(counts, key=counts.get) returns the first of the equally frequent "
            "pairs in the order the dict met them, which depends on where they happen to "
            "occur in the text. The rule stated here is the smallest pair, so two "
            "implementations learn the same merges; a tokenizer whose rule is unstated "
            "cannot be reproduced.",
            hints=["When two pairs are equally frequent, which one does your code merge?",
                   "The rule: highest count, then the smallest (first id, then second id).",
                   "best = max(counts.values()); pair = min(p for p, c in counts.items() "
                   "if c == best)."],
            replace={"learn_bpe": _first_seen},
        ),
        Misconception(
            id="bpe.merge-without-skip",
            title="after replacing a pair, moving on by one id instead of two",
            explanation="When (a, b) at positions i, i + 1 becomes one new id, both positions "
            "are consumed: the scan continues at i + 2. Moving on by one emits b a second "
            "time, so encoded texts decode to more bytes than they had.",
            hints=["Encode then decode 'ab' after merging (a, b): how many bytes come back?",
                   "The pair's second id belongs to the new token; do not emit it again.",
                   "On a match: out.append(new_id); i += 2."],
            replace={"learn_bpe": lambda text, n: _learn(text, n, merge=_merge_no_skip),
                     "bpe_encode": lambda text, m: _encode(text, m, merge=_merge_no_skip)},
        ),
        Misconception(
            id="bpe.no-early-stop",
            title="merging pairs that occur only once",
            explanation="A merge of a pair that occurs once shortens the training text by one "
            "id and spends a vocabulary entry on something that may never recur. Learning "
            "stops when the most frequent pair occurs fewer than twice.",
            hints=["What is the count of the pair you merge last?",
                   "Stop when no pair occurs at least twice, even before n_merges.",
                   "if max(counts.values()) < 2: break."],
            replace={"learn_bpe": _no_early_stop},
        ),
        Misconception(
            id="bpe.decode-one-level",
            title="decoding a merged id into its pair instead of into its bytes",
            explanation="Id 256 + j stands for the two ids of merge j, which may be merged ids "
            "themselves. Decoding must expand all the way down to bytes: build each id's byte "
            "list in merge order, vocab[new] = vocab[a] + vocab[b].",
            hints=["Can your decoder return a value above 255?",
                   "A merged id's parts can be merged ids too: expand recursively.",
                   "vocab[256 + j] = vocab[a] + vocab[b], filled in merge order."],
            replace={"bpe_decode": _decode_one_level},
        ),
    ],
)
