"""The portfolio: built from the store, refused while a placeholder is left (naming the file
and field) or when it breaks a rule; a private preview meanwhile, marked on every page."""

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

PROFILE = """---
name: Ada Example
headline: Machine learning engineer, tabular and vision models
email: ada@mail.test
repository: https://github.com/ada-example/deep-learning
github: https://github.com/ada-example
---
# A heading too high

I build <script>alert(1)</script> models and test them on data they never saw.
"""
CV = """# Experience

- 2024-2026: data analyst at a hospital trust.

# Education

- MSc Statistics.
"""


def write_profile(home: Path, projects: tuple[str, ...] = ("tabular-classic",)) -> None:
    """A filled profile, CV and write-up for each project: nothing left to fill in."""
    folder = portfolio_dir(home)
    (folder / "projects").mkdir(parents=True, exist_ok=True)
    (folder / "profile.md").write_text(PROFILE)
    (folder / "cv.md").write_text(CV)
    for pid in projects:
        (folder / "projects" / f"{pid}.md").write_text(
            "---\ncode: https://github.com/ada-example/deep-learning/tree/main/" + pid +
            "\n---\n## Problem\n\nCan a tiny network match logistic regression on 569 "
            "tumours?\n\n## Error analysis\n\nMost errors are borderline cases.\n\n"
            "## What did not work\n\nA deeper network overfitted.\n\n## Limitations\n\n"
            "One hospital's data.\n")


def fill(store: Store) -> None:
    """A learner with two passed exercises, a verified tabular project and a profile
    with nothing left to fill in."""
    for ex in ("softmax", "cross-entropy"):
        store.add_attempt(exercise_id=ex, content_version=1, status="pass")
    project = get_project("tabular-classic")
    run_project(store, project, STANDARDISED, seed=4)
    verify(store, project)
    write_profile(store.home)


def test_an_empty_portfolio_refuses_and_names_each_field(tmp_path: Path,
                                                         catalog: Catalog) -> None:
    with open_store(tmp_path / "h") as store, pytest.raises(PortfolioError) as info:
        build_site(store, catalog)
    folder = portfolio_dir(tmp_path / "h")
    message = info.value.message
    for line in (f"{folder / 'profile.md'}: name: write your name (it is still 'Your Name')",
                 f"{folder / 'profile.md'}: email: still the example address",
                 f"{folder / 'profile.md'}: the paragraph under the front matter: still the "
                 "prompt", f"{folder / 'cv.md'}: Experience: still the prompt",
                 f"{folder / 'cv.md'}: Education: still the prompt", "--preview"):
        assert line in message, (line, message)
    assert not (tmp_path / "h" / "portfolio" / "site").exists()  # nothing published
    assert (folder / "profile.md").exists() and (folder / "cv.md").exists()  # to fill in


def test_a_private_preview_is_marked_on_every_page(tmp_path: Path, catalog: Catalog) -> None:
    with open_store(tmp_path / "h") as store:
        result = build_site(store, catalog, preview=True)
    assert result.preview and any("name: write your name" in t for t in result.todo)
    for page in result.pages:
        text = page.read_text()
        assert "Private preview, not for publishing" in text, page
        assert '<meta name="robots" content="noindex, nofollow">' in text
    index = (result.out / "index.html").read_text()
    assert "No projects yet" in index and "deepcareer project list" in index
    assert (result.out / ".nojekyll").exists() and result.projects == []
    assert {p.name for p in result.created} == {"profile.md", "cv.md"}


def test_a_half_written_writeup_names_the_sections_left(tmp_path: Path,
                                                        catalog: Catalog) -> None:
    with open_store(tmp_path / "h") as store:
        fill(store)
        writeup = portfolio_dir(store.home) / "projects" / "tabular-classic.md"
        writeup.write_text("## Problem\n\nA real question.\n")
        with pytest.raises(PortfolioError) as info:
            build_site(store, catalog)
    message = info.value.message
    assert f"{writeup}: ## Error analysis: not written yet" in message
    assert f"{writeup}: ## Limitations: not written yet" in message
    assert "## Problem" not in message
    assert "profile.md" not in message  # the filled profile has nothing left


def test_a_bad_link_is_named(tmp_path: Path, catalog: Catalog) -> None:
    with open_store(tmp_path / "h") as store:
        write_profile(store.home, ())
        profile = portfolio_dir(store.home) / "profile.md"
        profile.write_text(PROFILE.replace("https://github.com/ada-example\n",
                                           "javascript:alert(1)\n"))
        with pytest.raises(PortfolioError) as info:
            build_site(store, catalog)
    assert f"{profile}: github: 'javascript:alert(1)' is not an https:// address" in \
        info.value.message


