"""Rules every built page must keep, each failure named by page and element.

Accessibility: ``lang`` and a ``<title>``, alt text on every image, a caption on every
figure, no skipped heading levels, theme contrast (see ``theme.py``). Weight: HTML + CSS
at most 50 KB per page, no image over 200 KB, a project page with its images at most
1 MB. Links: every internal link is relative (so the site works under a sub-path such as
GitHub Pages' ``/user/repo/``) and lands on a file (and an id, when it has a fragment).
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from deepcareer.portfolio.theme import contrast_problems

PAGE_KB = 50
IMAGE_KB = 200
PROJECT_PAGE_KB = 1024


_TAG = re.compile(r"<(?!!|/)([a-zA-Z][a-zA-Z0-9]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_ATTR = re.compile(r"([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+)))?")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S | re.I)


@dataclass
class _Page:
    """What the rules need from one page, read with a tag scanner (the pages are ours and
    well formed; a full HTML parser costs five times as much on every build)."""

    lang: str = ""
    title: str = ""
    headings: list[int] = field(default_factory=list)
    images: list[dict[str, str]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    figures: list[bool] = field(default_factory=list)  # has a figcaption
    styles: list[str] = field(default_factory=list)
    scripts: int = 0


def _parse(path: Path) -> _Page:
    text = path.read_text(encoding="utf-8")
    page = _Page()
    title = _TITLE.search(text)
    page.title = html.unescape(title.group(1)) if title else ""
    for m in _TAG.finditer(text):
        tag = m.group(1).lower()
        a = {k.lower(): html.unescape(v1 or v2 or v3 or "")
             for k, v1, v2, v3 in _ATTR.findall(m.group(2))}
        if a.get("id"):
            page.ids.add(a["id"])
        if tag == "html":
            page.lang = a.get("lang", "")
        elif len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            page.headings.append(int(tag[1]))
        elif tag == "img":
            page.images.append(a)
        elif tag == "a" and a.get("href"):
            page.links.append(a["href"])
        elif tag == "link" and a.get("rel") == "stylesheet" and a.get("href"):
            page.styles.append(a["href"])
        elif tag == "figure":
            page.figures.append(False)
        elif tag == "figcaption" and page.figures:
            page.figures[-1] = True
        elif tag == "script":
            page.scripts += 1
    return page


def check_site(site: Path) -> list[str]:
    problems = list(contrast_problems())
    site = site.absolute()
    pages = sorted(site.rglob("*.html"))
    parsed = {p: _parse(p) for p in pages}
    resolved = {os.path.normpath(p): page for p, page in parsed.items()}
    for path, page in parsed.items():
        name = path.relative_to(site).as_posix()
        if not page.lang:
            problems.append(f"{name}: <html>: no lang attribute")
        if not page.title.strip():
            problems.append(f"{name}: <title>: missing or empty")
        if page.scripts:
            problems.append(f"{name}: <script>: the portfolio ships no JavaScript")
        for img in page.images:
            if not (img.get("alt") or "").strip():
                problems.append(f"{name}: <img src={img.get('src')!r}>: no alt text")
        for i, has_caption in enumerate(page.figures):
            if not has_caption:
                problems.append(f"{name}: <figure> #{i + 1}: no <figcaption>")
        previous = 0
        for level in page.headings:
            if previous == 0 and level != 1:
                problems.append(f"{name}: <h{level}>: the first heading must be <h1>")
            elif level > previous + 1 and previous:
                problems.append(f"{name}: <h{level}>: skips a level after <h{previous}>")
            previous = level
        weight = path.stat().st_size + sum(
            (path.parent / s).stat().st_size for s in page.styles
            if (path.parent / s).is_file())
        if weight > PAGE_KB * 1024:
            problems.append(f"{name}: HTML + CSS: {weight / 1024:.0f} KB, over {PAGE_KB} KB")
        images_kb = 0.0
        for img in page.images:
            src = str(img.get("src") or "")
            target = Path(os.path.normpath(os.path.join(path.parent, unquote(src))))
            if src.startswith(("http:", "https:", "//", "/")):
                problems.append(f"{name}: <img src={src!r}>: images must be local and "
                                "relative")
            elif not target.is_file():
                problems.append(f"{name}: <img src={src!r}>: the file does not exist")
            else:
                kb = target.stat().st_size / 1024
                images_kb += kb
                if kb > IMAGE_KB:
                    problems.append(f"{name}: <img src={src!r}>: {kb:.0f} KB, over "
                                    f"{IMAGE_KB} KB")
        if name.startswith("projects/") and weight / 1024 + images_kb > PROJECT_PAGE_KB:
            problems.append(f"{name}: the page and its images weigh "
                            f"{weight / 1024 + images_kb:.0f} KB, over {PROJECT_PAGE_KB} KB")
        problems += _link_problems(site, path, name, page, resolved)
    return problems


def _link_problems(site: Path, path: Path, name: str, page: _Page,
                   parsed: dict[str, _Page]) -> list[str]:
    out = []
    for href in page.links:
        parts = urlsplit(href)
        if parts.scheme in ("http", "https", "mailto"):
            continue
        if parts.scheme or href.startswith("/"):
            out.append(f"{name}: <a href={href!r}>: internal links must be relative")
            continue
        target = os.path.normpath(os.path.join(path.parent, unquote(parts.path))
                                  if parts.path else path)
        if not target.startswith(str(site) + os.sep) or not os.path.isfile(target):
            out.append(f"{name}: <a href={href!r}>: broken link")
        elif parts.fragment and target in parsed and parts.fragment not in parsed[target].ids:
            out.append(f"{name}: <a href={href!r}>: no element with id {parts.fragment!r}")
    return out
