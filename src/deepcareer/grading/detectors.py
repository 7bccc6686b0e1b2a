"""Name the shape of a mistake when no catalogued misconception fits.

Each detector looks at one wrong output beside the expected one and says what it
sees (a transpose, a reduction over the wrong axis, a constant factor, a shift by
one, integer truncation, float32 rounding, NaN where the answer is finite), where
(the case and, for arrays, the first index) and a hint that does not give the
answer. The grader runs them per entry and per named output over the failed
cases, and names a shape only when it explains most of that output's failures.

They are general on purpose: nothing here knows an exercise. Factors are named
only by what the call itself offers (an argument's batch size, element count, a
scalar argument such as ``p``), or not at all.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from deepcareer.grading.compare import close, pair
from deepcareer.grading.spec import Case

FLOAT32_EPS = float(np.finfo(np.float32).eps)


@dataclass(frozen=True)
class Seen:
    """One detector's observation on one case (one output of it)."""

    key: str  # what it is, the same on every case it explains ("transposed", "factor:...")
    title: str  # short, for the headline: "dx is the transpose of the expected result"
    detail: str  # what was seen on this case, where
    hint: str
    rank: int = 5  # lower is more telling when two shapes explain as many cases
    weak: bool = False  # could be chance on its own: named only beside a case that is not


@dataclass(frozen=True)
class Shape:
    """A shape named for one output of one entry, over the cases it explains."""

    call: str
    output: str
    seen: Seen
    explained: int  # failed cases of this output that show it
    failed: int  # failed cases of this output
    where: str  # the label of the first case that shows it

    @property
    def name(self) -> str:
        return f"shape of the mistake: {self.seen.key.split(':')[0]} ({self.subject})"

    @property
    def subject(self) -> str:
        return f"{self.call}() {self.output}".strip() if self.output else f"{self.call}()"

    def sentence(self) -> str:
        share = ("on every failed case" if self.explained == self.failed else
                 f"on {self.explained} of the {self.failed} failed cases")
        hint = self.seen.hint if self.seen.hint.endswith(("?", ".")) else self.seen.hint + "."
        return f"{self.seen.detail} on {self.where}; the same shape shows {share}. Hint: {hint}"


def _index(idx: tuple[int, ...]) -> str:
    return str(list(idx)) if idx else ""


def _at(arr_index: tuple[int, ...]) -> str:
    return f" at index {_index(arr_index)}" if arr_index else ""


def _num(x: float) -> str:
    return f"{x + 0.0:.6g}"  # + 0.0: no "-0"


# --- call context: names and sizes a factor may be ----------------------------------


def bind(case: Case, fn: Callable[..., Any] | None) -> list[tuple[str, Any]]:
    """The case's arguments with their parameter names (``arg1``... when unknown)."""
    named: list[tuple[str, Any]] = []
    names: list[str] = []
    if fn is not None:
        try:
            names = [p.name for p in inspect.signature(fn).parameters.values()
                     if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        except (TypeError, ValueError):
            names = []
    for i, a in enumerate(case.args):
        named.append((names[i] if i < len(names) else f"argument {i + 1}", a))
    named += list(case.kwargs.items())
    return named


def factor_meanings(args: Sequence[tuple[str, Any]]) -> list[tuple[str, float, str]]:
    """(key, value, words) for every factor the call offers, most telling first."""
    out: list[tuple[str, float, str]] = []
    for name, a in args:
        if isinstance(a, np.ndarray) and a.ndim >= 1 and a.size > 1:
            if a.ndim >= 2:
                n = a.shape[0]
                out.append((f"rows:{name}", float(n),
                            f"N = {n}, the batch size (the rows of `{name}`)"))
                per_row = a.size // n
                out.append((f"per-row:{name}", float(per_row),
                            f"{per_row}, the number of values in each row of `{name}`"))
            out.append((f"size:{name}", float(a.size),
                        f"{a.size}, the number of elements of `{name}`"))
    for name, a in args:
        if isinstance(a, bool | np.bool_) or not isinstance(a, int | float | np.number):
            continue
        v = float(a)
        if v in (0.0, 1.0, -1.0) or not np.isfinite(v):
            continue
        out.append((f"one-minus:{name}", 1.0 - v, f"1 - {name} with {name} = {v:g}"))
        out.append((f"inv-one-minus:{name}", 1.0 / (1.0 - v),
                    f"1/(1 - {name}) with {name} = {v:g}"))
        out.append((f"param:{name}", v, f"`{name}` = {v:g}"))
        out.append((f"inv-param:{name}", 1.0 / v, f"1/{name} with {name} = {v:g}"))
    return out


def per_result_meanings(args: Sequence[tuple[str, Any]],
                        expected: np.ndarray) -> list[tuple[str, float, str]]:
    """Factors from a reduction: how many values of an argument go into each result value.

    A mean where a sum is asked (or the reverse) over several axes is off by that count
    (``dout.mean(axis=(0, 2, 3))`` for ``dout.sum(axis=(0, 2, 3))``), which is neither the
    batch size nor the element count.
    """
    out: list[tuple[str, float, str]] = []
    if expected.size < 1:
        return out
    for name, a in args:
        if isinstance(a, np.ndarray) and a.ndim >= 2 and a.size > expected.size \
                and a.size % expected.size == 0:
            k = a.size // expected.size
            # Kept even where it equals the batch size or the element count: on other
            # cases it may not, and the name that fits every case wins.
            out.append((f"per-result:{name}", float(k),
                        f"{k}, the number of values of `{name}` that go into each value of "
                        "the result (a mean where a sum is asked, or the reverse?)"))
    return out


# --- the detectors ------------------------------------------------------------------


def _floats(value: Any) -> np.ndarray | None:
    if value is None or isinstance(value, tuple | list | dict | str):
        if isinstance(value, list):
            try:
                arr = np.asarray(value)
            except (ValueError, TypeError):
                return None
            return arr if arr.dtype.kind in "biuf" else None
        return None
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError):
        return None
    return arr if arr.dtype.kind in "biuf" else None


