"""How long `portfolio build` takes, against rendering the same pages with a bare Jinja2 loop.

A home gets 40 passed exercises and 10 projects, each with a passing run that a second
run verified (runs are recorded directly: no training in a benchmark). We time, in one
process and interleaved, `build_site` (reading the store, evidence per skill, Markdown,
rendering, copying the cached plots, every accessibility, weight and link check) against
the floor: the same templates rendered with the same context in a plain loop and written
to disk. Prints the ratio of medians (goal <= 1.5) and the absolute time (goal < 3 s).

Usage: python bench/portfolio_build.py [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import precompile


def make_projects(root: Path, n: int) -> None:
    """n copies of the digits project under new ids (the site does not care which)."""
    from deepcareer.projects.spec import PROJECTS_DIR

    for i in range(n):
        pid = f"digits-{i:02d}"
        shutil.copytree(PROJECTS_DIR / "digits-mlp", root / pid)
        yml = root / pid / "project.yml"
        yml.write_text(yml.read_text().replace("id: digits-mlp", f"id: {pid}"))


def fill(store, projects) -> None:  # type: ignore[no-untyped-def]
    from deepcareer.curriculum.catalog import default_catalog

    for ex in list(default_catalog())[:40]:
        store.add_attempt(exercise_id=ex.id, content_version=1, status="pass")
    history = [{"epoch": e, "loss": 2.3 / (e + 1), "train_accuracy": 1 - 0.5 / (e + 1)}
               for e in range(20)]
    confusion = [[45 if i == j else (1 if j == (i + 1) % 10 else 0) for j in range(10)]
                 for i in range(10)]
    for pid in projects:
        result = {
            "experiments": [{"name": "model", "variant": "model", "data": "plain",
                             "status": "ok", "metric": 0.97, "fit_s": 1.2,
                             "history": history, "params": {"lr": 0.005},
                             "extra": {"confusion": confusion}}],
            "baselines": {"majority": 0.1, "logistic-regression": 0.969,
                          "gradient-boosting": 0.973},
            "dataset": {"n_train": 1347, "n_test": 450,
                        "classes": [str(c) for c in range(10)]},
            "environment": {"python": "3.11", "cpus": 2, "packages": {"numpy": "2"}},
            "checks": [], "message": "model: 97.00% accuracy"}
        row = {"project_id": pid, "seed": 0, "status": "pass", "metric": 0.97, "passed": 1,
               "duration_s": 2.0, "code_sha256": "0" * 64, "code": "", "result": result}
        first = store.add_run(**row)
        store.mark_verified(first, store.add_run(**row, reproduces=first))


def floor(site: Path, context: dict, projects: list[dict]) -> None:  # type: ignore[type-arg]
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from deepcareer.portfolio import build

    env = Environment(loader=FileSystemLoader(Path(build.__file__).parent / "templates"),
                      autoescape=select_autoescape(["html"]))
    (site / "projects").mkdir(parents=True, exist_ok=True)
    for name in ("index.html", "skills.html", "cv.html"):
        (site / name).write_text(env.get_template(name).render(root="", **context))
    for p in projects:
        (site / "projects" / f"{p['id']}.html").write_text(
            env.get_template("project.html").render(root="../", p=p, **context))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    precompile()
    from deepcareer.curriculum.catalog import default_catalog
    from deepcareer.portfolio.build import build_site
    from deepcareer.projects.spec import load_projects
    from deepcareer.store.db import open_store

    work = Path(tempfile.mkdtemp(prefix="deepcareer-bench-"))
    make_projects(work / "projects", 10)
    projects = load_projects.__wrapped__(work / "projects")  # type: ignore[attr-defined]
    catalog = default_catalog()
    with open_store(work / "home") as store:
        fill(store, projects)
        # A private preview: the bench's profile keeps its placeholders (the checks and the
        # rendering are the same; only the banner differs).
        first = build_site(store, catalog, work / "site", projects=projects,
                           preview=True)  # draws plots
        pages = first.pages
        # The floor renders exactly what the build rendered, from a context captured once.
        captured = _context(store, catalog, projects, work / "scratch")
        ours, bare = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            build_site(store, catalog, work / "site", projects=projects, preview=True)
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            floor(work / "floor", captured["common"], captured["projects"])
            bare.append(time.perf_counter() - start)
    m_ours, m_bare = statistics.median(ours), statistics.median(bare)
    print(f"portfolio with {len(first.projects)} projects and 40 verified exercises: "
          f"{len(pages)} pages")
    print(f"deepcareer portfolio build: median {m_ours:.3f} s (goal < 3 s); bare Jinja2 loop: "
          f"median {m_bare:.3f} s; ratio {m_ours / m_bare:.2f} (goal <= 1.5)")


def _context(store, catalog, projects, site):  # type: ignore[no-untyped-def]
    """The same context build_site renders with (from the build's own site_context)."""
    from deepcareer.portfolio.build import site_context

    common = site_context(store, catalog, site, projects, [])
    common["preview"] = True
    return {"common": common, "projects": common["projects"]}


if __name__ == "__main__":
    main()
