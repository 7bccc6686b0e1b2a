"""Mutation testing of content: do the checks catch small wrong changes?

Each mutant is the reference with one classic slip, the kind a learner makes:
a flipped sign, the wrong axis (``axis=`` or PyTorch's ``dim=``), a dropped
``keepdims``, a changed ``ddof``, a sum for a mean (``reduce_sum`` for
``reduce_mean`` too), an off-by-one slice; and the framework slips: a flag
flipped (``from_logits``, ``batch_first``, ``persistent``...), a forgotten
transpose (``.T``), a call statement left out (``opt.zero_grad()``,
``tape.watch(x)``) and two call statements in the wrong order (``opt.step()``
before ``loss.backward()``). A mutant is *killed* when some case's
output differs from the reference (or the mutant raises). The share killed is
how much the cases can be trusted to catch what the catalog did not foresee.
"""

from __future__ import annotations

import ast
import copy
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from deepcareer.curriculum.catalog import Exercise
from deepcareer.grading import traps
from deepcareer.grading.compare import close


@dataclass(frozen=True)
class Mutant:
    kind: str
    line: int
    source: str


_SWAP_BINOP: dict[type[ast.operator], type[ast.operator]] = {ast.Add: ast.Sub, ast.Sub: ast.Add}
_SUM_FOR_MEAN = {"mean": "sum", "sum": "mean", "reduce_mean": "reduce_sum",
                 "reduce_sum": "reduce_mean"}
_AXIS_WORDS = ("axis", "dim")
_KEEPDIMS_WORDS = ("keepdims", "keepdim")


class _Sites(ast.NodeVisitor):
    """Collect (kind, node path) of every place one mutation can apply."""

    def __init__(self) -> None:
        self.sites: list[tuple[str, int, int]] = []  # kind, node index in walk order, line

    def collect(self, tree: ast.AST) -> list[tuple[str, int, int]]:
        for index, node in enumerate(ast.walk(tree)):
            for kind in _kinds(node):
                self.sites.append((kind, index, getattr(node, "lineno", 0)))
        return self.sites


def _kinds(node: ast.AST) -> Iterator[str]:
    if isinstance(node, ast.BinOp) and type(node.op) in _SWAP_BINOP:
        yield "sign-flip"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and not (
        isinstance(node.operand, ast.Constant) and isinstance(node.operand.value, int)
    ):  # -1 as an index or axis is "wrong-axis" territory, not a flipped sign
        yield "sign-flip"
    if isinstance(node, ast.keyword) and node.arg in _AXIS_WORDS:
        yield "wrong-axis"
    if isinstance(node, ast.keyword) and node.arg in _KEEPDIMS_WORDS:
        yield "drop-keepdims"
    if (isinstance(node, ast.keyword) and node.arg not in _KEEPDIMS_WORDS
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, bool)):
        yield "flip-flag"
    if isinstance(node, ast.Attribute) and node.attr == "T":
        yield "drop-transpose"
    if _is_call_statement(node):
        yield "drop-call"
    if isinstance(node, ast.FunctionDef | ast.For | ast.While | ast.With | ast.If) and any(
            _is_step(a) and _is_step(b) for a, b in zip(node.body, node.body[1:], strict=False)):
        yield "swap-calls"
    if isinstance(node, ast.keyword) and node.arg == "ddof":
        yield "ddof-change"
    if isinstance(node, ast.Call) and _call_name(node) in ("var", "std") and not any(
        k.arg == "ddof" for k in node.keywords
    ):
        yield "ddof-change"
    if isinstance(node, ast.Call) and _call_name(node) in _SUM_FOR_MEAN:
        yield "sum-for-mean"
    if isinstance(node, ast.Slice) and (node.lower is not None or node.upper is not None):
        yield "off-by-one"


def _is_call_statement(node: ast.AST) -> bool:
    """``obj.method(...)`` as a statement of its own: called for what it does, not what it
    returns (``opt.zero_grad()``, ``loss.backward()``, ``tape.watch(x)``). ``super()``'s
    methods are left alone: leaving one out breaks the class, not the idea."""
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute)):
        return False
    owner = node.value.func.value
    return not (isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name)
                and owner.func.id == "super")