def _shape_detectors(g: np.ndarray, e: np.ndarray, args: Sequence[tuple[str, Any]],
                     out: str) -> Seen | None:
    """Outputs of the wrong shape: transposed, keepdims, reduced or broadcast."""
    what = f"`{out}`" if out else "the result"
    if g.ndim == e.ndim >= 3 and sorted(g.shape) == sorted(e.shape):
        for i in range(g.ndim):
            for j in range(i + 1, g.ndim):
                if np.swapaxes(g, i, j).shape == e.shape:
                    exact = close(np.ascontiguousarray(np.swapaxes(g, i, j)), e)
                    return Seen("transposed", f"{what} has two axes swapped",
                                f"returned shape {g.shape} where {e.shape} is expected: axes "
                                f"{i} and {j} swapped"
                                + (", and swapping them back gives exactly the expected "
                                   "result" if exact else ""),
                                "write down what each axis of the result means (batch, "
                                "queries, keys...): which product or transpose puts them in "
                                "the order the docstring gives?", rank=0)
    if g.ndim == e.ndim >= 2 and g.shape == e.shape[::-1]:
        exact = g.size > 0 and close(np.ascontiguousarray(g.T), e)
        return Seen("transposed", f"{what} is transposed",
                    f"returned shape {g.shape} where {e.shape} is expected"
                    + (", and its transpose is exactly the expected result" if exact else
                       ", the expected shape reversed"),
                    "write down the shape of every factor in the product: the result must "
                    "have the shape the docstring gives; which operand (or which of its "
                    "axes) has to come first?", rank=0)
    if g.size == e.size and g.shape != e.shape and \
            tuple(d for d in g.shape if d != 1) == tuple(d for d in e.shape if d != 1):
        same = close(g.reshape(e.shape), e)
        return Seen("keepdims", f"{what} has an axis of length 1 too many or too few",
                    f"returned shape {g.shape} where {e.shape} is expected (the same values "
                    f"{'exactly' if same else 'in number'}, an axis of length 1 "
                    f"{'kept' if g.ndim > e.ndim else 'dropped'})",
                    "check `keepdims` on the reductions and any reshape: a kept axis of "
                    "length 1 (or a dropped one) changes the shape without changing the "
                    "values", rank=1)
    if g.ndim > e.ndim and g.size > e.size and e.ndim >= 1 and \
            any(g.shape[:i] + g.shape[i + 1:] == e.shape for i in range(g.ndim)):
        return Seen("broadcast", f"{what} has an extra axis",
                    f"returned shape {g.shape} where {e.shape} is expected: an extra axis, "
                    "the mark of broadcasting a column (n, 1) against a row (n,)",
                    "print the shapes of the operands in each subtraction or product: mixing "
                    "shape (n,) with (n, 1) broadcasts to (n, n)", rank=1)
    if e.ndim == 0 and g.ndim >= 1:
        return Seen("not-reduced", f"{what} is an array where one number is expected",
                    f"returned an array of shape {g.shape} where one number is expected",
                    "the result is a single number: which sum or mean over all the values "
                    "is still missing?", rank=1)
    if g.ndim == 0 and e.ndim >= 1:
        return Seen("over-reduced", f"{what} is one number where an array is expected",
                    f"returned one number where an array of shape {e.shape} is expected",
                    "a sum or mean runs over every value: give it the `axis` the docstring "
                    "asks for, or none at all", rank=1)
    if g.ndim == e.ndim or g.ndim + 1 == e.ndim:
        for name, a in args:
            if not isinstance(a, np.ndarray) or a.ndim < 2:
                continue
            for ax in range(a.ndim):
                kept = a.shape[:ax] + a.shape[ax + 1:]
                with_one = (*a.shape[:ax], 1, *a.shape[ax + 1:])
                if g.shape in (kept, with_one) and e.shape not in (kept, with_one):
                    return Seen("reduction-axis", f"{what} is reduced over the wrong axis",
                                f"returned shape {g.shape} where {e.shape} is expected: the "
                                f"shape of `{name}` {a.shape} without its axis {ax}, as if "
                                f"reduced over axis {ax}",
                                "say in words which axis the sum (or mean, or max) runs over, "
                                "then check the `axis=` you pass against the shapes in the "
                                "docstring", rank=0)
    return None


