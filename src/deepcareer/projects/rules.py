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

The rule on libraries is also a wall, not only a finding: a library the project does not
allow is not in its sandbox (:func:`unreachable`: the folders of its installed
distributions, found from their records, are covered by empty ones), so code that
imports it, however the name is built, cannot use it. What the child reports it loaded
can add evidence of a broken rule and never takes any away: code in the child can edit
that report, so a rule is kept only on the parent's evidence (the file's statements, the
saved model's pickle) with the wall behind it.
"""

from __future__ import annotations

import ast
import json
import os
import pickletools
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
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


# --- the wall: libraries a project does not allow are not in its sandbox ----------------

HARNESS = frozenset({"numpy"})  # what the project child itself imports


@dataclass(frozen=True)
class Unreachable:
    """What a project's sandbox leaves out: ``modules`` maps each top-level module that
    cannot be imported there to the learning library it belongs to, ``paths`` are the
    folders and files that cover (package folders, their ``.libs`` siblings of compiled
    code, their ``.dist-info``)."""

    modules: dict[str, str] = field(default_factory=dict)
    paths: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()

    def message(self) -> str:
        """The sentence an import of one of ``modules`` raises in the child, with
        ``{name}`` (what was imported) and ``{library}`` left to fill in there."""
        allowed = _listed(set(self.allowed) & LEARNING) if self.allowed else "none"
        return ("This project allows " + allowed + " only (the brief's rule on "
                "libraries): {library} is not in this project's sandbox, so '{name}' "
                "cannot be imported. Build the model yourself with the allowed libraries; "
                "a run that reaches for another one is not verified.")


def _norm(dist: str) -> str:
    return re.sub(r"[-_.]+", "-", dist).lower()


def _requirement(line: str) -> str | None:
    """The distribution a requirement names, or None for an optional one (an extra)."""
    if "extra ==" in line or "extra==" in line:
        return None
    found = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
    return _norm(found.group(1)) if found else None


def _site_stamp() -> list[list[Any]]:
    """The interpreter's library folders and when each last changed (an install or an
    uninstall changes it): what a cached :func:`unreachable` is valid for."""
    import sysconfig

    paths = sysconfig.get_paths()
    found: list[list[Any]] = []
    for key in ("purelib", "platlib"):
        folder = os.path.realpath(paths[key])
        if os.path.isdir(folder) and folder not in [f for f, _ in found]:
            found.append([folder, os.stat(folder).st_mtime_ns])
    return found


def unreachable(libraries: Iterable[str], cache: Path | None = None) -> Unreachable:
    """The learning libraries (``LEARNING``) a project with ``libraries`` does not allow,
    and where they are installed (empty when any library is allowed).

    Found from the installed distributions: each module's distributions (``sklearn`` is
    in ``scikit-learn``, ``tensorflow`` in ``tensorflow-cpu``) and the top-level entries
    of their records (``torch``, ``torchgen``, ``functorch``, ``scipy.libs``, the
    ``.dist-info``), so a package's compiled code goes with it. A library an allowed one
    needs (scikit-learn needs SciPy) stays: hiding it would break the allowed one, and the
    parent's evidence still judges what the file uses. Reading every distribution's
    record takes a second, so the answer is kept in ``cache`` against the library folders'
    modification times.
    """
    allowed = tuple(sorted(set(libraries)))
    if not allowed:
        return Unreachable()
    stamp = _site_stamp()
    path = cache / "unreachable.json" if cache is not None else None
    key = ",".join(allowed)
    known: dict[str, Any] = {}
    if path is not None:
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
            known = loaded if isinstance(loaded, dict) and loaded.get("stamp") == stamp \
                else {}
        except (OSError, ValueError):
            known = {}
        entry = known.get("projects", {}).get(key) if isinstance(
            known.get("projects"), dict) else None
        if isinstance(entry, dict):
            return Unreachable({str(k): str(v) for k, v in entry.get("modules", {}).items()},
                               tuple(str(p) for p in entry.get("paths", [])), allowed)
    found = _find_unreachable(set(allowed))
    if path is not None:
        from deepcareer.atomic import write_text_atomic

        kept = known.get("projects")
        projects: dict[str, Any] = dict(kept) if isinstance(kept, dict) else {}
        projects[key] = {"modules": found.modules, "paths": list(found.paths)}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(path, json.dumps({"stamp": stamp, "projects": projects}))
        except OSError:
            pass
    return Unreachable(found.modules, found.paths, allowed)


def _find_unreachable(allowed: set[str]) -> Unreachable:
    import importlib.metadata as md
    import importlib.util

    by_module = md.packages_distributions()
    keep: set[str] = set()
    todo = [d for m in allowed | HARNESS for d in by_module.get(m, [])]
    while todo:  # the allowed libraries and everything they require
        dist = _norm(todo.pop())
        if dist in keep:
            continue
        keep.add(dist)
        try:
            todo.extend(r for r in (_requirement(x) for x in md.requires(dist) or []) if r)
        except md.PackageNotFoundError:
            continue
    modules: dict[str, str] = {}
    paths: list[str] = []

    def add(entry: str) -> None:
        real = os.path.realpath(entry)
        if os.path.exists(real) and real not in paths:
            paths.append(real)

    for module in sorted(LEARNING - allowed - HARNESS):
        dists = [d for d in by_module.get(module, []) if _norm(d) not in keep]
        if by_module.get(module) and not dists:
            continue  # needed by an allowed library: judged from the evidence only
        modules[module] = _name(module)
        for dist_name in dists:
            try:
                found_dist = md.distribution(dist_name)
                record = found_dist.read_text("RECORD") or ""
            except (md.PackageNotFoundError, OSError):
                continue
            tops = {line.split(",")[0].split("/")[0] for line in record.splitlines()}
            for top in sorted(t for t in tops if t and t != ".." and not t.startswith("/")):
                add(str(found_dist.locate_file(top)))
                name = top[:-3] if top.endswith(".py") else top
                if name.isidentifier() and name not in modules:
                    modules[name] = _name(module)
        try:  # installed without a record (a source checkout on the path): its folder
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            spec = None
        if spec is not None:
            for location in spec.submodule_search_locations or []:
                add(location)
            if spec.origin and not spec.submodule_search_locations and os.path.isfile(
                    spec.origin):
                add(spec.origin)
    return Unreachable(modules, tuple(paths))


def unavailable_used(error: dict[str, Any] | None, modules: Iterable[str]) -> set[str]:
    """The unreachable modules an error of the learner's code names: an import that the
    sandbox refused (``'sklearn.svm'``), or a name used from a package left empty."""
    if not error:
        return set()
    if error.get("type") not in ("ModuleNotFoundError", "ImportError", "AttributeError"):
        return set()
    text = str(error.get("message", ""))
    return {m for m in modules if re.search(r"'" + re.escape(m) + r"(\.[\w.]*)?'", text)}