# The calls of one training step, whose order is the idea: zero the gradients, compute
# them, apply them. Swapping two of them is the classic slip (a step before backward).
_STEP_CALLS = {"zero_grad", "backward", "step", "gradient", "apply_gradients", "minimize"}


def _is_step(node: ast.AST) -> bool:
    if isinstance(node, ast.Assign | ast.Expr) and isinstance(node.value, ast.Call):
        return _call_name(node.value) in _STEP_CALLS
    return False


def _call_name(node: ast.Call) -> str:
    f = node.func
    if isinstance(f, ast.Attribute):
        return f.attr
    if isinstance(f, ast.Name):
        return f.id
    return ""


def _apply(node: ast.AST, kind: str) -> bool:
    """Mutate ``node`` in place; False when this kind does not fit after all."""
    if kind == "sign-flip":
        if isinstance(node, ast.BinOp):
            node.op = _SWAP_BINOP[type(node.op)]()
            return True
        if isinstance(node, ast.UnaryOp):
            node.op = ast.UAdd()
            return True
    if kind == "wrong-axis" and isinstance(node, ast.keyword):
        value = node.value
        # The last axis and axis 1 coincide for the 2-D arrays of most exercises, so
        # either one becomes axis 0, and axis 0 becomes the last axis.
        if isinstance(value, ast.Constant) and value.value == 0:
            node.value = ast.UnaryOp(ast.USub(), ast.Constant(1))
        elif isinstance(value, ast.UnaryOp | ast.Constant):
            node.value = ast.Constant(0)
        else:
            node.value = ast.Constant(None)
        return True
    if kind == "drop-keepdims" and isinstance(node, ast.keyword):
        node.value = ast.Constant(False)
        return True
    if kind == "ddof-change":
        if isinstance(node, ast.keyword):
            node.value = ast.BinOp(node.value, ast.Add(), ast.Constant(1))
            return True
        if isinstance(node, ast.Call):
            node.keywords.append(ast.keyword("ddof", ast.Constant(1)))
            return True
    if kind == "sum-for-mean" and isinstance(node, ast.Call):
        f = node.func
        if isinstance(f, ast.Attribute):
            f.attr = _SUM_FOR_MEAN[f.attr]
            return True
        if isinstance(f, ast.Name):
            f.id = _SUM_FOR_MEAN[f.id]
            return True
    if kind == "flip-flag" and isinstance(node, ast.keyword):
        node.value = ast.Constant(not node.value.value)  # type: ignore[attr-defined]
        return True
    if kind == "drop-call" and isinstance(node, ast.Expr):
        node.value = ast.Constant(None)  # the statement stays, doing nothing
        return True
    if kind == "swap-calls" and hasattr(node, "body"):
        body = node.body
        for i in range(len(body) - 1):
            if _is_step(body[i]) and _is_step(body[i + 1]):
                body[i], body[i + 1] = body[i + 1], body[i]
                return True
    if kind == "off-by-one" and isinstance(node, ast.Slice):
        if node.upper is not None:
            node.upper = ast.BinOp(node.upper, ast.Sub(), ast.Constant(1))
        else:
            node.lower = ast.BinOp(node.lower, ast.Add(), ast.Constant(1))  # type: ignore[arg-type]
        return True
    return False


def mutants(source: str, skip: frozenset[str] = frozenset()) -> list[Mutant]:
    """Every single-site mutant of ``source`` (functions' bodies only; the functions and
    classes named in ``skip`` excepted)."""
    tree = ast.parse(source)
    skipped_classes = {id(n) for cls in ast.walk(tree)
                       if isinstance(cls, ast.ClassDef) and cls.name in skip
                       for n in ast.walk(cls)}
    functions = [fn for fn in ast.walk(tree) if isinstance(fn, ast.FunctionDef)
                 and fn.name not in skip and id(fn) not in skipped_classes]
    # The function itself counts too: its own body's statements can be swapped.
    body_nodes = {id(n) for fn in functions for stmt in fn.body for n in ast.walk(stmt)}
    body_nodes |= {id(fn) for fn in functions}
    out = []
    for kind, index, line in _Sites().collect(tree):
        clone = copy.deepcopy(tree)
        node = list(ast.walk(clone))[index]
        original = list(ast.walk(tree))[index]
        if id(original) not in body_nodes or isinstance(original, ast.Constant):
            continue
        if isinstance(original, ast.Expr) and isinstance(original.value, ast.Constant):
            continue
        if kind == "drop-transpose":
            applied = _replace(clone, node, node.value)  # type: ignore[attr-defined]
        else:
            applied = _apply(node, kind)
        if applied:
            out.append(Mutant(kind, line, ast.unparse(ast.fix_missing_locations(clone))))
    return out