_REDUCTIONS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("sum", np.sum), ("mean", np.mean), ("max", np.max), ("min", np.min),
    ("var", np.var), ("std", np.std))


def _other_axis(g: np.ndarray, e: np.ndarray, args: Sequence[tuple[str, Any]],
                out: str) -> Seen | None:
    """The result is an argument reduced (or centred) over another axis than the expected.

    Tried directly: ``x.mean(axis=0)`` for ``x.mean(axis=1)``, or ``x - x.max(axis=0)`` for
    ``x - x.max(axis=1)``. On a square input the shapes alone cannot show it.
    """
    what = f"`{out}`" if out else "the result"
    for name, a in args:
        if not isinstance(a, np.ndarray) or a.ndim < 2 or a.dtype.kind not in "fiu" \
                or a.size > 100_000:
            continue
        af = a.astype(np.float64)
        with np.errstate(all="ignore"):
            for rname, fn in _REDUCTIONS:
                for form in ("reduce", "keep", "centre"):
                    if form == "centre" and rname not in ("mean", "max"):
                        continue
                    res = {}
                    for ax in range(a.ndim):
                        r = fn(af, axis=ax, keepdims=form != "reduce")
                        res[ax] = af - r if form == "centre" else r
                    exp_axes = {ax for ax, r in res.items() if r.shape == e.shape and close(r, e)}
                    got_axes = {ax for ax, r in res.items() if r.shape == g.shape and close(r, g)}
                    if not exp_axes or not got_axes or exp_axes & got_axes:
                        continue
                    got_ax, exp_ax = min(got_axes), min(exp_axes)
                    op = f"`{name}` minus its {rname}" if form == "centre" else \
                        f"the {rname} of `{name}`"
                    return Seen("reduction-axis", f"{what} is reduced over the wrong axis",
                                f"returned {op} over axis {got_ax}, where the expected result "
                                f"takes it over axis {exp_ax}",
                                "say in words which axis the sum (or mean, or max) runs over, "
                                "then check the `axis=` you pass against the shapes in the "
                                "docstring", rank=0)
    return None


def _normalised_axis(g: np.ndarray, e: np.ndarray, out: str) -> Seen | None:
    """Outputs that should sum to 1 along an axis and sum to 1 along another."""
    if e.ndim < 2 or not np.all(np.isfinite(g)) or (e < 0).any():
        return None
    for a in range(e.ndim):
        if not np.allclose(e.sum(axis=a), 1.0, atol=1e-6):
            continue
        if np.allclose(g.sum(axis=a), 1.0, atol=1e-6):
            return None
        what = f"`{out}`" if out else "the result"
        for b in range(g.ndim):
            if b != a and np.allclose(g.sum(axis=b), 1.0, atol=1e-6):
                return Seen("normalised-axis", f"{what} is normalised over the wrong axis",
                            f"the values sum to 1 along axis {b}, where they should sum to 1 "
                            f"along axis {a}{' (the last)' if a == e.ndim - 1 else ''}",
                            "which axis holds the classes (or positions) a row's probabilities "
                            "run over? Every `axis=` in the computation must name that one",
                            rank=0)
        if np.isclose(g.sum(), 1.0, atol=1e-6):
            return Seen("normalised-axis", f"{what} is normalised over the whole array",
                        f"all the values together sum to 1, where each slice along axis {a} "
                        "should", "a sum without `axis=` runs over everything: give it the "
                        "axis (and keep that axis so it broadcasts back)", rank=0)
    return None


