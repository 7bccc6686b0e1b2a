"""Rules every built page must keep, each failure named by page and element.

Accessibility: ``lang`` and a ``<title>``, alt text on every image, a caption on every
figure, no skipped heading levels, theme contrast (see ``theme.py``). Weight: HTML + CSS
at most 50 KB per page, no image over 200 KB, a project page with its images at most
1 MB. Links: every internal link is relative (so the site works under a sub-path such as
GitHub Pages' ``/user/repo/``) and lands on a file (and an id, when it has a fragment).
"""

from __future__ import annotations

import os
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from deepcareer.portfolio.theme import contrast_problems

PAGE_KB = 50
IMAGE_KB = 200
PROJECT_PAGE_KB = 1024


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.title = ""
        self._in_title = False
        self.headings: list[int] = []
        self.images: list[dict[str, str | None]] = []
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.figures: list[bool] = []  # has a figcaption
        self.styles: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "html":
            self.lang = a.get("lang") or ""
        elif tag == "title":
            self._in_title = True
        elif len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.headings.append(int(tag[1]))
        elif tag == "img":
            self.images.append(a)
        elif tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))
        elif tag == "link" and a.get("rel") == "stylesheet" and a.get("href"):
            self.styles.append(str(a["href"]))
        elif tag == "figure":
            self.figures.append(False)
        elif tag == "figcaption" and self.figures:
            self.figures[-1] = True
        elif tag == "script":
            self.scripts += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
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