def _replace(tree: ast.AST, old: ast.AST, new: ast.AST) -> bool:
    """Put ``new`` where ``old`` is in ``tree`` (x.T becomes x)."""
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
                return True
            if isinstance(value, list) and any(v is old for v in value):
                value[next(i for i, v in enumerate(value) if v is old)] = new
                return True
    return False


def _used_only_by(source: str, functions: frozenset[str]) -> frozenset[str]:
    """Classes named only inside ``functions`` (a model class that only the judged training
    function builds): no exact case reaches them either."""
    tree = ast.parse(source)
    inside: set[str] = set()
    outside: set[str] = set()
    classes = {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    for fn in tree.body:
        if isinstance(fn, ast.FunctionDef):
            names = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)} & classes
            (inside if fn.name in functions else outside).update(names)
    return frozenset(inside - outside)


def _run(namespace: dict[str, Any], call: str, case: Any) -> tuple[Any, dict[str, Any]]:
    """The call's output (or _Raised) and what the sandbox's watcher would have seen."""
    from deepcareer.grading import _child

    fn = namespace.get(call)
    args = [a.copy() if hasattr(a, "copy") else a for a in case.args]
    kwargs = {k: (v.copy() if hasattr(v, "copy") else v) for k, v in case.kwargs.items()}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            with _child._watching() as watch:
                result = fn(*args, **kwargs)  # type: ignore[misc]
        except Exception:
            return _Raised(), {}
    facts = watch.facts()
    kept = _child._tensor_lists(result)
    if kept:
        facts["tensor_lists"] = kept
    return result, facts


class _Raised:
    """A mutant that raised: counts as killed."""


@dataclass(frozen=True)
class MutationScore:
    exercise: str
    total: int
    killed: int
    survivors: list[Mutant]

    @property
    def ratio(self) -> float:
        return self.killed / self.total if self.total else 1.0


def mutation_score(ex: Exercise, seed: int = 0) -> MutationScore:
    """Run every mutant of the reference on the exercise's cases (in-process: our code)."""
    from deepcareer.grading.grader import build_cases, expected_outputs

    every = build_cases(ex, seed)
    cases = [c for c in every if c.judge is None]
    # Functions graded only by a judge (a trained model's accuracy) have no exact answer:
    # a slip that still trains well is not a wrong answer, so they are not mutated.
    judged_only = frozenset(c.call for c in every) - frozenset(c.call for c in cases)
    judged_only |= _used_only_by(ex.reference_source, judged_only)
    expected = expected_outputs(ex, cases)
    checks = ex.checks
    returns = {e.name: list(e.returns) for e in ex.meta.entries}
    killed, survivors = 0, []
    all_mutants = mutants(ex.reference_source, skip=judged_only)
    for mutant in all_mutants:
        namespace: dict[str, Any] = {"__name__": "mutant"}
        try:
            exec(compile(mutant.source, f"{ex.id}-mutant.py", "exec"), namespace)
        except Exception:
            killed += 1
            continue
        for case, exp in zip(cases, expected, strict=True):
            got, facts = _run(namespace, case.call, case)
            if isinstance(got, _Raised) or not close(got, exp, case.rtol or checks.rtol,
                                                     case.atol or checks.atol):
                killed += 1
                break
            # Right values obtained the wrong way (a pickled checkpoint, a loop that never
            # clears its gradients): the grader's trap checks fail it, so it is caught.
            if traps.observed_problems(case.call, "", facts, case.structure,
                                       returns.get(case.call, []), exp):
                killed += 1
                break
        else:
            survivors.append(mutant)
    return MutationScore(ex.id, len(all_mutants), killed, survivors)
