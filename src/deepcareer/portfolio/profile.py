"""The learner's words on the portfolio: the profile, the CV and one write-up per project,
written in ``workspace/portfolio/`` (created with prompts on the first build). Every
placeholder still in them is listed as "file: field: what to do", so the build can refuse
to publish a site that says "Your Name" or "Not written yet." and name what to fill in.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deepcareer.home import workspace

PROFILE_TEMPLATE = """---
name: Your Name
headline: Deep learning engineer in training
email: you@example.org
# Optional links: remove the # in front of those you want on the site.
# repository: https://github.com/you/deep-learning-work
# github: https://github.com/you
# linkedin: https://www.linkedin.com/in/you
lang: en
---
Two or three sentences in your own voice: what you are learning, what you built, what
kind of work you are looking for. This paragraph is the first thing a visitor reads.
"""
PLACEHOLDER_NAME = "Your Name"
LINKS = {"repository": "Code repository", "github": "GitHub", "linkedin": "LinkedIn"}
CV_TEMPLATE = """## Experience

- Add your roles here, most recent first.

## Education

- Add your degrees and courses here.
"""
WRITEUP_TEMPLATE = """---
# Optional: where this project's code lives (remove the # to use it).
# code: https://github.com/you/this-project
---
## Problem

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
    email: str
    lang: str
    narrative_html: str
    cv_html: str = ""
    links: list[dict[str, str]] = field(default_factory=list)  # {"label", "href"}
    todo: list[str] = field(default_factory=list)  # placeholders left, "file: field: what"


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
    """The learner's profile and CV, with every placeholder left in them listed in
    ``todo`` as "file: field: what to do" (the build refuses to publish while any is)."""
    folder = portfolio_dir(home)
    meta, body = _front_matter(_ensure(folder / "profile.md", PROFILE_TEMPLATE, created))
    cv = _ensure(folder / "cv.md", CV_TEMPLATE, created)
    _, template_body = _front_matter(PROFILE_TEMPLATE)
    name = str(meta.get("name") or "").strip()
    headline = str(meta.get("headline") or "").strip()
    email = str(meta.get("email") or meta.get("contact") or "").strip()
    todo = []
    where = folder / "profile.md"
    if not name or name == PLACEHOLDER_NAME:
        todo.append(f"{where}: name: write your name (it is still {PLACEHOLDER_NAME!r})"
                    if name else f"{where}: name: missing; write your name")
    if not headline:
        todo.append(f"{where}: headline: missing; one line on the work you do or seek")
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        todo.append(f"{where}: email: missing or not an address; write the one employers "
                    "should use")
    elif email.lower().endswith(("@example.org", "@example.com")):
        todo.append(f"{where}: email: still the example address {email!r}")
    if not body.strip() or " ".join(body.split()) == " ".join(template_body.split()):
        todo.append(f"{where}: the paragraph under the front matter: still the prompt; "
                    "write two or three sentences in your own voice")
    links = []
    for key, label in LINKS.items():
        href = str(meta.get(key) or "").strip()
        if not href:
            continue
        if not href.startswith("https://") or any(c.isspace() for c in href):
            todo.append(f"{where}: {key}: {href!r} is not an https:// address")
        else:
            links.append({"key": key, "label": label, "href": href})
    for section, prompt in _split_sections(CV_TEMPLATE):
        if prompt.strip() and prompt.strip() in cv:
            todo.append(f"{folder / 'cv.md'}: {section}: still the prompt "
                        f"{prompt.strip()!r}; write yours, or delete the section")
    return Profile(name or PLACEHOLDER_NAME, headline, email, str(meta.get("lang") or "en"),
                   _markdown(body.strip(), 1), _markdown(cv, 2 - _top_level(cv)), links,
                   todo)


def _top_level(text: str) -> int:
    """The highest heading level a Markdown text uses (1 for "#"), 2 when it has none, so
    the CV's own top headings become the page's <h2>s whatever level they were written at."""
    levels = [len(m.group(1)) for m in re.finditer(r"^(#{1,6})\s", text, flags=re.M)]
    return min(levels, default=2)


def writeup(home: Path, project_id: str, created: list[Path], todo: list[str]
             ) -> tuple[dict[str, str], str]:
    """The write-up's sections as HTML and the code repository it names (front matter
    ``code: https://...``, or ""); each section still unwritten is added to ``todo``."""
    path = portfolio_dir(home) / "projects" / f"{project_id}.md"
    meta, text = _front_matter(_ensure(path, WRITEUP_TEMPLATE, created))
    out = dict.fromkeys(SECTIONS.values(), NOT_WRITTEN)
    template = dict(_split_sections(WRITEUP_TEMPLATE))
    for title, body in _split_sections(text):
        key = SECTIONS.get(title.lower())
        if key and body.strip() and body.strip() != template.get(title, "").strip():
            out[key] = _markdown(body.strip(), 2)
    titles = {v: k for k, v in SECTIONS.items()}
    todo += [f"{path}: ## {titles[k].capitalize()}: not written yet"
             for k, v in out.items() if v == NOT_WRITTEN]
    code = str(meta.get("code") or "").strip()
    if code and not code.startswith("https://"):
        todo.append(f"{path}: code: {code!r} is not an https:// address")
        code = ""
    return out, code


def _split_sections(text: str) -> list[tuple[str, str]]:
    found = re.split(r"^##\s+(.+)$", text, flags=re.M)
    return [(found[i].strip(), found[i + 1]) for i in range(1, len(found) - 1, 2)]