def _factor(g: np.ndarray, e: np.ndarray, meanings: Sequence[tuple[str, float, str]],
            out: str) -> list[Seen]:
    """The same ratio got / expected on every value: what in the call it equals."""
    ef, gf = e.astype(np.float64).ravel(), g.astype(np.float64).ravel()
    scale = float(np.abs(ef).max(initial=0.0))
    if scale == 0.0 or not np.all(np.isfinite(gf)) or not np.all(np.isfinite(ef)):
        return []
    mask = np.abs(ef) > 1e-8 * scale
    if (np.abs(gf[~mask]) > 1e-6 * scale).any():
        return []
    ratios = gf[mask] / ef[mask]
    r = float(np.median(ratios))
    if r == 0 or r == 1 or np.max(np.abs(ratios - r)) > 1e-5 * max(1.0, abs(r)):
        return []
    what = f"`{out}`" if out else "the result"
    if r >= 0:
        said = f"{_num(r)} times" if abs(r) >= 1 else f"1/{_num(1 / r)} of"
    else:
        said = "minus" if r == -1 or abs(r + 1) < 1e-9 else f"{_num(r)} times"
    seen: list[Seen] = []
    for key, value, words in meanings:
        # A scalar's meanings come with their inverses already (p and 1/p, 1 - p and
        # 1/(1 - p)); a size's do not.
        both = ((value, False),) if not key.startswith(("rows:", "per-row:", "size:",
                                                         "per-result:")) \
            else ((value, False), (1.0 / value, True))
        for v, inverse in both:
            if abs(r - v) <= 1e-6 * max(1.0, abs(v)):
                how = "one over " if inverse else ""
                seen.append(Seen(
                    f"factor:{key}:{'inv' if inverse else 'direct'}",
                    f"{what} is off by a factor: {how}{words}",
                    f"every value is {said} the expected one: the factor is {how}{words}",
                    f"where does {_short(key)} enter the formula? "
                    "Check whether it is missing, applied twice, or multiplies where it should "
                    "divide", rank=2))
    if abs(r + 1) <= 1e-6:
        seen.append(Seen("factor:sign", f"{what} has the wrong sign",
                         "every value is minus the expected one",
                         "follow the signs through each step: a subtraction taken the other "
                         "way round, or a step taken uphill instead of down?", rank=2))
    # The bare constant too: when a name fits only some cases (2 is the row length of one
    # input but not of the next), the constant that fits them all is the better account.
    whole = abs(r) <= 16 and (abs(r - round(r)) < 1e-9 or abs(1 / r - round(1 / r)) < 1e-9)
    if ratios.size > 1 or whole:
        seen.append(Seen(f"factor:{r:.6g}", f"{what} is off by a constant factor {_num(r)}",
                         f"every value is {said} the expected one, the same factor everywhere",
                         "the pattern is right and only the scale is off: compare every "
                         "constant and every division in your formula with the README's",
                         rank=3))
    return seen


def _short(key: str) -> str:
    """The name of a factor in a hint: "the batch size N", "1 - p"."""
    kind, _, name = key.partition(":")
    return {"rows": f"the batch size (the rows of `{name}`)",
            "per-row": f"the number of values per row of `{name}`",
            "size": f"the number of elements of `{name}`",
            "per-result": f"the number of values of `{name}` in each result",
            "one-minus": f"1 - {name}", "inv-one-minus": f"1/(1 - {name})",
            "param": f"`{name}`", "inv-param": f"1/{name}"}.get(kind, "this factor")


def _shifted(g: np.ndarray, e: np.ndarray, out: str) -> Seen | None:
    """The expected values moved by one place along an axis (an off-by-one index)."""
    what = f"`{out}`" if out else "the result"
    for ax in range(e.ndim):
        n = e.shape[ax]
        if n < 3:
            continue
        head = tuple(slice(None) if i != ax else slice(0, n - 1) for i in range(e.ndim))
        tail = tuple(slice(None) if i != ax else slice(1, n) for i in range(e.ndim))
        if close(e[head], e[tail]):
            continue  # constant along the axis: a shift would not show
        for gs, es, way in ((tail, head, "later"), (head, tail, "earlier")):
            if close(g[gs], e[es]):
                return Seen("shifted", f"{what} is shifted by one place",
                            f"the values are the expected ones moved one place {way} "
                            f"along axis {ax}",
                            "check where a loop or a slice starts and stops: an index that "
                            "begins at 1 instead of 0 (or ends one early) shifts everything",
                            rank=1)
    return None


def _inverted(g: np.ndarray, e: np.ndarray, out: str) -> Seen | None:
    """Zeros where the answer is not zero and values where it is: a selection inverted.

    ``u < p`` for ``u >= p``, ``x < 0`` for ``x > 0``: the kept and the dropped
    elements trade places, whatever scale the kept ones carry.
    """
    if e.size < 2:
        return None
    gf, ef = g.astype(np.float64), e.astype(np.float64)
    if not (np.all(np.isfinite(gf)) and np.all(np.isfinite(ef))):
        return None
    scale = max(float(np.abs(ef).max(initial=0.0)), float(np.abs(gf).max(initial=0.0)))
    tiny = 1e-12 * max(scale, 1e-300)
    e_zero, g_zero = np.abs(ef) <= tiny, np.abs(gf) <= tiny
    if not e_zero.any() or e_zero.all() or not g_zero[~e_zero].all():
        return None
    if (~g_zero[e_zero]).sum() * 2 < e_zero.sum():
        return None
    what = f"`{out}`" if out else "the result"
    idx = tuple(int(i) for i in np.argwhere(~e_zero)[0])
    return Seen("inverted-selection", f"{what} keeps what should be zeroed, and zeroes the rest",
                f"every value that should be kept is 0 (at index {_index(idx)} you returned 0 "
                f"where {_num(float(ef[idx]))} is expected), and values appear where the "
                "expected result is 0",
                "the elements kept and the elements zeroed have traded places: read the "
                "comparison that builds the mask (`<` or `>=`, which side is kept?) against "
                "the README", rank=1)


