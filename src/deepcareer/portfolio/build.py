"""Build the portfolio: a small static site from the store and the learner's Markdown.

Pages: home (name, narrative, skill summary, project cards), one page per project with a
passing run, skills (each linked to its evidence), CV. The learner writes
``workspace/portfolio/profile.md`` and ``workspace/portfolio/projects/<id>.md`` (created
with prompts on the first build); every number comes from the store. Plain HTML and one
CSS file, no JavaScript, no web fonts, no trackers, relative links only, ``.nojekyll``.
The build refuses to publish a site that breaks a rule of ``checks.py``.
"""

from __future__ import annotations

import functools
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
from deepcareer.home import workspace
from deepcareer.store.db import Store

PROFILE_TEMPLATE = """---
name: Your Name
headline: Deep learning engineer in training
contact: you@example.org
lang: en
---
Two or three sentences in your own voice: what you are learning, what you built, what
kind of work you are looking for. This paragraph is the first thing a visitor reads.
"""
CV_TEMPLATE = """## Experience

- Add your roles here, most recent first.

## Education

- Add your degrees and courses here.
"""
WRITEUP_TEMPLATE = """## Problem

What question does this project answer, and why is machine learning a fit for it at all?

## Error analysis

Which examples does the model get wrong? Look at the confusion matrix: which classes does
it mix up, and why might that be?

## What did not work

What did you try that failed, and what did you learn from it?

## Limitations

What data has the model never seen? Who could be harmed by a wrong prediction?
"""
SECTIONS = {"problem": "problem", "error analysis": "errors", "what did not work": "failed",
            "limitations": "limitations"}
NOT_WRITTEN = "<p class=\"muted\">Not written yet.</p>"


@dataclass
class Profile:
    name: str
    headline: str
    contact: str
    lang: str
    narrative_html: str
    cv_html: str = ""


@dataclass
class BuildResult:
    out: Path
    pages: list[Path] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    created: list[Path] = field(default_factory=list)  # starter files written for the learner


def portfolio_dir(home: Path) -> Path:
    return workspace(home) / "portfolio"


@functools.cache
def _parser() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False})


def _markdown(text: str, shift: int) -> str:
    """Markdown to HTML, raw HTML escaped, headings pushed down ``shift`` levels so a
    learner's ``#`` never breaks the page's outline."""
    md = _parser()
    tokens = md.parse(text)
    for t in tokens:
        if t.type in ("heading_open", "heading_close"):
            t.tag = f"h{min(6, int(t.tag[1]) + shift)}"
    return str(md.renderer.render(tokens, md.options, {}))


def _front_matter(text: str) -> tuple[dict[str, Any], str]:
    from deepcareer import yamlio

    if text.startswith("---"):
        parts = text.split("---", 2)
        if len(parts) == 3:
            try:
                meta = yamlio.load_yaml(parts[1]) or {}
            except yamlio.YAMLError:
                meta = {}
            return (meta if isinstance(meta, dict) else {}), parts[2]
    return {}, text


def _ensure(path: Path, text: str, created: list[Path]) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        created.append(path)
    return path.read_text(encoding="utf-8", errors="replace")


def load_profile(home: Path, created: list[Path]) -> Profile:
    folder = portfolio_dir(home)
    meta, body = _front_matter(_ensure(folder / "profile.md", PROFILE_TEMPLATE, created))
    cv = _ensure(folder / "cv.md", CV_TEMPLATE, created)
    return Profile(str(meta.get("name") or "Your Name"), str(meta.get("headline") or ""),
                   str(meta.get("contact") or ""), str(meta.get("lang") or "en"),
                   _markdown(body.strip(), 1), _markdown(cv, 1))


def _writeup(home: Path, project_id: str, created: list[Path]) -> dict[str, str]:
    text = _ensure(portfolio_dir(home) / "projects" / f"{project_id}.md", WRITEUP_TEMPLATE,
                   created)
    out = dict.fromkeys(SECTIONS.values(), NOT_WRITTEN)
    template = dict(_split_sections(WRITEUP_TEMPLATE))
    for title, body in _split_sections(text):
        key = SECTIONS.get(title.lower())
        if key and body.strip() and body.strip() != template.get(title, "").strip():
            out[key] = _markdown(body.strip(), 2)
    return out


