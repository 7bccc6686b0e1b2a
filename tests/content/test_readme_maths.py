"""TeX in a README reaches KaTeX intact through the Markdown renderer.

The web app renders README.md with CommonMark, then KaTeX typesets what lies between $...$
and $$...$$. CommonMark knows nothing of maths: a backslash before punctuation (\\{, \\,)
is eaten, and a pair of * or _ can become emphasis, which silently breaks the formula. Each
formula of the source must therefore come out of the renderer character for character.
"""

from __future__ import annotations

import html
import re

import pytest

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.web.views import markdown as _markdown

_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE = re.compile(r"(?<!\$)\$([^$\n]+?)\$(?!\$)")
_CODE = re.compile(r"`[^`\n]*`")


def _formulas(source: str) -> list[str]:
    prose = "\n".join(line for line in source.splitlines() if not line.startswith("    "))
    prose = _CODE.sub("", prose)
    display = [" ".join(m.split()) for m in _DISPLAY.findall(prose)]
    inline = [" ".join(m.split()) for m in _INLINE.findall(_DISPLAY.sub("", prose))]
    return display + inline


WITH_MATHS = [ex.id for ex in default_catalog()
              if "$" in ex.readme_path.read_text(encoding="utf-8")]


def test_the_transformer_track_writes_its_maths_in_tex() -> None:
    track = [ex.id for ex in default_catalog() if ex.meta.area == "transformers"]
    assert track and set(track) <= set(WITH_MATHS)


@pytest.mark.parametrize("exercise", WITH_MATHS)
def test_every_formula_survives_markdown(exercise: str) -> None:
    source = default_catalog().get(exercise).readme_path.read_text(encoding="utf-8")
    rendered = re.sub(r"<pre>.*?</pre>", "", _markdown().render(source), flags=re.S)
    text = " ".join(html.unescape(rendered).split())
    formulas = _formulas(source)
    assert formulas, f"{exercise}: no formula found although the README has a $"
    for formula in formulas:
        assert formula in text, f"{exercise}: the renderer changed the formula {formula!r}"
