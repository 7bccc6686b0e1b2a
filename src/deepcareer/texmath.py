"""TeX maths as Unicode text, for the terminal: ``$\\frac{e^{z_i}}{\\sum_j e^{z_j}}$``
reads ``e^(z_i)/∑ⱼ e^(z_j)`` rather than as raw TeX.

The browser and the portfolio typeset the same sources with KaTeX; a terminal cannot, so
this renders the subset our READMEs and quizzes use (Greek letters, operators, arrows,
fractions, roots, accents, sub- and superscripts, ``\\text``, ``\\left``/``\\right``) and
leaves anything it does not know readable: an unknown command is printed without its
backslash. Pure functions, no dependencies: the CLI starts fast.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["tex_to_unicode", "unicode_maths"]

SYMBOLS = {
    # Greek
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ",
    "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ",
    "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω", "ell": "ℓ",
    # operators and relations
    "sum": "∑", "prod": "∏", "int": "∫", "partial": "∂", "nabla": "∇", "infty": "∞",
    "cdot": "·", "times": "×", "div": "÷", "pm": "±", "mp": "∓", "odot": "⊙",
    "otimes": "⊗", "oplus": "⊕", "circ": "∘", "ast": "∗", "star": "⋆",
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈",
    "sim": "∼", "simeq": "≃", "equiv": "≡", "propto": "∝", "ll": "≪", "gg": "≫",
    "in": "∈", "notin": "∉", "subset": "⊂", "subseteq": "⊆", "cup": "∪", "cap": "∩",
    "forall": "∀", "exists": "∃", "neg": "¬", "land": "∧", "lor": "∨", "emptyset": "∅",
    "to": "→", "rightarrow": "→", "leftarrow": "←", "gets": "←", "Rightarrow": "⇒",
    "Leftarrow": "⇐", "iff": "⟺", "implies": "⟹", "mapsto": "↦", "leftrightarrow": "↔",
    "ldots": "…", "cdots": "⋯", "dots": "…", "vdots": "⋮", "ddots": "⋱",
    "langle": "⟨", "rangle": "⟩", "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈",
    "rceil": "⌉", "lVert": "‖", "rVert": "‖", "Vert": "‖", "|": "‖", "lvert": "|",
    "rvert": "|", "vert": "|", "lbrace": "{", "rbrace": "}", "{": "{", "}": "}",
    "top": "ᵀ", "intercal": "ᵀ", "prime": "′", "dagger": "†", "angle": "∠",
    # spacing
    "quad": "  ", "qquad": "    ", ",": " ", ";": " ", ":": " ", "!": "", " ": " ",
    "%": "%", "$": "$", "_": "_", "&": "&", "#": "#",
}
# Named functions print as their name (upright in TeX).
NAMES = {"log", "ln", "exp", "sin", "cos", "tan", "tanh", "sinh", "cosh", "max", "min",
         "arg", "argmax", "argmin", "det", "sup", "inf", "lim", "softmax", "sign", "diag",
         "Pr", "mod", "var", "Var", "E", "trace", "tr"}
ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0305",
           "tilde": "\u0303", "widetilde": "\u0303", "vec": "\u20d7", "dot": "\u0307",
           "ddot": "\u0308"}
BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ",
              "1": "𝟙"}
TEXT_COMMANDS = {"text", "mathrm", "textrm", "operatorname", "mathit", "mathbf",
                 "boldsymbol", "mathsf", "mathtt", "textbf", "textit", "mathcal"}
DROPPED = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
           "displaystyle", "limits", "nolimits", "mathstrut"}
SUB = dict(zip("0123456789+-=()aehijklmnoprstuvx",
               "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True))
SUP = dict(zip("0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW",
               "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ",
               strict=True))
SUP.update({"ᵀ": "ᵀ", "′": "′", "*": "*", "∗": "*"})


class _Reader:
    """A cursor over one formula's source."""

    def __init__(self, source: str) -> None:
        self.s = source
        self.i = 0

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def take(self) -> str:
        c = self.peek()
        self.i += 1
        return c

    def command(self) -> str:
        """The name after a backslash: letters, or one symbol."""
        start = self.i
        while self.peek().isalpha():
            self.i += 1
        if self.i == start:
            return self.take()
        return self.s[start:self.i]

    def group(self) -> str:
        """The raw source of the next argument: ``{...}`` or one token."""
        while self.peek() == " ":
            self.i += 1
        c = self.take()
        if c == "{":
            depth, start = 1, self.i
            while self.i < len(self.s):
                ch = self.take()
                if ch == "\\":
                    self.i += 1
                elif ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                    if depth == 0:
                        return self.s[start:self.i - 1]
            return self.s[start:]
        if c == "\\":
            return "\\" + self.command()
        return c


