"""Name the misconception behind a wrong answer, where it was made.

Every catalogued misconception comes with a buggy implementation. We run each
one on the same cases as the learner (in this, the parent, process: it is our
code) and ask which one the learner's outputs agree with.

The question is asked per *slot*: one output of one entry function (``forward``;
``backward``'s ``dx``, ``dw`` and ``db`` apart). A learner makes a mistake in one
place: the axis bug in ``softmax`` but not in ``log_softmax``, the unbiased
variance in the running average but not in the normalisation. Such code agrees
with the misconception's variant in that slot and with the reference (or with
neither) elsewhere, so asking for agreement on every output at once would miss it.

- ``diagnosed``: the learner agrees with the variant everywhere (the whole mistake),
  or in some slot on every case of it (the mistake made there; the evidence names
  where, and other slots may be right or wrong in other ways);
- ``likely``: in some slot, agreement on most (more than half) of the cases where the
  mistake shows.

Cases where the variant gives the same answer as the reference say nothing about
the mistake and count for neither; nor do cases where the variant raises.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from deepcareer.grading.compare import close, summarize
from deepcareer.grading.detectors import example_order
from deepcareer.grading.spec import Case, Misconception

_RAISED = object()  # a variant that raised on a case: matches nothing
_ABSENT = object()  # a part the learner's output does not have (a wrong structure)
LIKELY_THRESHOLD = 0.5  # "likely" needs more than this share: most cases, not 1 of 2
MAX_FINDINGS = 3  # mistakes in different places are named side by side, up to this many

Slot = tuple[str, str]  # (entry function, output name; "" for a function's only output)


@dataclass(frozen=True)
class Diagnosis:
    """A misconception and how strongly the learner's outputs point to it."""

    misconception: Misconception
    confidence: str  # diagnosed | likely
    score: float  # share of revealing cases where the learner agrees with it
    evidence: str
    # The slots where the learner's outputs show this mistake; ``partial`` when the
    # mistake shows only there (the learner's other outputs do not agree with it).
    where: tuple[Slot, ...] = field(default=())
    partial: bool = False
    words: str = ""  # the slots in words: "softmax()", "backward()'s dw"

    def place(self) -> str:
        """Where the mistake was made, in words; "" when it shows everywhere."""
        return self.words if self.partial else ""


def slot_words(slot: Slot, names: Callable[[str], Sequence[str]] = lambda call: ()) -> str:
    """"backward()'s dw" for one of several outputs, "mse()" for a function's only one."""
    call, out = slot
    return f"{call}()'s {out}" if out and len(names(call)) != 1 else f"{call}()"


def run_case(fn: Callable[..., Any], case: Case) -> Any:
    """Call trusted code (reference or variant) on a copy of a case's inputs."""
    args = [a.copy() if hasattr(a, "copy") else a for a in case.args]
    kwargs = {k: (v.copy() if hasattr(v, "copy") else v) for k, v in case.kwargs.items()}
    # Buggy variants overflow on purpose; their warnings are not news to anyone.
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return fn(*args, **kwargs)
        except Exception:
            return _RAISED


def variant_outputs(
    misconception: Misconception, cases: Sequence[Case], reference: Callable[[str], Any]
) -> list[Any]:
    """Outputs of the buggy variant: its replacements, the reference elsewhere.

    Judged cases (a trained model's predictions) have no expected output to disagree
    with, so diagnosis never looks at them: running them would retrain a model per
    misconception for nothing. They get ``None``.
    """
    out: list[Any] = []
    for case in cases:
        if case.judge is not None:
            out.append(None)
            continue
        fn = misconception.replace.get(case.call) or reference(case.call)
        out.append(run_case(fn, case))
    return out


def _agree(a: Any, b: Any, case: Case, rtol: float, atol: float) -> bool:
    if a is _RAISED or b is _RAISED or a is _ABSENT or b is _ABSENT:
        return False
    return close(a, b, rtol=case.rtol or rtol, atol=case.atol or atol)


def case_label(case: Case, index_among_hidden: int | None = None) -> str:
    """How a case is named to the learner; hidden cases are only numbered."""
    if case.kind == "hidden":
        return f"hidden case {index_among_hidden if index_among_hidden is not None else ''}".strip()
    return f"{case.call}({case.name})" if case.name else f"{case.call}(...)"