def _offset(g: np.ndarray, e: np.ndarray, out: str) -> Seen | None:
    """The same amount added to every value: one too many (an index), or a constant."""
    gf, ef = g.astype(np.float64), e.astype(np.float64)
    if not (np.all(np.isfinite(gf)) and np.all(np.isfinite(ef))):
        return None
    d = gf - ef
    step = float(d.ravel()[0])
    if step == 0 or np.max(np.abs(d - step)) > 1e-9 * max(1.0, float(np.abs(ef).max())):
        return None
    what = f"`{out}`" if out else "the result"
    integral = np.array_equal(ef, np.round(ef)) and np.array_equal(gf, np.round(gf))
    if integral and abs(step) == 1:
        return Seen("off-by-one", f"{what} is off by one",
                    f"returned {_num(float(gf.ravel()[0]))} where {_num(float(ef.ravel()[0]))} "
                    f"is expected: every value is one {'more' if step > 0 else 'less'} than "
                    "expected",
                    "count from the start: is the first index 0 or 1, does the window end "
                    "at the last element or one past it, and is the count taken before or "
                    "after the update?", rank=1)
    if e.size < 2 or np.allclose(ef, ef.ravel()[0]):
        return None
    return Seen("offset", f"{what} is shifted by a constant",
                f"every value is the expected one {'plus' if step > 0 else 'minus'} "
                f"{_num(abs(step))}",
                "the pattern is right and every value is moved by the same amount: look "
                "for a term that should be subtracted (a mean, a maximum) or added once",
                rank=3)


def _truncated(g: np.ndarray, e: np.ndarray, out: str) -> Seen | None:
    """Fractions lost: integer division, int arrays, int()."""
    ef = e.astype(np.float64)
    if not np.all(np.isfinite(ef)):
        return None
    frac = np.abs(ef - np.round(ef)) > 1e-6
    if not frac.any():
        return None
    gf = g.astype(np.float64)
    # All zeros: a lost fraction, or any other zero; it counts only beside a clearer case.
    weak = not gf.any() and g.dtype.kind not in "iu"
    what = f"`{out}`" if out else "the result"
    for fn, word in ((np.floor, "rounded down"), (np.trunc, "truncated"),
                     (np.round, "rounded")):
        if np.array_equal(gf, fn(ef)):
            idx = tuple(int(i) for i in np.argwhere(frac)[0]) if e.ndim else ()
            got_v, exp_v = float(gf[idx]), float(ef[idx])
            return Seen("integer", f"{what} loses its fractions",
                        f"returned {_num(got_v)}{_at(idx)} where {_num(exp_v)} is expected: "
                        f"every value is the expected one {word} to a whole number",
                        "look for integer division (`//`), an integer array (`np.zeros(n, "
                        "dtype=int)`, `astype(int)`) or `int(...)` on the way", rank=0,
                        weak=weak)
    if g.dtype.kind in "iu":
        return Seen("integer", f"{what} is made of integers",
                    f"returned integers ({g.dtype}) where the expected values have fractions",
                    "an integer array keeps no fractions: where is it created (`np.zeros_like` "
                    "of an int array, `astype(int)`, `//`)?", rank=1)
    return None


def _nonfinite(g: np.ndarray, e: np.ndarray, out: str) -> Seen | None:
    ef, gf = e.astype(np.float64), g.astype(np.float64)
    bad = ~np.isfinite(gf) & np.isfinite(ef)
    if not bad.any():
        return None
    idx = tuple(int(i) for i in np.argwhere(bad)[0]) if g.ndim else ()
    kind = "NaN" if np.isnan(gf[idx]) else "infinity"
    what = f"`{out}`" if out else "the result"
    return Seen("non-finite", f"{what} has NaN or infinity where the answer is finite",
                f"returned {kind}{_at(idx)} where the expected value is {_num(float(ef[idx]))}",
                "an unstable formula: exp of a large number, a log of 0 or a division by a "
                "value that reaches 0; the README says how to keep the formula away from "
                "those points", rank=4)