def tex_to_unicode(source: str) -> str:
    """One formula (without its ``$`` delimiters) as Unicode text."""
    # NFC: a letter and its combining accent become one character where Unicode has it
    return unicodedata.normalize("NFC", _render(_Reader(source))).strip()


def _render(r: _Reader) -> str:
    out: list[str] = []
    while r.i < len(r.s):
        c = r.take()
        if c == "\\":
            out.append(_command(r, r.command()))
        elif c in "_^":
            out.append(_script(tex_to_unicode(r.group()), SUB if c == "_" else SUP, c))
        elif c == "{":
            r.i -= 1
            out.append(tex_to_unicode(r.group()))
        elif c == "}":
            continue
        elif c == "~":
            out.append(" ")
        else:
            out.append(c)
    return "".join(out)


def _command(r: _Reader, name: str) -> str:
    if name == "frac" or name in ("dfrac", "tfrac"):
        top, bottom = tex_to_unicode(r.group()), tex_to_unicode(r.group())
        return f"{_wrap(top)}/{_wrap(bottom)}"
    if name == "sqrt":
        return "√" + _wrap(tex_to_unicode(r.group()))
    if name in ACCENTS:
        body = tex_to_unicode(r.group())
        return body + ACCENTS[name] if len(body) == 1 else f"{body}{ACCENTS[name]}"
    if name == "mathbb":
        body = r.group()
        return "".join(BLACKBOARD.get(ch, ch) for ch in body)
    if name in TEXT_COMMANDS:
        body = r.group()
        return body if name in ("text", "textrm", "textbf", "textit") else \
            tex_to_unicode(body)
    if name in DROPPED:
        return ""
    if name in SYMBOLS:
        return SYMBOLS[name]
    if name in NAMES:
        return name
    return name  # unknown: readable without its backslash


def _wrap(text: str) -> str:
    """Parentheses around a fraction's part unless it is one symbol or already grouped."""
    bare = text.strip()
    if len(bare) <= 1 or re.fullmatch(r"[\w.′]+", bare) or (
            bare.startswith("(") and bare.endswith(")") and bare.count("(") == 1):
        return bare
    return f"({bare})"


def _script(text: str, table: dict[str, str], mark: str) -> str:
    """Sub- or superscript characters when Unicode has every one, else ``_(...)``/``^(...)``."""
    if text == "ᵀ" or text == "′":
        return text
    if text and all(ch in table for ch in text):
        return "".join(table[ch] for ch in text)
    grouped = len(text) <= 1 or (text.startswith("(") and text.endswith(")")
                                 and text.count("(") == 1)
    return f"{mark}{text}" if grouped else f"{mark}({text})"


# $$...$$ first, then $...$ whose content neither starts nor ends with a space (so "costs
# $5 and $6" stays prose), never a \$; code spans and fenced blocks are left alone.
_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE = re.compile(r"(?<![\\$])\$(?![\s$])((?:\\.|[^$\\])+?)(?<!\s)\$(?!\$)")
_CODE = re.compile(r"(^```.*?^```[ \t]*$|`[^`\n]*`)", re.S | re.M)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#])")


def unicode_maths(text: str, *, markdown: bool = False) -> str:
    """Every ``$...$`` and ``$$...$$`` in ``text`` as Unicode. With ``markdown``, the
    result is escaped so a Markdown renderer prints it as written (a subscript's ``_``
    or a product's ``*`` never becomes emphasis), and display maths gets its own line."""
    def display(m: re.Match[str]) -> str:
        body = tex_to_unicode(m.group(1))
        return f"\n\n{_escape(body, markdown)}\n\n" if markdown else body

    def inline(m: re.Match[str]) -> str:
        return _escape(tex_to_unicode(m.group(1)), markdown)

    parts = _CODE.split(text)
    for n in range(0, len(parts), 2):  # the even parts are outside code
        parts[n] = _INLINE.sub(inline, _DISPLAY.sub(display, parts[n]))
    return "".join(parts)


def _escape(text: str, markdown: bool) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text) if markdown else text
