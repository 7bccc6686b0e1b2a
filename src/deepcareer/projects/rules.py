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
