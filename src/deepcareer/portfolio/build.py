"""Build the portfolio: a small static site from the store and the learner's Markdown.

Pages: home (name, narrative, skill summary, project cards), one page per project with a
passing run, skills (each linked to its evidence), CV. The learner writes
``workspace/portfolio/profile.md`` and ``workspace/portfolio/projects/<id>.md`` (created
with prompts on the first build); every number comes from the store. Plain HTML and one
CSS file, no JavaScript, no web fonts, no trackers, relative links only, ``.nojekyll``.
The build refuses to publish a site that breaks a rule of ``checks.py`` or that still
shows a placeholder (``profile.py`` lists them); ``preview`` builds a marked private one.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import struct
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from deepcareer.curriculum.catalog import Catalog
from deepcareer.errors import PortfolioError
from deepcareer.portfolio.profile import load_profile, writeup
from deepcareer.portfolio.profile import portfolio_dir as portfolio_dir  # where it is written
from deepcareer.store.db import Store


@dataclass
class BuildResult:
    out: Path
    pages: list[Path] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    created: list[Path] = field(default_factory=list)  # starter files written for the learner
    preview: bool = False  # a private preview: placeholders remain, not for publishing
    todo: list[str] = field(default_factory=list)  # what to fill in before publishing


def _png_size(path: Path) -> tuple[int, int]:
    with open(path, "rb") as fh:
        head = fh.read(24)
    width, height = struct.unpack(">II", head[16:24])
    return width, height


METRIC_NAMES = {"accuracy": "Test accuracy", "bits_per_char": "Bits per character"}


def _best_baseline(baselines: dict[str, float], metric: str) -> tuple[str, float] | None:
    """The strongest baseline (highest accuracy, lowest bits per character): the one a
    reader should compare the model with."""
    scored = [(k, v) for k, v in baselines.items() if isinstance(v, int | float)]
    if not scored:
        return None
    lower_better = metric == "bits_per_char"
    return sorted(scored, key=lambda kv: kv[1], reverse=not lower_better)[0]


def _export_code(store: Store, run_id: int | None, folder: Path) -> str:
    """The code of the published run, copied into the site beside its page (the exact
    source that passed, as recorded, not the file as it is today); its name, or ""."""
    code = store.run_code(run_id) if run_id is not None else ""
    if not code:
        return ""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "code.py.txt").write_text(code, encoding="utf-8")
    return "code.py.txt"


def _project_pages(store: Store, out: Path, projects: dict[str, Any], catalog: Catalog
                   ) -> list[dict[str, Any]]:
    from deepcareer.career.evidence import project_items
    from deepcareer.projects.baselines import NAMES
    from deepcareer.projects.report import data_notes, fmt, reproduce_command
    from deepcareer.projects.runs import runs_of, tries_of

    # Only verified work is published: the learner's own passing run, reproduced by a
    # re-run; never a run of our reference, an imported one, or one not yet reproduced.
    published = {i.rows[0] for i in project_items(store) if i.level == "verified"}
    pages = []
    for pid, project in projects.items():
        own = [r for r in runs_of(store, pid) if r.id in published]
        if not own:
            continue
        run = own[-1]
        spec = project.spec
        folder = out / "projects" / pid
        figures = _figures(run, project, folder, store.home / "cache" / "portfolio")
        table = [[NAMES.get(k, k), fmt(spec.metric, v)] for k, v in run.baselines.items()]
        table += [[f"My model ({e.name})" if e.name != "model" else "My model",
                   fmt(spec.metric, e.metric)] for e in run.experiments if e.metric is not None]
        paper_rows = []
        if spec.paper:
            for name, row in spec.paper.table.items():
                mine = run.experiment(name)
                paper_rows.append([name, f"{100 * mine.metric:.1f}" if mine and mine.metric
                                   is not None else "-", f"{row.mean:g} ± {row.sd:g}"])
        env = run.environment
        packages = ", ".join(f"{k} {v}" for k, v in sorted(env.get("packages", {}).items()))
        best = _best_baseline(run.baselines, spec.metric)
        code_file = _export_code(store, run.id, folder)
        pages.append({
            "id": pid, "title": spec.title, "skills": spec.skills,
            "skill_titles": [catalog.skills[s].title if s in catalog.skills else s
                             for s in spec.skills],
            "metric_name": METRIC_NAMES.get(spec.metric, spec.metric),
            "metric_value": fmt(spec.metric, run.metric),
            "metric_text": f"{METRIC_NAMES.get(spec.metric, spec.metric)} "
                           f"{fmt(spec.metric, run.metric)}",
            "baseline_text": (f"{fmt(spec.metric, best[1])}, {NAMES.get(best[0], best[0])}"
                              if best else ""),
            "baseline_name": NAMES.get(best[0], best[0]) if best else "",
            "baseline_value": fmt(spec.metric, best[1]) if best else "",
            "thumbnail": figures[0] if figures else None,
            "code_file": code_file,
            "verified": run.verified_by is not None, "rerun_id": run.verified_by,
            # Every try beside the one shown: "verified on run 7 of 15; 4 of 15 passed".
            "tries": tries_of(store, pid).text(run.id, run.verified_by is not None),
            "unisolated": run.isolation != "os",
            "run_id": run.id, "seed": run.seed, "code_sha": run.code_sha256[:16],
            "command": reproduce_command(project, run),
            "environment": f"Python {env.get('python')}, {env.get('cpus')} CPUs, {packages}",
            "dataset_source": spec.dataset.source, "dataset_licence": spec.dataset.licence,
            "citation": spec.dataset.citation, "n_train": run.dataset.get("n_train", "?"),
            "n_test": run.dataset.get("n_test", "?"), "table": table,
            "paper_rows": paper_rows,
            # What an employer should know about the data and the checks: rows and columns
            # left out, warnings (duplicates...), and the score on noisy copies.
            "data_notes": _data_notes(run, spec, data_notes, fmt),
            "paper_citation": spec.paper.citation if spec.paper else "",
            "figures": figures})
    return pages


def _data_notes(run: Any, spec: Any, notes_of: Any, fmt: Any) -> list[str]:
    notes = list(notes_of(run.dataset))
    notes += [str(c["message"]) for c in run.checks if c.get("severity") == "warning"]
    main = run.experiment(spec.main)
    noisy = main.extra.get("perturbed") if main is not None else None
    if isinstance(noisy, dict) and isinstance(noisy.get("accuracy"), int | float):
        notes.append(f"On noisy copies of the held-out rows (a check that the figure was "
                     f"learned, not looked up): {fmt(spec.metric, noisy['accuracy'])}.")
    return notes


def _figures(run: Any, project: Any, folder: Path, cache: Path) -> list[dict[str, Any]]:
    """The run's plots in the site's palette; drawn once per run and kept in ``cache``
    (a run never changes), so rebuilding the site costs no plotting."""
    from deepcareer.portfolio.theme import PALETTE

    palette = hashlib.sha256(",".join(PALETTE).encode()).hexdigest()[:8]
    drawn = cache / f"run-{run.id}-{palette}"
    if not drawn.is_dir():
        import matplotlib
        from cycler import cycler

        from deepcareer.projects.report import plot_confusion, plot_curves

        tmp = drawn.with_name(drawn.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        with matplotlib.rc_context({"axes.prop_cycle": cycler(color=PALETTE)}):
            made = plot_curves(run, tmp)
            made += plot_confusion(run, project.spec.main, run.dataset.get("classes", []),
                                   tmp)
        for path in made:
            if path.suffix != ".png":
                path.unlink(missing_ok=True)  # the site uses PNG; SVG stays in the report
        tmp.replace(drawn)
    folder.mkdir(parents=True, exist_ok=True)
    figures = []
    words = {"learning_curves": ("Learning curves: loss per epoch for each experiment",
                                 "Training loss (and other logged figures) per epoch."),
             "confusion": (f"Confusion matrix of {project.spec.main} on the held-out split",
                           "Rows are true classes, columns predicted ones.")}
    for source in sorted(drawn.glob("*.png")):
        path = folder / source.name
        path.unlink(missing_ok=True)
        try:
            os.link(source, path)  # the cached plot never changes: share it, don't copy
        except OSError:
            shutil.copyfile(source, path)
        width, height = _png_size(path)
        alt, caption = words.get(path.stem, (path.stem, path.stem))
        figures.append({"src": f"{project.id}/{path.name}", "alt": alt, "caption": caption,
                        "width": width, "height": height})
    figures.sort(key=lambda f: 0 if "learning" in str(f["src"]) else 1)
    return figures


def _titled(text: str, catalog: Catalog, titles: dict[str, str]) -> str:
    """An evidence line in people's words: "exercise softmax passed" names the exercise by
    its title, "project tabular-classic ..." the project by its own."""
    m = re.match(r"(exercise|project) (\S+)", text)
    if not m:
        return text
    kind, slug = m.groups()
    exercise = catalog.exercises.get(catalog.canonical_id(slug))
    title = titles.get(slug) if kind == "project" else (
        exercise.meta.title if exercise else None)
    return f"{kind.capitalize()} \u201c{title}\u201d{text[m.end():]}" if title else text


def _skills(store: Store, catalog: Catalog, on_site: set[str], progress: list[Any],
            titles: dict[str, str] | None = None
            ) -> tuple[list[dict[str, Any]], int, list[str]]:
    """The verified skills by area, each with the verified work that proves it. Public
    pages show only these: practice, claims and gaps stay in the private readiness view."""
    from deepcareer.career.evidence import skill_evidence
    from deepcareer.mentor.insights import skill_areas

    evidence = skill_evidence(store, catalog, progress)
    titles = titles or {}
    areas: dict[str, list[dict[str, Any]]] = {}
    for sid, area in skill_areas(catalog).items():
        ev = evidence[sid]
        if ev.level != "verified":
            continue
        sources = []
        for text in ev.verified_sources:
            m = re.match(r"project (\S+) ", text)
            href = f"projects/{m.group(1)}.html" if m and m.group(1) in on_site else None
            sources.append({"text": _titled(text, catalog, titles), "href": href})
        areas.setdefault(area, []).append({"id": sid, "title": catalog.skills[sid].title,
                                           "level": ev.level,
                                           "level_text": "verified by automated tests",
                                           "sources": sources})
    verified = [catalog.skills[s].title for s, e in evidence.items() if e.level == "verified"]
    names = {"pytorch": "PyTorch", "tensorflow": "TensorFlow"}
    return ([{"name": names.get(a, a.capitalize()), "skills": s}
             for a, s in sorted(areas.items())],
            len(verified), verified)


def build_site(store: Store, catalog: Catalog, out: Path | None = None,
               now: datetime | None = None, projects: dict[str, Any] | None = None,
               *, preview: bool = False) -> BuildResult:
    """Render every page into ``out`` (default ``<home>/portfolio/site``), check it, and
    raise :class:`PortfolioError` naming each problem if a rule is broken. ``projects``
    defaults to the built-in ones (a benchmark passes its own).

    A placeholder left in the profile, the CV or a project's write-up stops the build,
    named by file and field; with ``preview`` the site is built anyway, every page marked
    as a private preview (and ``noindex``) with the list of what is left to fill in."""
    from deepcareer.portfolio.checks import check_site
    from deepcareer.portfolio.theme import css

    out = (out or store.home / "portfolio" / "site").resolve()
    result = BuildResult(out)
    staging = out.with_name(out.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    common = site_context(store, catalog, staging, projects, result.created, now)
    result.todo = common["todo"]
    if result.todo and not preview:
        shutil.rmtree(staging, ignore_errors=True)
        raise PortfolioError([*result.todo, "Fill these in and build again, or build a "
                              "private preview with --preview (marked, not for publishing)."])
    result.preview = common["preview"] = bool(result.todo)
    render_pages(staging, common)
    (staging / "style.css").write_text(css(), encoding="utf-8")
    (staging / ".nojekyll").write_text("", encoding="utf-8")
    problems = check_site(staging)
    if problems:
        shutil.rmtree(staging, ignore_errors=True)
        raise PortfolioError(problems)
    shutil.rmtree(out, ignore_errors=True)
    staging.replace(out)
    result.pages = sorted(out.rglob("*.html"))
    result.projects = sorted(p["id"] for p in common["projects"])
    return result


def site_context(store: Store, catalog: Catalog, staging: Path,
                 projects: dict[str, Any] | None, created: list[Path],
                 now: datetime | None = None) -> dict[str, Any]:
    """Everything the templates read (figures and code are written into ``staging``);
    ``todo`` lists the placeholders left. Used by the build and by its benchmark."""
    from deepcareer.mentor.progress import exercise_progress
    from deepcareer.projects.spec import load_projects

    profile = load_profile(store.home, created)
    projects_list = _project_pages(store, staging, projects if projects is not None
                                   else load_projects(), catalog)
    todo = list(profile.todo)
    for p in projects_list:
        p["sections"], p["code_url"] = writeup(store.home, p["id"], created, todo)
    progress = exercise_progress(store, catalog)
    areas, n_verified, verified_titles = _skills(
        store, catalog, {p["id"] for p in projects_list}, progress,
        {p["id"]: p["title"] for p in projects_list})
    listed = {s["id"] for a in areas for s in a["skills"]}
    for p in projects_list:  # a skill links to its evidence only where the page lists it
        p["skill_links"] = [{"title": t, "href": f"../skills.html#{sid}" if sid in listed
                             else None} for sid, t in zip(p["skills"], p["skill_titles"],
                                                          strict=True)]
    return {"profile": profile, "built": (now or store.clock()).date().isoformat(),
            "projects": projects_list, "skills_verified": n_verified,
            "exercises_passed": sum(p.state == "passed" for p in progress),
            "areas": areas, "verified_titles": verified_titles,
            "preview": bool(todo), "todo": todo}


def render_pages(folder: Path, common: dict[str, Any]) -> None:
    """Write every page of the site from ``common`` (see :func:`site_context`)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    (folder / "projects").mkdir(parents=True, exist_ok=True)
    for name in ("index.html", "skills.html", "cv.html"):
        html = env.get_template(name).render(root="", **common)
        (folder / name).write_text(html, encoding="utf-8")
    for p in common["projects"]:
        html = env.get_template("project.html").render(root="../", p=p, **common)
        (folder / "projects" / f"{p['id']}.html").write_text(html, encoding="utf-8")