def _parts(expected: Any) -> int:
    """How many outputs a call returns: a tuple's length, else 1."""
    return len(expected) if isinstance(expected, tuple) and len(expected) > 1 else 1


def _part(value: Any, k: int, n: int) -> Any:
    if n == 1:
        return value
    if isinstance(value, tuple | list) and len(value) == n:
        return value[k]
    return _ABSENT


def _slot(call: str, k: int, n: int, names: Sequence[str]) -> Slot:
    """The same naming as the detectors use: a tuple's outputs by name, else ""."""
    if n == 1:
        return (call, names[0] if len(names) == 1 else "")
    return (call, names[k] if k < len(names) else f"output {k}")


@dataclass
class _Tally:
    revealing: list[int] = field(default_factory=list)  # cases where the mistake shows
    matched: list[int] = field(default_factory=list)  # ... and the learner agrees with it
    off: int = 0  # cases where the mistake does not show and the learner is wrong anyway
    missed: int = 0  # cases where it shows, the learner disagrees with it and is wrong too
    mirrored: list[int] = field(default_factory=list)  # ... and is off by minus its error

    def wrong(self) -> int:
        """The learner's wrong cases in this slot (mirrored ones are among the missed)."""
        return len(self.matched) + self.off + self.missed


def diagnose(
    cases: Sequence[Case],
    learner: Sequence[Any],
    expected: Sequence[Any],
    catalog: Sequence[Misconception],
    reference: Callable[[str], Any],
    *,
    rtol: float,
    atol: float,
    available: Sequence[bool],
    precomputed: Mapping[str, Sequence[Any]] | None = None,
    reveals: dict[str, Any] | None = None,
    names: Callable[[str], Sequence[str]] | None = None,
) -> list[Diagnosis]:
    """Rank the catalog against the learner's outputs; best first, weak ones dropped.

    ``precomputed`` maps misconception ids to their outputs on these cases, and
    ``reveals`` (filled in on first use) where each differs from the reference, for
    callers (content verification) that diagnose many learners against the same
    catalog and cases. ``names(call)`` gives an entry's output names, for the evidence.
    """
    output_names = names or (lambda call: ())
    ranked: list[tuple[int, float, int, Diagnosis]] = []
    for m in catalog:
        if precomputed is not None and m.id in precomputed:
            outs = list(precomputed[m.id])
        else:
            outs = variant_outputs(m, cases, reference)
        if reveals is not None and m.id in reveals:
            differs = reveals[m.id]
        else:
            differs = _differences(cases, outs, expected, rtol, atol)
            if reveals is not None:
                reveals[m.id] = differs
        found = _judge(m, cases, learner, outs, expected, differs, available, output_names,
                       rtol, atol)
        if found is not None:
            ranked.append(found)
    ranked.sort(key=lambda r: (r[0], -r[1], -r[2]))
    return _select([r[3] for r in ranked])


def _differences(cases: Sequence[Case], outs: Sequence[Any], expected: Sequence[Any],
                 rtol: float, atol: float) -> dict[int, list[bool] | None]:
    """Per case, per output: does the variant differ from the reference? None: it raised."""
    found: dict[int, list[bool] | None] = {}
    for i, case in enumerate(cases):
        if expected[i] is None or expected[i] is _RAISED:
            continue
        if outs[i] is _RAISED:
            found[i] = None
            continue
        n = _parts(expected[i])
        found[i] = [not _agree(_part(outs[i], k, n), _part(expected[i], k, n), case, rtol, atol)
                    for k in range(n)]
    return found