def test_a_project_page_from_verified_work(tmp_path: Path, catalog: Catalog) -> None:
    with open_store(tmp_path / "h") as store:
        fill(store)
        result = build_site(store, catalog)
        run_id = max(r["id"] for r in store.runs("tabular-classic")
                     if r["reproduces"] is None)
        code = store.run_code(run_id)
    site = result.out
    assert result.projects == ["tabular-classic"] and not result.preview
    page = (site / "projects" / "tabular-classic.html").read_text()
    assert "Can a tiny network match logistic regression" in page
    assert "Reproduced by a re-run with a seed deepcareer drew" in page
    assert "Verified on run 1 of 1; 1 of 1 passed; verify re-ran 1" in page  # every try
    assert "deepcareer project run tabular-classic --seed 4" in page
    assert "Logistic regression (standardised)" in page and "Not written yet." not in page
    assert "Private preview" not in page and "noindex" not in page
    assert re.search(r"On noisy copies of the held-out rows \(a check that the figure was "
                     r"learned, not looked up\): \d+\.\d%", page)
    assert re.search(r'<img src="tabular-classic/learning_curves.png" alt="[^"]+"', page)
    # the code: exported as it ran, and the repository the write-up names
    assert 'href="tabular-classic/code.py.txt"' in page
    assert (site / "projects" / "tabular-classic" / "code.py.txt").read_text() == code
    assert 'href="https://github.com/ada-example/deep-learning/tree/main/tabular-classic"' \
        in page
    index = (site / "index.html").read_text()
    assert "Ada Example" in index and "<script>" not in index and "&lt;script&gt;" in index
    assert "<h2>A heading too high</h2>" in index  # demoted under the page's h1
    assert 'href="mailto:ada@mail.test"' in index and ">GitHub</a>" in index
    assert '<section class="hero"' in index
    # the card: thumbnail from the run's own figures, the metric's name, the baseline
    card = index.split('<ul class="cards">')[1].split("</ul>")[0]
    assert re.search(r'<img class="thumb" src="projects/tabular-classic/learning_curves.png"'
                     r' alt="[^"]+"', card)
    assert re.search(r"Test accuracy</span> <strong>\d+\.\d%</strong>", card)
    assert re.search(r"Baseline: \d+\.\d%, [A-Z]", card)
    assert "model:" not in card  # no experiment slug as the metric's name
    skills = (site / "skills.html").read_text()
    assert 'href="projects/tabular-classic.html"' in skills
    assert "verified by automated tests" in skills and "certified" not in skills.lower()
    assert "Exercise \u201cSoftmax over the last axis" in skills  # titles, not slugs
    assert "exercise softmax" not in skills and "project tabular-classic" not in skills
    # public pages show verified work only: no gaps, no unverified skills, no mastery
    for name in ("index.html", "skills.html", "cv.html"):
        text = (site / name).read_text()
        assert "not yet verified" not in text and "no evidence" not in text
        assert "mastery" not in text.lower() and " of 4" not in text, name
    cv = (site / "cv.html").read_text()
    headings = re.findall(r"<h(\d)>([^<]*)</h\d>", cv)
    assert headings[:3] == [("1", "Ada Example"), ("2", "Experience"), ("2", "Education")]
    assert check_site(site) == []


def test_an_unreproduced_project_is_not_published(tmp_path: Path, catalog: Catalog) -> None:
    # Only verified work is published (issue 14): a passing run waits for `project verify`.
    with open_store(tmp_path / "h") as store:
        run_project(store, get_project("tabular-classic"), STANDARDISED)
        result = build_site(store, catalog, preview=True)
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
        build_site(store, catalog, preview=True)
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


def test_the_cli_refuses_then_previews(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    refused = run_cli("portfolio", "build", home=tmp_path / "h")
    assert refused.returncode != 0
    assert "profile.md: name: write your name" in refused.stderr, refused.stderr
    assert "--preview" in refused.stderr
    preview = run_cli("portfolio", "build", "--preview", home=tmp_path / "h")
    assert preview.returncode == 0, preview.stderr
    assert "private preview" in preview.stdout and "Not for publishing" in preview.stdout
    assert "email: still the example address" in preview.stdout


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
        write_profile(store.home)  # a profile and write-up in the learner's words
        result = build_site(store, catalog)
    assert result.projects == ["tabular-classic"]
    page = (result.out / "projects" / "tabular-classic.html").read_text()
    assert ("Verified on run 2 of 3; 1 of 3 passed (2 fell short); verify re-ran 1 of them "
            "with a seed it drew and 1 reproduced.") in page
    assert "deepcareer project run tabular-classic --seed 3" in page