def _precision(g: np.ndarray, e: np.ndarray, out: str, float32_result: Callable[[], Any],
               rtol: float = 1e-5, atol: float = 1e-8) -> Seen | None:
    """Errors the size of float32 rounding: the right formula in too little precision."""
    ef, gf = e.astype(np.float64), g.astype(np.float64)
    if not (np.all(np.isfinite(gf)) and np.all(np.isfinite(ef))):
        return None
    err = np.abs(gf - ef)
    worst = float(err.max(initial=0.0))
    if worst == 0.0:
        return None
    # The element furthest outside the default tolerance (not the largest absolute error,
    # which may be well within it on a large value).
    excess = err / (atol + rtol * np.abs(ef))
    idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(excess)), err.shape)) \
        if err.ndim else ()
    if worst > 1e-3 * max(float(np.abs(ef).max(initial=0.0)), 1e-30):
        return None
    if g.dtype == np.float32:
        said = "the result came back as float32"
    else:
        ref32 = _floats(float32_result())
        if ref32 is None or ref32.shape != e.shape:
            return None
        reach = float(np.abs(ref32.astype(np.float64) - ef).max(initial=0.0))
        if not np.isfinite(reach) or reach == 0.0 or worst > 20 * reach:
            return None
        said = "as large as the reference itself makes when computed in float32"
    what = f"`{out}`" if out else "the result"
    where = _at(idx)
    got_s, exp_s = pair(float(gf[idx]), float(ef[idx]))
    return Seen("float32", f"{what} is right only to float32 precision",
                f"an error of {float(err[idx]):.2g}{where} (you returned "
                f"{got_s}, the expected value is {exp_s}); "
                f"an error this small is rounding, not a wrong formula: {said}",
                "the formula looks right: compute in float64 (NumPy's default); look for "
                "`np.float32`, `dtype=np.float32` or `astype(np.float32)` on the way",
                rank=0)


def detect_output(got: Any, expected: Any, args: Sequence[tuple[str, Any]], out: str = "",
                  float32_result: Callable[[], Any] = lambda: None, *,
                  rtol: float = 1e-5, atol: float = 1e-8) -> list[Seen]:
    """Everything the detectors see in one wrong output (one array or number).

    ``float32_result()`` gives the reference's output computed in float32; it is called
    only when the error is small enough for rounding to explain it.
    """
    g, e = _floats(got), _floats(expected)
    if g is None or e is None or e.dtype.kind == "b":
        return []
    if g.dtype.kind == "b":
        what = f"`{out}`" if out else "the result"
        numbers = "integers" if e.dtype.kind in "iu" else "numbers"
        return [Seen("bool", f"{what} is True/False where numbers are expected",
                     f"returned booleans (True/False) where {numbers} are expected",
                     "a comparison such as `x > 0` gives a mask of True/False: use it to "
                     "select or weigh values, and return the numbers themselves", rank=0)]
    if g.shape != e.shape:
        found = _other_axis(g, e, args, out) or _shape_detectors(g, e, args, out)
        return [found] if found else []
    seen: list[Seen] = []
    nonfinite = _nonfinite(g, e, out)
    if nonfinite:
        return [nonfinite]
    for det in (_precision(g, e, out, float32_result, rtol, atol), _truncated(g, e, out)):
        if det:
            seen.append(det)
    if seen:
        return seen
    if e.ndim == 2 and e.shape[0] == e.shape[1] and not close(e, e.T) and close(g, e.T):
        what = f"`{out}`" if out else "the result"
        seen.append(Seen("transposed", f"{what} is transposed",
                         "returned exactly the transpose of the expected (square) result",
                         "write down the shape of every factor in the product: on a square "
                         "input a transpose still fits, so the shapes alone do not warn you",
                         rank=0))
    for found in (_normalised_axis(g, e, out), _other_axis(g, e, args, out),
                  _shifted(g, e, out), _inverted(g, e, out), _offset(g, e, out)):
        if found:
            seen.append(found)
    meanings = factor_meanings(args) + per_result_meanings(args, e)
    seen += _factor(g, e, meanings, out)
    if not seen:
        seen += _step_factor(g, e, args, meanings, out)
    return seen


def _step_factor(g: np.ndarray, e: np.ndarray, args: Sequence[tuple[str, Any]],
                 meanings: Sequence[tuple[str, float, str]], out: str) -> list[Seen]:
    """An update off by a factor: the change from an argument, not the value, is scaled.

    ``w - lr * lr * step`` is not a constant multiple of the right ``w``, but its change
    from the ``w`` it was given is.
    """
    for name, a in args:
        if not (isinstance(a, np.ndarray) and a.shape == e.shape and a.dtype.kind == "f"):
            continue
        start = a.astype(np.float64)
        de, dg = e.astype(np.float64) - start, g.astype(np.float64) - start
        if not np.any(np.abs(de) > 1e-12 * max(1.0, float(np.abs(start).max(initial=0.0)))):
            continue
        found = _factor(dg, de, meanings, out)
        return [Seen(f"step-{s.key}", s.title.replace("is off by", "changes by a step off by")
                     .replace("has the wrong sign", "moves the wrong way"),
                     f"the change from `{name}` is off: " + s.detail.replace(
                         "every value", "every change"), s.hint, s.rank)
                for s in found]
    return []


