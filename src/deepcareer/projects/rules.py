"""A project's rules, checked from what the run used: its allowed libraries and framework.

``project.yml`` names the learning libraries a project allows (``libraries``; empty: any)
and the framework its model must be built with (``framework``). A rule is broken when the
learner's code imports a learning library the project does not allow, or when what ``fit``
returned holds no object of the required framework ("NumPy only" solved with an SVC, or a
PyTorch project solved without PyTorch). Evidence comes from three places: the import
statements of the file (read here, in the parent, from the source), the modules the run
loaded beyond what the harness had loaded before the learner's code ran, and the
libraries whose classes make up the fitted model (both reported by the child, see
``_child._libraries_of``). The harness preloads the track's framework, so an import of it
proves nothing on its own: the model has to be made of it.
"""

from __future__ import annotations

import ast
import pickletools
import sys
from collections.abc import Iterable
from typing import Any

# Libraries that train or hold a model: the ones a rule can be about. Anything else
# (matplotlib, tqdm, the standard library) is not judged.
LEARNING = frozenset({
    "numpy", "scipy", "sklearn", "torch", "torchvision", "tensorflow", "keras", "tf_keras",
    "jax", "jaxlib", "flax", "optax", "xgboost", "lightgbm", "catboost", "statsmodels",
    "mnist1d",
})
# A framework and the top-level modules its objects live in.
FRAMEWORKS = {"torch": frozenset({"torch"}),
              "tensorflow": frozenset({"tensorflow", "keras", "tf_keras"})}
NAMES = {"numpy": "NumPy", "scipy": "SciPy", "sklearn": "scikit-learn", "torch": "PyTorch",
         "tensorflow": "TensorFlow", "keras": "Keras", "tf_keras": "Keras"}


def source_imports(source: str) -> set[str]:
    """Top-level modules the file imports by statement (an unparsable file: none; its
    error is reported elsewhere). Dynamic imports are seen by the child instead."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


_STRINGS = frozenset({"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE",
                      "SHORT_BINSTRING", "BINSTRING", "STRING"})


def pickle_modules(data: bytes) -> set[str]:
    """Top-level modules named by the classes and functions a pickle refers to: what the
    saved model is made of, read from its opcodes without loading it (loading would run
    the learner's code here). A PyTorch module names ``torch``, a NumPy array ``numpy``,
    a fitted SVC ``sklearn``; the learner's own classes (``project``) and the standard
    library are left out. A pickle that does not parse gives what was read before."""
    found: set[str] = set()
    strings: list[str | None] = []  # what the stack last got, as far as strings matter
    memo: dict[int, str | None] = {}
    try:
        for op, arg, _ in pickletools.genops(data):
            name = op.name
            if name == "GLOBAL" and isinstance(arg, str):
                found.add(arg.split(" ")[0].split(".")[0])
            elif name == "STACK_GLOBAL":
                if len(strings) >= 2 and strings[-2]:
                    found.add(str(strings[-2]).split(".")[0])
                strings.clear()
            elif name in _STRINGS:
                strings.append(arg if isinstance(arg, str) else None)
            elif name == "MEMOIZE":
                memo[len(memo)] = strings[-1] if strings else None
            elif name in ("PUT", "BINPUT", "LONG_BINPUT") and isinstance(arg, int):
                memo[arg] = strings[-1] if strings else None
            elif name in ("GET", "BINGET", "LONG_BINGET") and isinstance(arg, int):
                strings.append(memo.get(arg))
            else:
                strings.append(None)
            del strings[:-2]
    except (ValueError, KeyError, IndexError, EOFError, OverflowError):
        pass
    return {m for m in found if m and m not in ("project", "builtins", "__builtin__")
            and m not in sys.stdlib_module_names and not m.startswith("_")}


def _name(module: str) -> str:
    return NAMES.get(module, module)


def _listed(modules: Iterable[str]) -> str:
    names = sorted({_name(m) for m in modules})
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def broken_rules(libraries: list[str], framework: str, source_modules: set[str],
                 loaded: Iterable[Any], model_libs: Iterable[Any]) -> list[str]:
    """One sentence per broken rule of one experiment (empty: every rule kept)."""
    loaded_set = {str(m) for m in loaded if isinstance(m, str)}
    model_set = {str(m) for m in model_libs if isinstance(m, str)}
    out: list[str] = []
    if libraries:
        allowed = set(libraries)
        used = (source_modules | loaded_set | model_set) & LEARNING
        extra = sorted(used - allowed)
        if extra:
            out.append(f"This project allows {_listed(allowed & LEARNING)} only, and your "
                       f"code used {_listed(extra)}. The brief asks you to build the model "
                       "yourself with the allowed libraries; a run that uses others is "
                       "not verified.")
    if framework:
        homes = FRAMEWORKS.get(framework, frozenset({framework}))
        if not model_set & homes:
            what = ("imports it but " if (source_modules | loaded_set) & homes
                    else "does not import it, and ")
            out.append(f"This project's model must be built with {_name(framework)}: your "
                       f"code {what}fit returned no {_name(framework)} object (a model, a "
                       "layer or a tensor). Build the model with it and return it from "
                       "fit; a run without it is not verified.")
    return out
