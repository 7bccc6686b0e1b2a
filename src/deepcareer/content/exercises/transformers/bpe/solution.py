"""Byte-level byte-pair encoding (BPE), the tokenizer family of GPT-2 and its successors."""

import itertools

import numpy as np


def merge_pair(ids, pair, new_id):
    """Replace each occurrence of `pair` in the list `ids`, left to right, by `new_id`.

    After a replacement the scan continues past both ids, so overlapping occurrences
    ('a a a' with the pair (a, a)) are replaced once: [aa, a]. Returns a new list.
    """
    # BEGIN SOLUTION: scan left to right; on a match emit new_id and jump over both ids
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out
    # END SOLUTION


def learn_bpe(text, n_merges):
    """Learn up to n_merges merges from `text` (a str).

    Returns an int array (k, 2), k <= n_merges: row j is the pair of ids that became id 256 + j.
    Each step merges the most frequent adjacent pair (overlapping pairs all counted); ties go
    to the smallest pair (first id, then second). Stops early when no pair occurs twice.
    """
    # BEGIN SOLUTION: count adjacent pairs, take the most frequent (smallest on ties), merge
    ids = list(text.encode("utf-8"))
    merges = []
    for j in range(n_merges):
        counts = {}
        for pair in itertools.pairwise(ids):
            counts[pair] = counts.get(pair, 0) + 1
        if not counts or max(counts.values()) < 2:
            break  # a merge that saves nothing is not worth a vocabulary entry
        best = max(counts.values())
        pair = min(p for p, c in counts.items() if c == best)  # the stated tie-break
        ids = merge_pair(ids, pair, 256 + j)
        merges.append(pair)
    return np.array(merges, dtype=np.int64).reshape(-1, 2)
    # END SOLUTION


def bpe_encode(text, merges):
    """The token ids of `text` (a str) under the learned merges: a 1-D int array."""
    # BEGIN SOLUTION: bytes, then every merge in the order it was learned
    ids = list(text.encode("utf-8"))
    for j, (a, b) in enumerate(merges):
        ids = merge_pair(ids, (a, b), 256 + j)
    return np.array(ids, dtype=np.int64)
    # END SOLUTION


def bpe_decode(ids, merges):
    """The UTF-8 byte values (a 1-D int array, each 0..255) that the token ids stand for.

    bytes(bpe_decode(bpe_encode(text, m), m).tolist()).decode("utf-8") == text for every text.
    """
    # BEGIN SOLUTION: each id's byte string, built in merge order, then concatenated
    vocab = {i: [i] for i in range(256)}
    for j, (a, b) in enumerate(merges):
        vocab[256 + j] = vocab[int(a)] + vocab[int(b)]  # both exist: they were merged earlier
    out = [byte for i in ids for byte in vocab[int(i)]]
    return np.array(out, dtype=np.int64)
    # END SOLUTION
