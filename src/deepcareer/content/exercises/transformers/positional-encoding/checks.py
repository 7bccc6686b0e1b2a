"""Cases and misconceptions for sinusoidal encodings and rotary embeddings."""

import numpy as np

from deepcareer.grading.spec import Case, Checks, Misconception, Property


def _table(n, d, base=10000.0, *, swap=False, per_column=False, no_two=False):
    if no_two:  # pair i at base^(-i/D): the exponent counts pairs without the factor 2
        cols = np.repeat(np.arange(d // 2 + 1), 2)[:d]
    else:
        cols = np.arange(d) if per_column else np.repeat(np.arange(0, d, 2), 2)[:d]
    angles = np.arange(n)[:, None] * base ** (-cols / d)
    pe = np.empty((n, d))
    first, second = (np.cos, np.sin) if swap else (np.sin, np.cos)
    pe[:, 0::2] = first(angles[:, 0::2])
    pe[:, 1::2] = second(angles[:, 1::2])
    return pe


def _sin_cos_swapped(n, d, base=10000.0):
    return _table(n, d, base, swap=True)


def _frequency_without_two(n, d, base=10000.0):
    return _table(n, d, base, no_two=True)


def _frequency_per_column(n, d, base=10000.0):
    return _table(n, d, base, per_column=True)


def _rotate(x, positions, base=10000.0, *, sign=1.0, halves=False, no_two=False):
    d = x.shape[-1]
    freqs = base ** (-np.arange(d // 2) / d) if no_two else base ** (-np.arange(0, d, 2) / d)
    angles = np.asarray(positions, dtype=float)[:, None] * freqs
    cos, sin = np.cos(angles), sign * np.sin(angles)
    if halves:  # pairs (i, i + D/2): the other library convention, not this exercise's
        a, b = x[..., : d // 2], x[..., d // 2:]
        return np.concatenate([a * cos - b * sin, a * sin + b * cos], axis=-1)
    a, b = x[..., 0::2], x[..., 1::2]
    out = np.empty(x.shape)
    out[..., 0::2] = a * cos - b * sin
    out[..., 1::2] = a * sin + b * cos
    return out


def _rotate_backwards(x, positions, base=10000.0):
    return _rotate(x, positions, base, sign=-1.0)


def _pairs_halves(x, positions, base=10000.0):
    return _rotate(x, positions, base, halves=True)


def _rope_freq_without_two(x, positions, base=10000.0):
    return _rotate(x, positions, base, no_two=True)


def _norms_kept(case, output):
    if case.call != "rope":
        return None
    out = np.asarray(output, dtype=float)
    if out.shape != np.shape(case.args[0]):
        return f"rope should return an array of x's shape {np.shape(case.args[0])}"
    if not np.allclose(np.linalg.norm(out, axis=-1), np.linalg.norm(case.args[0], axis=-1)):
        return "a rotation keeps the length of every row: yours changes it"
    return None


def _unit_pairs(case, output):
    if case.call != "sinusoidal_encoding":
        return None
    pe = np.asarray(output, dtype=float)
    if pe.ndim != 2 or pe.shape[1] % 2:
        return "the table should be (n_positions, d_model)"
    if not np.allclose(pe[:, 0::2] ** 2 + pe[:, 1::2] ** 2, 1.0):
        return "columns 2i and 2i + 1 should be the sine and cosine of the SAME angle"
    return None


def _random_cases(rng):
    t, d = int(rng.integers(5, 9)), 2 * int(rng.integers(3, 6))
    start = int(rng.integers(0, 50))
    return [
        Case("sinusoidal_encoding", [t, d], name=f"{t} positions, width {d}"),
        Case("rope", [rng.normal(size=(2, t, d)), np.arange(start, start + t)],
             name=f"random (2, {t}, {d}), positions from {start}"),
        Case("rope", [rng.normal(size=(2, 3, 4, 6)), rng.integers(0, 1000, size=4), 500.0],
             name="random heads (2, 3, 4, 6), scattered positions, base 500"),
    ]


X1 = np.array([[1.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 1.0]])
RNG = np.random.default_rng(2104)

CHECKS = Checks(
    cases=[
        Case("sinusoidal_encoding", [3, 4], name="the README example"),
        Case("sinusoidal_encoding", [6, 8], name="6 positions, width 8"),
        Case("sinusoidal_encoding", [5, 6, 100.0], name="base 100"),
        Case("rope", [X1, np.array([0, 1])], name="the README example"),
        Case("rope", [RNG.normal(size=(3, 6)), np.array([0, 1, 2])], name="positions 0, 1, 2"),
        Case("rope", [RNG.normal(size=(1, 2, 4, 8)), np.array([7, 3, 100, 4096])],
             name="(batch, heads, T, D) with large positions"),
    ],
    hidden=[
        Case("sinusoidal_encoding", [1, 2]),
        Case("sinusoidal_encoding", [4, 10, 50.0]),
        Case("rope", [RNG.normal(size=(2, 5, 2)), np.arange(5)]),
        Case("rope", [RNG.normal(size=(4, 12)), np.array([3, 3, 9, 0]), 10.0]),
    ],
    random_cases=_random_cases,
    properties=[
        Property("sine and cosine of one angle per pair", _unit_pairs,
                 calls=("sinusoidal_encoding",)),
        Property("rotations keep lengths", _norms_kept, calls=("rope",)),
    ],
    rtol=1e-7,
    atol=1e-10,
    misconceptions=[
        Misconception(
            id="positional-encoding.frequency-without-two",
            title="pair i at base^(-i/D) instead of base^(-2i/D)",
            explanation="The exponent is 2i / D so that the last pair's frequency reaches about "
            "1/base: the wavelengths run geometrically from 2 pi to about 2 pi base. With i / D "
            "they stop near 2 pi sqrt(base), and the slowest pairs no longer tell far positions "
            "apart.",
            hints=["What frequency does your last pair get, for D = 8?",
                   "The exponent uses the even column index 2i, not the pair index i.",
                   "freqs = base ** (-np.arange(0, D, 2) / D)."],
            replace={"sinusoidal_encoding": _frequency_without_two},
        ),
        Misconception(
            id="positional-encoding.sin-cos-swapped",
            title="cosine in the even columns and sine in the odd ones",
            explanation="The convention is sine first: column 2i is sin(p w_i), column 2i + 1 "
            "is cos(p w_i). Swapped, position 0 is [1, 0, 1, 0, ...] instead of "
            "[0, 1, 0, 1, ...]: a different table that a model trained with the usual one "
            "would misread.",
            hints=["What is your encoding of position 0?",
                   "sin(0) = 0 and cos(0) = 1: position 0 reads [0, 1, 0, 1, ...].",
                   "pe[:, 0::2] = np.sin(angles); pe[:, 1::2] = np.cos(angles)."],
            replace={"sinusoidal_encoding": _sin_cos_swapped},
        ),
        Misconception(
            id="positional-encoding.frequency-per-column",
            title="a frequency for every column instead of one per pair",
            explanation="The sine and the cosine of a pair share ONE frequency w_i = "
            "base^(-2i/D). That is what makes a shift by k positions a rotation of each pair, "
            "the same for every p. Using base^(-j/D) with j the column index gives the cosine "
            "a different frequency from its sine.",
            hints=["Do columns 2i and 2i + 1 use the same angle?",
                   "The exponent counts pairs: 2i / D for both columns of pair i.",
                   "freqs = base ** (-np.arange(0, D, 2) / D), then use it for both sin and cos."],
            replace={"sinusoidal_encoding": _frequency_per_column},
        ),
        Misconception(
            id="positional-encoding.rope-pairs-halves",
            title="RoPE pairing feature i with feature i + D/2 instead of with its neighbour",
            explanation="This exercise follows the RoFormer paper: the pairs are neighbours "
            "(x_0, x_1), (x_2, x_3), ... Some libraries pair the first half with the second "
            "half; both are rotations, but they are different functions, and weights trained "
            "with one convention break under the other.",
            hints=["Which two features does your first rotation mix?",
                   "Pair i is (x[2i], x[2i+1]): even and odd slices, not halves.",
                   "a, b = x[..., 0::2], x[..., 1::2] and write the results back interleaved."],
            replace={"rope": _pairs_halves},
        ),
        Misconception(
            id="positional-encoding.rope-rotates-backwards",
            title="RoPE rotating by minus the angle",
            explanation="A rotation by +theta maps (a, b) to (a cos - b sin, a sin + b cos). "
            "With the signs of sin flipped every pair turns the other way: queries and keys "
            "still agree with each other, but not with any model trained with the standard "
            "direction.",
            hints=["Rotate (1, 0) by 90 degrees: where should it land?",
                   "(1, 0) goes to (0, 1) counter-clockwise: the second coordinate gains "
                   "+a sin.",
                   "even' = a cos - b sin; odd' = a sin + b cos."],
            replace={"rope": _rotate_backwards},
        ),
        Misconception(
            id="positional-encoding.rope-frequency-without-two",
            title="RoPE frequencies base^(-i/D) over the pair index, dropping the 2",
            explanation="Pair i has the frequency base^(-2i/D): the exponent runs from 0 to "
            "almost -1 so the slowest pair turns about once in base positions. With -i/D it "
            "only reaches -1/2 and the long-range pairs spin far too fast.",
            hints=["What is the frequency of the LAST pair in your code?",
                   "It should be close to 1/base: exponent -(D - 2)/D.",
                   "freqs = base ** (-np.arange(0, D, 2) / D)."],
            replace={"rope": _rope_freq_without_two},
        ),
    ],
)