def _judge(
    m: Misconception, cases: Sequence[Case], learner: Sequence[Any], outs: Sequence[Any],
    expected: Sequence[Any], differs: dict[int, list[bool] | None], available: Sequence[bool],
    names: Callable[[str], Sequence[str]], rtol: float, atol: float,
) -> tuple[int, float, int, Diagnosis] | None:
    """(tier, score, agreeing cases, diagnosis) for one misconception, or None."""
    tallies: dict[Slot, _Tally] = {}
    raised_where_available = False
    for i, flags in differs.items():
        if not available[i]:
            continue
        if flags is None:
            raised_where_available = True
            continue
        case = cases[i]
        n = len(flags)
        for k, shows in enumerate(flags):
            t = tallies.setdefault(_slot(case.call, k, n, names(case.call)), _Tally())
            agrees = _agree(_part(learner[i], k, n), _part(outs[i], k, n), case, rtol, atol)
            if shows:
                t.revealing.append(i)
                if agrees:
                    t.matched.append(i)
                elif not _agree(_part(learner[i], k, n), _part(expected[i], k, n), case,
                                rtol, atol):
                    t.missed += 1
                    if _mirrors(_part(learner[i], k, n), _part(outs[i], k, n),
                                _part(expected[i], k, n), case, rtol, atol):
                        t.mirrored.append(i)
            elif not agrees:
                t.off += 1
    showing = {s: t for s, t in tallies.items() if t.revealing}
    if showing and not any(t.matched for t in showing.values()):
        return _mirror_judge(m, cases, learner, showing, names)
    if not showing:
        return None
    full = [s for s, t in showing.items() if len(t.matched) == len(t.revealing) and not t.off]
    everywhere = not raised_where_available and len(full) == len(showing) and \
        not any(t.off for t in tallies.values())
    if everywhere:
        where = tuple(showing)
        matched = sorted({i for t in showing.values() for i in t.matched})
        revealing = matched
        return 0, 1.0, len(matched), Diagnosis(
            m, "diagnosed", 1.0, _evidence(cases, learner, matched, revealing, None, names),
            where)
    if full:
        matched = sorted({i for s in full for i in showing[s].matched})
        slot = max(full, key=lambda s: len(showing[s].matched))
        return 1, 1.0, len(matched), Diagnosis(
            m, "diagnosed", 1.0,
            _evidence(cases, learner, showing[slot].matched, showing[slot].revealing, slot,
                      names, also=[s for s in full if s != slot]),
            tuple(full), partial=True, words=", ".join(slot_words(s, names) for s in full))
    # "Likely" in a slot: agreement on most of the cases where the mistake shows, and the
    # mistake accounts for most of the learner's wrong cases there (else the agreement on
    # a few cases is a coincidence of some other mistake).
    agreeing = [s for s, u in showing.items()
                if len(u.matched) * 2 > len(u.revealing) and len(u.matched) * 2 > u.wrong()]
    if not agreeing:
        return None
    best = max(agreeing, key=lambda s: (len(showing[s].matched) / len(showing[s].revealing),
                                        len(showing[s].matched)))
    t = showing[best]
    score = len(t.matched) / len(t.revealing)
    partial = len(agreeing) < len(showing)
    return 2, score, len(t.matched), Diagnosis(
        m, "likely", score,
        _evidence(cases, learner, t.matched, t.revealing, best if partial or len(showing) > 1
                  else None, names),
        tuple(agreeing), partial=partial,
        words=", ".join(slot_words(s, names) for s in agreeing))


def _mirrors(got: Any, variant: Any, expected: Any, case: Case, rtol: float,
             atol: float) -> bool:
    """The learner's error is exactly minus the variant's: the same mistake the other way.

    ``w[i] -= eps`` left in place where the catalogue has ``+ eps``; a correction added
    where the catalogue subtracts it. Only for float arrays of the same shape.
    """
    try:
        g, v, e = (np.asarray(x, dtype=np.float64) for x in (got, variant, expected))
    except (TypeError, ValueError):
        return False
    if not (g.shape == v.shape == e.shape) or g.dtype.kind != "f" or \
            not (np.isfinite(g).all() and np.isfinite(v).all() and np.isfinite(e).all()):
        return False
    if _scaled(v, e):
        return False  # a factor's mirror is another factor: the factor detector names it
    return close(g, 2.0 * e - v, rtol=case.rtol or rtol, atol=case.atol or atol)