SUBSTITUTED_CASES = 8  # per entry: how many failed cases the argument detector reruns
SUBSTITUTION_BUDGET_S = 1.0  # and for how long in all: a slow reference stops it early


def _scalar(v: Any) -> bool:
    return isinstance(v, int | float | np.integer | np.floating) and np.isfinite(float(v))


def substitutions(case: Case, fn: Callable[..., Any] | None) -> list[tuple[str, str, Case]]:
    """(key, words, case) for each plausible misuse of one scalar argument of the call.

    Another argument's value in its place (``stride`` read as ``size``), ``1 - p`` for a
    probability, 1 for a parameter left out, one more or one less for a count, the other
    value of a flag. The key is the same on every case, so a misuse can explain them all.
    """
    from dataclasses import replace

    named = bind(case, fn)
    n_pos = len(case.args)
    out: list[tuple[str, str, Case]] = []

    def with_value(pos: int, name: str, value: Any) -> Case:
        if pos < n_pos:
            args = list(case.args)
            args[pos] = value
            return replace(case, args=args)
        return replace(case, kwargs={**case.kwargs, name: value})

    scalars = [(i, n, v) for i, (n, v) in enumerate(named)
               if isinstance(v, bool | np.bool_) or _scalar(v)]
    for pos, name, v in scalars:
        if isinstance(v, bool | np.bool_):
            out.append((f"{name}:not", f"`{name}` = {not v}", with_value(pos, name, not v)))
            continue
        for _, other, w in scalars:
            # A count read as a much larger one (epochs as a seed) would only cost time.
            if isinstance(v, int | np.integer) and isinstance(w, int | np.integer) \
                    and w > max(2 * v, v + 16):
                continue
            if other != name and not isinstance(w, bool | np.bool_) and w != v:
                out.append((f"{name}:={other}", f"`{name}` read as `{other}` (= {w})",
                            with_value(pos, name, w)))
        if isinstance(v, float | np.floating) and 0 < v < 1:
            out.append((f"{name}:1-", f"`{name}` read as 1 - {name} (= {1 - v:g})",
                        with_value(pos, name, 1.0 - float(v))))
        if v not in (0, 1):
            out.append((f"{name}:=1", f"`{name}` left out (as if it were 1)",
                        with_value(pos, name, type(v)(1))))
        if isinstance(v, int | np.integer):
            out.append((f"{name}:+1", f"`{name}` one larger (= {v + 1})",
                        with_value(pos, name, v + 1)))
            if v > 0:
                out.append((f"{name}:-1", f"`{name}` one smaller (= {v - 1})",
                            with_value(pos, name, v - 1)))
    return out


def _quietly(run: Callable[[Callable[..., Any], Case], Any], fn: Callable[..., Any],
             case: Case) -> Any:
    """A rerun that fails (stride 0 divides by zero) explains nothing; it never crashes."""
    try:
        return run(fn, case)
    except Exception:
        return None


def _argument_seen(key: str, words: str, out: str) -> Seen:
    name = key.split(":")[0]
    what = f"`{out}`" if out else "the result"
    return Seen(f"argument:{key}", f"{what} is what a correct function gives with {words}",
                f"returned exactly what a correct function returns with {words}",
                f"follow `{name}` through your code: is it used everywhere it should be, and is "
                "it the argument you mean at each place (not another one, not a fixed number)?",
                rank=0)


def _split(value: Any, expected: Any, names: Sequence[str]) -> list[tuple[str, Any, Any]]:
    if isinstance(expected, tuple):
        if not isinstance(value, tuple | list) or len(value) != len(expected):
            return []
        return [(names[i] if i < len(names) else f"output {i}", v, x)
                for i, (v, x) in enumerate(zip(value, expected, strict=True))]
    return [(names[0] if len(names) == 1 else "", value, expected)]


