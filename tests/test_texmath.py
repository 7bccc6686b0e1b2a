"""TeX maths reads as Unicode in the terminal: fractions, scripts, Greek letters and the
commands our READMEs and quizzes use; prose dollars and code are left alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from deepcareer.curriculum.catalog import default_catalog
from deepcareer.texmath import tex_to_unicode, unicode_maths


@pytest.mark.parametrize(("tex", "text"), [
    (r"\text{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}",
     "softmax(z)ᵢ = (e^(zᵢ))/(∑ⱼ e^(zⱼ))"),
    (r"\frac{\partial L}{\partial W} = X^\top \delta", "(∂ L)/(∂ W) = Xᵀ δ"),
    (r"h_t = o_t \odot \tanh(c_t)", "hₜ = oₜ ⊙ tanh(cₜ)"),
    (r"\hat y", "ŷ"),
    (r"x \in \mathbb{R}^{n}", "x ∈ ℝⁿ"),
    (r"\left\lfloor \frac{H + 2p - k}{s} \right\rfloor + 1", "⌊ (H + 2p - k)/s ⌋ + 1"),
    (r"\lVert w \rVert_2^2 \le \epsilon", "‖ w ‖₂² ≤ ε"),
    (r"\sqrt{d_k}", "√dₖ"),
    (r"\sqrt{d_k + 1}", "√(dₖ + 1)"),
    (r"\delta_c", "δ_c"),  # no subscript c in Unicode: spelled out
    (r"\frac{1}{n}", "1/n"),
    (r"\unknowncommand{x}", "unknowncommandx"),
])
def test_formulas(tex: str, text: str) -> None:
    assert tex_to_unicode(tex) == text


def test_prose_dollars_and_code_are_left_alone() -> None:
    text = "It costs $5 and $6. `$x$` and\n```\nprint('$y$')\n```\nbut $x_1$ is maths."
    out = unicode_maths(text)
    assert out.startswith("It costs $5 and $6. `$x$` and\n```\nprint('$y$')\n```\n")
    assert out.endswith("but x₁ is maths.")


def test_markdown_mode_escapes_so_nothing_becomes_emphasis() -> None:
    out = unicode_maths(r"see $a_{c} * b_{ij}$ and $$\delta_c * \delta_d$$", markdown=True)
    assert r"a\_c \* bᵢⱼ" in out and "\n\nδ\\_c \\* δ\\_d\n\n" in out


def test_no_readme_keeps_raw_tex_in_the_terminal() -> None:
    """Every README, as the terminal prints it: no `$` maths and no TeX command left."""
    left: dict[str, list[str]] = {}
    for ex in default_catalog():
        out = unicode_maths(ex.readme_path.read_text(encoding="utf-8"))
        prose = re.sub(r"```.*?```|`[^`\n]*`|^    .*$", "", out, flags=re.S | re.M)
        raw = re.findall(r"\\(?:frac|sum|partial|text|hat|sigma|alpha|left|right)\b", prose)
        if raw or "$$" in prose:
            left[ex.id] = raw
    assert left == {}


def test_start_and_quiz_print_unicode_maths(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    out = run_cli("start", "softmax", home=tmp_path / "h")
    assert "∑ⱼ" in out.stdout and r"\frac" not in out.stdout and "$$" not in out.stdout
    # a quiz whose questions carry TeX, answered with nonsense: asked, never raw TeX
    quiz = run_cli("quiz", "losses", "--seed", "3", home=tmp_path / "h",
                   input="\n".join(["a"] * 40) + "\n")
    assert "\\hat" not in quiz.stdout and "\\frac" not in quiz.stdout, quiz.stdout