def _scaled(v: np.ndarray, e: np.ndarray) -> bool:
    """Whether ``v`` is one constant times ``e`` (or ``e`` plus one constant)."""
    if e.size == 0:
        return True
    d = v - e
    if np.allclose(d, d.ravel()[0], rtol=1e-9, atol=1e-12):
        return True
    mask = np.abs(e) > 1e-12 * max(1.0, float(np.abs(e).max()))
    if not mask.any() or np.abs(v[~mask]).max(initial=0.0) > 1e-12:
        return False
    r = v[mask] / e[mask]
    return bool(np.allclose(r, r[0], rtol=1e-9, atol=1e-12))


def _mirror_judge(
    m: Misconception, cases: Sequence[Case], learner: Sequence[Any],
    showing: Mapping[Slot, _Tally], names: Callable[[str], Sequence[str]],
) -> tuple[int, float, int, Diagnosis] | None:
    """A "likely" for a mistake made the other way round, on most of a slot's cases."""
    agreeing = [s for s, t in showing.items()
                if len(t.mirrored) * 2 > len(t.revealing) and len(t.mirrored) * 2 > t.wrong()]
    if not agreeing:
        return None
    best = max(agreeing, key=lambda s: len(showing[s].mirrored))
    t = showing[best]
    score = len(t.mirrored) / len(t.revealing)
    visible = [i for i in t.mirrored if cases[i].kind != "hidden"]
    where = slot_words(best, names)
    example = ""
    if visible:
        i = min(visible, key=lambda j: example_order(cases[j], j))
        example = f" (first on {case_label(cases[i])})"
    evidence = (f"In {where}: your results are off from the right ones by exactly minus what "
                f"this mistake is off by{example}, on {len(t.mirrored)} of the "
                f"{len(t.revealing)} cases where it shows: the same mistake, made the other "
                "way round.")
    return 3, score, len(t.mirrored), Diagnosis(
        m, "likely", score, evidence, tuple(agreeing), partial=True,
        words=", ".join(slot_words(s, names) for s in agreeing))


def _select(ranked: Sequence[Diagnosis]) -> list[Diagnosis]:
    """The best diagnosis, and others only where they explain another place.

    A whole-program match explains everything: it stands alone. Otherwise mistakes
    made in different functions or outputs are named side by side.
    """
    if not ranked:
        return []
    if ranked[0].confidence == "diagnosed" and not ranked[0].partial:
        return [ranked[0]]
    chosen: list[Diagnosis] = []
    covered: set[Slot] = set()
    for d in ranked:
        if len(chosen) >= MAX_FINDINGS:
            break
        if d.confidence == "likely" and any(c.confidence == "diagnosed" for c in chosen) \
                and set(d.where) <= covered:
            continue
        if d.confidence == "diagnosed" and set(d.where) <= covered:
            continue
        if d.confidence == "likely" and sum(c.confidence == "likely" for c in chosen) >= 2:
            continue
        chosen.append(d)
        covered |= set(d.where)
    return chosen


def _evidence(
    cases: Sequence[Case], learner: Sequence[Any], matched: list[int], revealing: list[int],
    slot: Slot | None, names: Callable[[str], Sequence[str]], also: Sequence[Slot] = (),
) -> str:
    share = f"{len(matched)} of the {len(revealing)} cases where this mistake shows"
    visible = [i for i in matched if cases[i].kind != "hidden"]
    subject = "your outputs" if slot is None else slot_words(slot, names)
    where = "" if slot is None else f"In {slot_words(slot, names)}: "
    tail = ""
    if slot is not None:
        tail = " Your other outputs do not show this mistake the same way"
        if also:
            tail = f" It shows the same way in {', '.join(slot_words(s, names) for s in also)}"
        tail += "."
    verb = "agree" if slot is None else "agrees"
    if not visible:
        return f"{where}{subject} {verb} with this mistake on {share}.{tail}"
    i = min(visible, key=lambda j: example_order(cases[j], j))  # ordinary inputs, small
    value = learner[i]
    if slot is not None and isinstance(value, tuple | list):
        outs = list(names(cases[i].call))
        if slot[1] in outs and len(value) == len(outs):
            value = value[outs.index(slot[1])]
        elif slot[1].startswith("output "):
            k = int(slot[1].split()[1])
            value = value[k] if k < len(value) else value
    return (
        f"{where}on {case_label(cases[i])} you returned {summarize(value)}, which is exactly "
        f"what this mistake produces; {subject} {verb} with it on {share}.{tail}"
    )
