"""Compare a learner's output with the expected one, and say what differs.

Order of questions: was anything returned, is it the right structure, the
right shape, the right kind of number, finite where it should be, and close
enough. Messages describe what came back and how it differs: for one number both
numbers, for an array the worst element beside its expected value, never the
expected array. For gradients, a constant ratio between the two is named (x2,
/N, sign flip) without guessing a cause the call does not support.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from deepcareer.grading._child import UnsendableOutput

FLOAT32_RTOL, FLOAT32_ATOL = 1e-4, 1e-6


@dataclass(frozen=True)
class Mismatch:
    """Why an output is wrong, in one learner-facing sentence."""

    message: str
    output: str = ""  # which named output, when there are several
    kind: str = "value"  # none | type | structure | shape | dtype | nan | value


def _kind_name(arr: np.ndarray) -> str:
    return {"b": "booleans", "i": "integers", "u": "integers", "f": "floats",
            "c": "complex numbers"}.get(arr.dtype.kind, str(arr.dtype))


def summarize(value: Any, limit: int = 6) -> str:
    """A short description of a value for messages: shape and a few numbers."""
    if value is None:
        return "None"
    if isinstance(value, UnsendableOutput):
        return f"a {value.type_name}"
    if isinstance(value, tuple | list) and not _is_numeric_list(value):
        return "(" + ", ".join(summarize(v, limit) for v in value) + ")"
    arr = np.asarray(value)
    if arr.ndim == 0:
        return np.array2string(arr, precision=6)
    flat = arr.ravel()
    body = np.array2string(flat[:limit], precision=4, separator=", ", suppress_small=False)
    more = ", ..." if flat.size > limit else ""
    return f"array of shape {arr.shape} {body[:-1]}{more}]"


def _is_numeric_list(value: Any) -> bool:
    try:
        return np.asarray(value).dtype.kind in "biuf"
    except (ValueError, TypeError):
        return False


def tolerance(expected: np.ndarray, rtol: float, atol: float) -> tuple[float, float]:
    """float32 results carry about 7 digits; loosen the default accordingly."""
    if expected.dtype == np.float32:
        return max(rtol, FLOAT32_RTOL), max(atol, FLOAT32_ATOL)
    return rtol, atol


def close(got: Any, expected: Any, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
    """Lenient equality used for diagnosis: same structure, shapes and values.

    Diagnosis compares every variant with every output, so this is the grader's hot
    loop: plain float arrays take a fast path with the same verdict as ``compare``.
    """
    fast = _fast_close(got, expected, rtol, atol)
    if fast is not None:
        return fast
    return compare(got, expected, rtol=rtol, atol=atol) is None


def _fast_close(got: Any, expected: Any, rtol: float, atol: float) -> bool | None:
    """The verdict for floats, float arrays and tuples of them; ``None``: use compare."""
    if type(got) is tuple and type(expected) is tuple:
        if len(got) != len(expected):
            return None
        for g, e in zip(got, expected, strict=True):
            verdict = _fast_close(g, e, rtol, atol)
            if verdict is not True:
                return verdict
        return True
    if isinstance(got, float | np.floating) and isinstance(expected, float | np.floating):
        return _close_floats(np.asarray(got), np.asarray(expected), rtol, atol)
    if (type(got) is np.ndarray and type(expected) is np.ndarray
            and got.shape == expected.shape and got.dtype.kind == "f"
            and expected.dtype.kind == "f"):
        return _close_floats(got, expected, rtol, atol)
    return None


def _close_floats(g: np.ndarray, e: np.ndarray, rtol: float, atol: float) -> bool:
    if np.array_equal(g, e, equal_nan=True):
        return True
    r, a = tolerance(e, rtol, atol)
    gf, ef = g.astype(np.float64, copy=False), e.astype(np.float64, copy=False)
    with np.errstate(invalid="ignore", over="ignore"):
        # Like np.isclose: finite pairs within tolerance; an infinity only equals itself.
        finite = np.isfinite(gf) & np.isfinite(ef)
        ok = np.where(finite, np.abs(gf - ef) <= a + r * np.abs(ef), gf == ef)
    return bool((ok | (np.isnan(gf) & np.isnan(ef))).all())


def compare(
    got: Any,
    expected: Any,
    *,
    rtol: float = 1e-5,
    atol: float = 1e-8,
    names: Sequence[str] = (),
    gradient: bool = False,
    batch: int | None = None,
) -> Mismatch | None:
    """Return ``None`` when ``got`` matches ``expected``, else the first reason.

    A tuple, or a list that is not a flat list of numbers (say, a list of index arrays
    of different lengths), is compared item by item.
    """
    structured = isinstance(expected, tuple) or (
        isinstance(expected, list) and not all(isinstance(v, int | float) for v in expected))
    if structured:
        if got is None:
            return Mismatch("returned None: is a `return` statement missing?", kind="none")
        flat_numbers = isinstance(got, list) and all(isinstance(v, int | float) for v in got)
        if not isinstance(got, tuple | list) or (flat_numbers and len(expected) > 1):
            what = summarize(got)
            return Mismatch(
                f"should return {len(expected)} values"
                + (f" ({', '.join(names)})" if names else "")
                + f", but returned {what}",
                kind="structure",
            )
        if len(got) != len(expected):
            return Mismatch(
                f"returned {len(got)} values, expected {len(expected)}"
                + (f" ({', '.join(names)})" if names else ""),
                kind="structure",
            )
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            label = names[i] if i < len(names) else f"output {i}"
            sub = compare(g, e, rtol=rtol, atol=atol, gradient=gradient, batch=batch)
            if sub is not None:
                return Mismatch(f"{label}: {sub.message}", output=label, kind=sub.kind)
        return None
    return _compare_array(got, expected, rtol, atol, gradient, batch)


def _compare_array(
    got: Any, expected: Any, rtol: float, atol: float, gradient: bool, batch: int | None
) -> Mismatch | None:
    if got is None:
        return Mismatch("returned None: is a `return` statement missing?", kind="none")
    if isinstance(got, UnsendableOutput):
        return Mismatch(f"returned a {got.type_name}, expected a NumPy array or number",
                        kind="type")
    if isinstance(got, tuple):
        return Mismatch(f"returned a tuple of {len(got)} values, expected one array",
                        kind="structure")
    try:
        g = np.asarray(got)
    except (ValueError, TypeError):
        return Mismatch(f"returned {summarize(got)}, which is not an array of numbers",
                        kind="type")
    e = np.asarray(expected)
    if g.dtype.kind not in "biufc":
        return Mismatch(f"returned {_kind_name(g)}, expected numbers", kind="dtype")
    if g.shape != e.shape:
        return Mismatch(f"returned shape {g.shape}, expected shape {e.shape}", kind="shape")
    if g.dtype.kind == "b" and e.dtype.kind != "b":
        return Mismatch(
            f"returned booleans (True/False), expected {_kind_name(e)}: is a comparison's "
            "mask returned where the numbers it selects (or counts) are wanted?",
            kind="dtype",
        )
    if e.dtype.kind == "f" and g.dtype.kind in "iu":
        ef = e.astype(np.float64)
        if np.isfinite(ef).all() and np.array_equal(ef, np.round(ef)):
            # No fractions to lose: say what differs, not a cause that cannot apply.
            same = np.array_equal(g.astype(np.float64), ef)
            return Mismatch(
                f"returned {_kind_name(g)} ({g.dtype}), expected floats{_both(g, e)}"
                + (": the values are right, return them as floats" if same else ""),
                kind="dtype",
            )
        return Mismatch(
            f"returned {_kind_name(g)} ({g.dtype}), expected floats{_both(g, e)}: integer "
            "results lose the fractions (integer division `//`, an int array, `int(...)`?)",
            kind="dtype",
        )
    if e.dtype.kind == "f" or g.dtype.kind == "f":
        gf, ef = g.astype(np.float64), e.astype(np.float64)
        bad_nan = np.isnan(gf) & ~np.isnan(ef)
        if bad_nan.any():
            idx = tuple(int(i) for i in np.argwhere(bad_nan)[0])
            return Mismatch(f"contains NaN ({int(bad_nan.sum())} of {g.size} values"
                            + (f", first at index {list(idx)}" if idx else "")
                            + ") where the expected value is finite", kind="nan")
        bad_inf = np.isinf(gf) & ~np.isinf(ef)
        if bad_inf.any():
            idx = tuple(int(i) for i in np.argwhere(bad_inf)[0])
            return Mismatch(f"contains infinity ({int(bad_inf.sum())} of {g.size} values"
                            + (f", first at index {list(idx)}" if idx else "")
                            + ") where the expected value is finite", kind="nan")
        r, a = tolerance(e, rtol, atol)
        ok = np.isclose(gf, ef, rtol=r, atol=a, equal_nan=True)
        if ok.all():
            return None
        err = np.where(ok, 0.0, np.abs(gf - ef))
        idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(err)), err.shape))
        worst = float(err[idx])
        got_s, exp_s = pair(float(gf[idx]), float(ef[idx]))
        if g.ndim == 0:
            msg = f"returned {got_s}, expected a value near {exp_s} (off by {worst:.3g})"
        else:
            msg = (f"{int((~ok).sum())} of {g.size} values are wrong; the largest error is "
                   f"{worst:.3g} at index {list(idx)}, where you returned {got_s} and the "
                   f"expected value is near {exp_s}")
        scale = float(np.abs(ef).max(initial=0.0))
        if g.dtype == np.float32 and worst <= 1e-3 * scale:
            msg += (". Your result is float32, and an error this small is float32 rounding: "
                    "compute in float64")
        elif gradient:
            pattern = ratio_pattern(gf, ef, batch)
            if pattern:
                msg += f". {pattern}"
        return Mismatch(msg, kind="value")
    if np.array_equal(g, e):
        return None
    if g.ndim == 0:
        return Mismatch(f"returned {g.item()!r}, expected {e.item()!r}", kind="value")
    wrong = g != e
    idx = tuple(int(i) for i in np.argwhere(wrong)[0])
    return Mismatch(f"{int(wrong.sum())} of {g.size} values are wrong; first at index "
                    f"{list(idx)}, where you returned {g[idx].item()!r} and the expected "
                    f"value is {e[idx].item()!r}", kind="value")


def pair(got: float, expected: float) -> tuple[str, str]:
    """Two numbers written with enough digits to tell them apart (6 at least)."""
    for digits in range(6, 18):
        a, b = f"{got + 0.0:.{digits}g}", f"{expected + 0.0:.{digits}g}"
        if a != b:
            return a, b
    return a, b


def _both(g: np.ndarray, e: np.ndarray) -> str:
    """Both numbers: one number's, or an array's first wrong element and where it is."""
    if g.ndim == 0 and e.ndim == 0:
        return f" (you returned {g.item()!r} where {float(e):.6g} is expected)"
    gf, ef = g.astype(np.float64), e.astype(np.float64)
    with np.errstate(invalid="ignore"):
        wrong = ~np.isclose(gf, ef, rtol=1e-5, atol=1e-8)
    if not wrong.any():
        return ""
    idx = tuple(int(i) for i in np.argwhere(wrong)[0])
    return (f" ({int(wrong.sum())} of {g.size} values differ; at index {list(idx)} you "
            f"returned {g[idx].item()!r} where {float(ef[idx]):.6g} is expected)")


def ratio_pattern(got: np.ndarray, expected: np.ndarray, batch: int | None = None) -> str:
    """Name a constant factor between a wrong gradient and the right one.

    A gradient that is uniformly twice, half, negated or scaled by the batch size
    points straight at a missing 1/2 in the loss, a sign error or mean vs sum.
    """
    mask = np.abs(expected) > 1e-8 * max(1.0, float(np.abs(expected).max(initial=0.0)))
    if mask.sum() < 1:
        return ""
    ratios = got[mask] / expected[mask]
    if not np.all(np.isfinite(ratios)):
        return ""
    median = float(np.median(ratios))
    if median == 0 or np.max(np.abs(ratios - median)) > 1e-3 * max(1.0, abs(median)):
        return ""
    candidates: list[tuple[float, str]] = []
    if batch and batch > 2:  # a batch of 2 is too easily another factor 2 to be named
        candidates += [
            (float(batch), f"Every value is {batch} times too large ({batch} is the batch "
                           "size): should it be averaged over the batch?"),
            (1.0 / batch, f"Every value is {batch} times too small ({batch} is the batch "
                          "size): is it averaged where it should be summed?"),
        ]
    candidates += [
        (-1.0, "Every value has the wrong sign: check the direction of the update or a "
               "subtraction in the chain rule"),
        (2.0, "Every value is exactly twice the expected one: the same factor 2 everywhere"),
        (0.5, "Every value is exactly half the expected one: the same factor 1/2 everywhere"),
    ]
    for factor, text in candidates:
        if abs(median - factor) <= 1e-3 * max(1.0, abs(factor)):
            return text
    return f"Every value is off by the same factor ({median:.4g}): look for a missing constant"
