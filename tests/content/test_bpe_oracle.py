"""bpe: the reference against an independent BPE written the way GPT-2's encoder is.

Neither `tokenizers` nor `tiktoken` is installed, so the oracle is a second implementation
built differently: tokens are bytes objects, learning uses collections.Counter, and encoding
uses merge RANKS (repeatedly merge the adjacent pair with the lowest rank, as GPT-2's
`bpe()` does) instead of replaying the merges one by one.
"""

import itertools
from collections import Counter

import numpy as np
import pytest

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.grading.grader import build_cases

EX = default_catalog().get("bpe")
REF = EX.reference


def _oracle_learn(text: str, n_merges: int) -> list[tuple[int, int]]:
    seq = list(text.encode("utf-8"))
    merges: list[tuple[int, int]] = []
    while len(merges) < n_merges:
        counts = Counter(itertools.pairwise(seq))
        if not counts:
            break
        top = max(counts.values())
        if top < 2:
            break
        pair = sorted(p for p in counts if counts[p] == top)[0]
        new, out, skip = 256 + len(merges), [], False
        for i, tok in enumerate(seq):
            if skip:
                skip = False
            elif i + 1 < len(seq) and (tok, seq[i + 1]) == pair:
                out.append(new)
                skip = True
            else:
                out.append(tok)
        seq = out
        merges.append(pair)
    return merges


def _vocab(merges: list[tuple[int, int]]) -> dict[int, bytes]:
    vocab = {i: bytes([i]) for i in range(256)}
    for j, (a, b) in enumerate(merges):
        vocab[256 + j] = vocab[a] + vocab[b]
    return vocab


def _oracle_encode(text: str, merges: list[tuple[int, int]]) -> list[int]:
    vocab = _vocab(merges)
    ranks = {(vocab[a], vocab[b]): j for j, (a, b) in enumerate(merges)}
    ids_of = {v: k for k, v in vocab.items()}
    word = [bytes([b]) for b in text.encode("utf-8")]
    while len(word) > 1:
        pairs = list(itertools.pairwise(word))
        best = min(pairs, key=lambda p: ranks.get(p, float("inf")))
        if best not in ranks:
            break
        out, i = [], 0
        while i < len(word):
            if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                out.append(best[0] + best[1])
                i += 2
            else:
                out.append(word[i])
                i += 1
        word = out
    return [ids_of[w] for w in word]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_matches_the_oracle(seed: int) -> None:
    calls = set()
    for case in build_cases(EX, seed):
        calls.add(case.call)
        if case.call == "learn_bpe":
            got = [tuple(int(v) for v in row) for row in REF.learn_bpe(*case.args)]
            assert got == _oracle_learn(*case.args)
        elif case.call == "bpe_encode":
            text, merges = case.args
            pairs = [(int(a), int(b)) for a, b in merges]
            assert REF.bpe_encode(text, merges).tolist() == _oracle_encode(text, pairs)
        else:
            ids, merges = case.args
            vocab = _vocab([(int(a), int(b)) for a, b in merges])
            want = b"".join(vocab[int(i)] for i in ids)
            assert bytes(REF.bpe_decode(ids, merges).tolist()) == want
    assert calls == {"learn_bpe", "bpe_encode", "bpe_decode"}


@pytest.mark.parametrize("seed", range(5))
def test_round_trip_and_compression(seed: int) -> None:
    rng = np.random.default_rng(seed)
    alphabet = list("abcab  éü€x")
    train = "".join(rng.choice(alphabet, size=200))
    merges = REF.learn_bpe(train, 30)
    assert len(REF.bpe_encode(train, merges)) < len(train.encode())
    for text in [train, "".join(rng.choice(alphabet, size=50)), "", "€€€ zzz"]:
        ids = REF.bpe_encode(text, merges)
        assert bytes(REF.bpe_decode(ids, merges).tolist()).decode("utf-8") == text
    lengths = [len(REF.bpe_encode(train, merges[:k])) for k in range(len(merges) + 1)]
    assert all(a > b for a, b in itertools.pairwise(lengths))
