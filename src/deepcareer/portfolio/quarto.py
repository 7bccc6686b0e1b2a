"""Export the portfolio as a Quarto website project, for learners who outgrow ours.

Quarto renders ``.qmd`` files (Markdown with a YAML header); we write one per page of
our site with the same text and figures, and a ``_quarto.yml`` with the navigation.
Rendering is left to the learner's own Quarto (``quarto render``); nothing here needs it.
"""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path


def _text(html: str) -> str:
    """Our pages' HTML as plain Markdown-ish text: headings, paragraphs, lists, images."""
    main = html.split("<main>", 1)[-1].split("</main>", 1)[0]
    main = re.sub(r"<h([1-6])[^>]*>(.*?)</h\1>",
                  lambda m: "\n" + "#" * int(m.group(1)) + " " + m.group(2) + "\n", main,
                  flags=re.S)
    main = re.sub(r'<img src="([^"]+)" alt="([^"]*)"[^>]*>', r"![\2](\1)", main)
    main = re.sub(r'<a href="([^"]+)">(.*?)</a>', r"[\2](\1)", main, flags=re.S)
    main = re.sub(r"<li[^>]*>", "\n- ", main)
    main = re.sub(r"</(p|figure|table|tr|ul|pre)>", "\n", main)
    main = re.sub(r"<[^>]+>", "", main)
    return re.sub(r"\n{3,}", "\n\n", unescape(main)).strip() + "\n"


def export_quarto(site: Path, out: Path, title: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site).with_suffix(".qmd")
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        body = _text(page.read_text(encoding="utf-8")).replace(".html)", ".qmd)")
        heading = re.search(r"^# (.+)$", body, flags=re.M)
        page_title = heading.group(1) if heading else title
        target.write_text(f'---\ntitle: "{page_title}"\n---\n\n{body}', encoding="utf-8")
        written.append(target)
    for image in site.rglob("*.png"):
        dest = out / image.relative_to(site)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(image, dest)
    config = out / "_quarto.yml"
    config.write_text(
        "project:\n  type: website\nwebsite:\n"
        f'  title: "{title}"\n  navbar:\n    left:\n'
        "      - href: index.qmd\n        text: Home\n"
        "      - href: skills.qmd\n        text: Skills\n"
        "      - href: cv.qmd\n        text: CV\n"
        "format:\n  html:\n    theme: cosmo\n", encoding="utf-8")
    written.append(config)
    return written