def _split_sections(text: str) -> list[tuple[str, str]]:
    found = re.split(r"^##\s+(.+)$", text, flags=re.M)
    return [(found[i].strip(), found[i + 1]) for i in range(1, len(found) - 1, 2)]


def _png_size(path: Path) -> tuple[int, int]:
    with open(path, "rb") as fh:
        head = fh.read(24)
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def _project_pages(store: Store, out: Path, projects: dict[str, Any]) -> list[dict[str, Any]]:
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
        pages.append({
            "id": pid, "title": spec.title, "skills": spec.skills,
            "metric_text": f"{spec.main}: {fmt(spec.metric, run.metric)}",
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


def _skills(store: Store, catalog: Catalog, on_site: set[str], progress: list[Any]
            ) -> tuple[list[dict[str, Any]], int, list[str]]:
    from deepcareer.career.evidence import skill_evidence
    from deepcareer.mentor.insights import skill_areas

    evidence = skill_evidence(store, catalog, progress)
    areas: dict[str, list[dict[str, Any]]] = {}
    # A public page shows verified work only: practice and claims are "not yet verified",
    # with no sources, and the sources of a verified skill are its verified work.
    level_text = {"verified": "verified by automated tests"}
    for sid, area in skill_areas(catalog).items():
        ev = evidence[sid]
        sources = []
        for text in ev.verified_sources:
            m = re.match(r"project (\S+) ", text)
            href = f"projects/{m.group(1)}.html" if m and m.group(1) in on_site else None
            sources.append({"text": text, "href": href})
        areas.setdefault(area, []).append({"id": sid, "title": catalog.skills[sid].title,
                                           "level": ev.level,
                                           "level_text": level_text.get(ev.level,
                                                                        "not yet verified"),
                                           "sources": sources})
    verified = [catalog.skills[s].title for s, e in evidence.items() if e.level == "verified"]
    names = {"pytorch": "PyTorch", "tensorflow": "TensorFlow"}
    return ([{"name": names.get(a, a.capitalize()), "skills": s}
             for a, s in sorted(areas.items())],
            len(verified), verified)


def build_site(store: Store, catalog: Catalog, out: Path | None = None,
               now: datetime | None = None, projects: dict[str, Any] | None = None
               ) -> BuildResult:
    """Render every page into ``out`` (default ``<home>/portfolio/site``), check it, and
    raise :class:`PortfolioError` naming each problem if a rule is broken. ``projects``
    defaults to the built-in ones (a benchmark passes its own)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from deepcareer.mentor.progress import exercise_progress
    from deepcareer.portfolio.checks import check_site
    from deepcareer.portfolio.theme import css
    from deepcareer.projects.spec import load_projects

    out = (out or store.home / "portfolio" / "site").resolve()
    result = BuildResult(out)
    profile = load_profile(store.home, result.created)
    staging = out.with_name(out.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    projects_list = _project_pages(store, staging, projects if projects is not None
                                   else load_projects())
    for p in projects_list:
        p["sections"] = _writeup(store.home, p["id"], result.created)
    on_site = {p["id"] for p in projects_list}
    progress = exercise_progress(store, catalog)
    areas, n_verified, verified_titles = _skills(store, catalog, on_site, progress)
    passed = sum(p.state == "passed" for p in progress)
    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    common = {"profile": profile, "built": (now or store.clock()).date().isoformat(),
              "projects": projects_list, "skills_verified": n_verified,
              "skills_total": len(catalog.skills), "exercises_passed": passed,
              "areas": areas, "verified_titles": verified_titles}
    for name in ("index.html", "skills.html", "cv.html"):
        html = env.get_template(name).render(root="", **common)
        (staging / name).write_text(html, encoding="utf-8")
    for p in projects_list:
        html = env.get_template("project.html").render(root="../", p=p, **common)
        (staging / "projects" / f"{p['id']}.html").write_text(html, encoding="utf-8")
    (staging / "style.css").write_text(css(), encoding="utf-8")
    (staging / ".nojekyll").write_text("", encoding="utf-8")
    problems = check_site(staging)
    if problems:
        shutil.rmtree(staging, ignore_errors=True)
        raise PortfolioError(problems)
    shutil.rmtree(out, ignore_errors=True)
    staging.replace(out)
    result.pages = sorted(out.rglob("*.html"))
    result.projects = sorted(on_site)
    return result