def detect(
    cases: Sequence[Case], labels: Sequence[str], learner: Sequence[Any],
    expected: Sequence[Any], failed: Sequence[bool], *,
    names: Callable[[str], Sequence[str]],
    reference: Callable[[str], Callable[..., Any]] | None = None,
    float32: Callable[[Case], Any] | None = None,
    rtol: float = 1e-5, atol: float = 1e-8,
    run: Callable[[Callable[..., Any], Case], Any] | None = None,
) -> list[Shape]:
    """Shapes of the mistake over the failed cases, the most telling first.

    A shape is named for an output of an entry when it shows on more than half of the
    cases where that output is wrong (and at least on one). ``float32(case)`` gives the
    reference's result computed in float32, for the precision detector. With ``run``
    (call trusted code on a case), the reference is rerun with one argument misused
    (``substitutions``) to see whether that is what the learner's code computes.
    """
    import time

    per_output: dict[tuple[str, str], list[tuple[int, list[Seen]]]] = {}
    rerun: dict[str, int] = {}
    deadline = time.perf_counter() + SUBSTITUTION_BUDGET_S
    for i, case in enumerate(cases):
        if not failed[i] or case.judge is not None:
            continue
        fn = reference(case.call) if reference else None
        args = bind(case, fn)
        f32: list[Any] = []  # computed at most once per case, and only when asked for
        outputs = list(names(case.call))

        def reference32(case: Case = case, out: str = "", f32: list[Any] = f32,
                        outputs: list[str] = outputs) -> Any:
            if float32 is None:
                return None
            if not f32:
                f32.append(float32(case))
            whole = f32[0]
            if isinstance(whole, tuple) and len(outputs) > 1:
                pos = outputs.index(out) if out in outputs else -1
                return whole[pos] if 0 <= pos < len(whole) else None
            return whole

        subs: list[tuple[str, str, Any]] | None = None
        for out, got, exp in _split(learner[i], expected[i], outputs):
            tol = {"rtol": case.rtol or rtol, "atol": case.atol or atol}
            if exp is None or close(got, exp, **tol):
                continue
            seen = detect_output(got, exp, args, out,
                                 lambda out=out: reference32(out=out),  # type: ignore[misc]
                                 **tol)
            if run is not None and fn is not None and time.perf_counter() < deadline and \
                    rerun.setdefault(case.call, 0) < SUBSTITUTED_CASES:
                if subs is None:
                    rerun[case.call] += 1
                    subs = [(k, w, _quietly(run, fn, c)) for k, w, c in substitutions(case, fn)]
                for key, words, value in subs:
                    part = _split(value, expected[i], outputs)
                    mine = [v for o, v, _ in part if o == out]
                    if mine and close(got, mine[0], **tol):
                        seen.append(_argument_seen(key, words, out))
            per_output.setdefault((case.call, out), []).append((i, seen))
    shapes: list[Shape] = []
    for (call, out), rows in per_output.items():
        counts: dict[str, list[int]] = {}
        first: dict[str, Seen] = {}
        for i, seen in rows:
            for s in seen:
                if i not in counts.setdefault(s.key, []):
                    counts[s.key].append(i)
                first.setdefault(s.key, s)
        strong = {s.key for _, seen in rows for s in seen if not s.weak}
        counts = {k: v for k, v in counts.items() if k in strong}
        if not counts:
            continue
        # The shape that explains the most failed cases; among those the most telling.
        best = min(counts, key=lambda k: (-len(counts[k]), first[k].rank))
        hits = counts[best]
        if len(hits) * 2 <= len(rows) and not (len(rows) == 1 and hits):
            continue
        clear = [j for j in hits if any(s.key == best and not s.weak for s in dict(rows)[j])]
        shown = min(clear, key=lambda j: example_order(cases[j], j))
        seen_there = next(s for s in dict(rows)[shown] if s.key == best)
        shapes.append(Shape(call, out, seen_there, len(hits), len(rows), labels[shown]))
    shapes.sort(key=lambda s: (s.seen.rank, -s.explained / max(1, s.failed)))
    return shapes


def example_order(case: Case, index: int) -> tuple[bool, bool, int, int]:
    """How well a case serves as the example of a mistake, best first.

    A shown case before a hidden one; ordinary numbers before extreme ones (a case built
    to overflow brings its own story); then the smallest input.
    """
    size, extreme = 0, False
    for a in [*case.args, *case.kwargs.values()]:
        size += int(getattr(a, "size", 1))
        if isinstance(a, np.ndarray) and a.dtype.kind == "f" and a.size:
            with np.errstate(invalid="ignore"):
                extreme = extreme or not np.all(np.abs(a) < 100)
    return case.kind == "hidden", extreme, size, index


def float32_of(reference: Callable[[str], Callable[..., Any]],
               run: Callable[[Callable[..., Any], Case], Any]) -> Callable[[Case], Any]:
    """``float32(case)``: the reference run on the case's float arrays cast to float32."""
    from dataclasses import replace

    def cast(a: Any) -> Any:
        if isinstance(a, np.ndarray) and a.dtype == np.float64:
            return a.astype(np.float32)
        return a

    def compute(case: Case) -> Any:
        c32 = replace(case, args=[cast(a) for a in case.args],
                      kwargs={k: cast(v) for k, v in case.kwargs.items()})
        return run(reference(case.call), c32)

    return compute
