"""The portfolio: built from the store, useful when empty, refused when it breaks a rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from deepcareer.curriculum.catalog import Catalog
from deepcareer.errors import PortfolioError
from deepcareer.portfolio import theme
from deepcareer.portfolio.build import build_site, portfolio_dir
from deepcareer.portfolio.checks import check_site
from deepcareer.projects.runs import run_project, verify
from deepcareer.projects.spec import get_project
from deepcareer.store.db import Store, open_store
from tests.projects.learners import STANDARDISED


def fill(store: Store) -> None:
    """A learner with two passed exercises and a verified tabular project."""
    for ex in ("softmax", "cross-entropy"):
        store.add_attempt(exercise_id=ex, content_version=1, status="pass")
    project = get_project("tabular-classic")
    run_project(store, project, STANDARDISED, seed=4)
    verify(store, project)


def test_an_empty_portfolio_says_what_to_do(tmp_path: Path, catalog: Catalog) -> None:
    with open_store(tmp_path / "h") as store:
        result = build_site(store, catalog)
    index = (result.out / "index.html").read_text()
    assert "No projects yet" in index and "deepcareer project list" in index
    assert (result.out / ".nojekyll").exists() and result.projects == []
    assert {p.name for p in result.created} == {"profile.md", "cv.md"}


def test_a_project_page_from_verified_work(tmp_path: Path, catalog: Catalog) -> None:
    with open_store(tmp_path / "h") as store:
        fill(store)
        folder = portfolio_dir(store.home)
        build_site(store, catalog)  # writes the starter files
        (folder / "profile.md").write_text(
            "---\nname: Ada Example\nheadline: Learning deep learning\n---\n"
            "# A heading too high\n\nI build <script>alert(1)</script> models.\n")
        writeup = folder / "projects" / "tabular-classic.md"
        writeup.write_text(writeup.read_text().replace(
            "What question does this project answer, and why is machine learning a fit for "
            "it at all?", "Can a tiny network match logistic regression on 569 tumours?"))
        result = build_site(store, catalog)
    site = result.out
    assert result.projects == ["tabular-classic"]
    page = (site / "projects" / "tabular-classic.html").read_text()
    assert "Can a tiny network match logistic regression" in page
    assert "Reproduced by a re-run with a seed deepcareer drew" in page
    assert "Verified on run 1 of 1; 1 of 1 passed; verify re-ran 1" in page  # every try
    assert "deepcareer project run tabular-classic --seed 4" in page
    assert "Logistic regression (standardised)" in page and "Not written yet." in page
    assert re.search(r"On noisy copies of the held-out rows \(a check that the figure was "
                     r"learned, not looked up\): \d+\.\d%", page)
    assert re.search(r'<img src="tabular-classic/learning_curves.png" alt="[^"]+"', page)
    index = (site / "index.html").read_text()
    assert "Ada Example" in index and "<script>" not in index and "&lt;script&gt;" in index
    assert "<h2>A heading too high</h2>" in index  # demoted under the page's h1
    skills = (site / "skills.html").read_text()
    assert 'href="projects/tabular-classic.html"' in skills
    assert "verified by automated tests" in skills and "certified" not in skills.lower()
    assert check_site(site) == []


def test_an_unreproduced_project_is_not_published(tmp_path: Path, catalog: Catalog) -> None:
    # Only verified work is published (issue 14): a passing run waits for `project verify`.
    with open_store(tmp_path / "h") as store:
        run_project(store, get_project("tabular-classic"), STANDARDISED)
        result = build_site(store, catalog)
    assert result.projects == []
    assert not (result.out / "projects" / "tabular-classic.html").exists()


def _page(site: Path, name: str, body: str, head: str = "<title>t</title>",
          lang: str = ' lang="en"') -> None:
    path = site / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<!doctype html><html{lang}><head>{head}</head><body>{body}</body>"
                    "</html>")


def test_each_rule_names_the_page_and_element(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _page(site, "index.html", '<h1>x</h1><a href="missing.html">m</a><a href="/abs.html">a'
          '</a><a href="other.html#nope">f</a><img src="pic.png"><figure>'
          '<img src="pic.png" alt="a chart"></figure><h3>skipped</h3>')
    _page(site, "other.html", "<h2>starts low</h2>", head="", lang="")
    (site / "pic.png").write_bytes(b"\x89PNG" + b"\0" * 250_000)
    _page(site, "big.html", "<h1>b</h1><p>" + "x" * 60_000 + "</p>")
    problems = check_site(site)
    expected = [
        "index.html: <a href='missing.html'>: broken link",
        "index.html: <a href='/abs.html'>: internal links must be relative",
        "index.html: <a href='other.html#nope'>: no element with id 'nope'",
        "index.html: <img src='pic.png'>: no alt text",
        "index.html: <figure> #1: no <figcaption>",
        "index.html: <h3>: skips a level after <h1>",
        "index.html: <img src='pic.png'>: 244 KB, over 200 KB",
        "other.html: <html>: no lang attribute",
        "other.html: <title>: missing or empty",
        "other.html: <h2>: the first heading must be <h1>",
        "big.html: HTML + CSS: 59 KB, over 50 KB",
    ]
    for line in expected:
        assert line in problems, (line, problems)


def test_theme_contrast_is_computed_and_enforced(monkeypatch: pytest.MonkeyPatch) -> None:
    assert theme.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert theme.contrast_problems() == []
    monkeypatch.setitem(theme.DARK, "muted", "#555555")
    monkeypatch.setattr(theme, "PALETTE", [*theme.PALETTE, "#ffd54f"])
    problems = theme.contrast_problems()
    assert any(p.startswith("theme dark: muted on bg") for p in problems)
    assert any("chart colour #ffd54f" in p for p in problems)


def test_a_broken_rule_stops_the_build(tmp_path: Path, catalog: Catalog,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(theme.LIGHT, "link", "#9fc5ff")
    with open_store(tmp_path / "h") as store, pytest.raises(PortfolioError) as info:
        build_site(store, catalog)
    assert "theme light: link on bg" in info.value.message
    assert not (tmp_path / "h" / "portfolio" / "site").exists()  # nothing half-published


def test_quarto_export_carries_every_page(tmp_path: Path, catalog: Catalog) -> None:
    from deepcareer.portfolio.quarto import export_quarto

    with open_store(tmp_path / "h") as store:
        fill(store)
        site = build_site(store, catalog).out
    written = export_quarto(site, tmp_path / "q", "Ada")
    names = {p.relative_to(tmp_path / "q").as_posix() for p in written}
    assert {"index.qmd", "skills.qmd", "cv.qmd", "projects/tabular-classic.qmd",
            "_quarto.yml"} <= names
    page = (tmp_path / "q" / "projects" / "tabular-classic.qmd").read_text()
    assert page.startswith('---\ntitle: "Classic machine learning') and "![" in page
    assert (tmp_path / "q" / "projects" / "tabular-classic" / "learning_curves.png").exists()


def test_a_project_page_shows_every_try_and_which_one_was_verified(
        tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 16's acceptance: the page counts every run of the project (failures too)
    and names the one verified, not only the figure that passed."""
    from deepcareer.projects import runs as runs_module
    from tests.projects.learners import SEED_LUCK

    project = get_project("tabular-classic")
    with open_store(tmp_path / "h") as store:
        made = [run_project(store, project, SEED_LUCK, seed=seed) for seed in (1, 3, 2)]
        assert [r.passed for r in made] == [False, True, False]
        monkeypatch.setattr(runs_module, "draw_seed", lambda: 9)  # a seed that holds
        assert verify(store, project, made[1].id)[2]
        result = build_site(store, catalog)
    assert result.projects == ["tabular-classic"]
    page = (result.out / "projects" / "tabular-classic.html").read_text()
    assert ("Verified on run 2 of 3; 1 of 3 passed (2 fell short); verify re-ran 1 of them "
            "with a seed it drew and 1 reproduced.") in page
    assert "deepcareer project run tabular-classic --seed 3" in page
