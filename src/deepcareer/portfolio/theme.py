"""The portfolio's colours, in one place, so a test can compute every contrast ratio.

WCAG 2 contrast: text needs 4.5:1 against its background, chart marks and other
non-text graphics 3:1 (success criteria 1.4.3 and 1.4.11). Plots keep a white
background in both modes, so the chart palette is checked against white.
"""

from __future__ import annotations

LIGHT = {"bg": "#ffffff", "fg": "#1b1b1f", "muted": "#4a4a55", "link": "#0b57d0",
         "accent": "#1f4e9c", "ok": "#1b6e3a", "warn": "#8a4b00", "border": "#8a8a96",
         "code_bg": "#f1f1f4"}
DARK = {"bg": "#15161a", "fg": "#ececf1", "muted": "#b8b8c4", "link": "#8ab4f8",
        "accent": "#a8c7fa", "ok": "#7fd49a", "warn": "#f3b868", "border": "#7a7a86",
        "code_bg": "#24252b"}
CHART_BG = "#ffffff"
PALETTE = ["#1f4e9c", "#b3261e", "#1b6e3a", "#6a3d9a", "#8a5a00", "#00687a"]
TEXT_PAIRS = [("fg", "bg"), ("muted", "bg"), ("link", "bg"), ("accent", "bg"), ("ok", "bg"),
              ("warn", "bg"), ("fg", "code_bg")]


def _channel(c: float) -> float:
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def contrast_problems() -> list[str]:
    out = []
    for name, theme in (("light", LIGHT), ("dark", DARK)):
        for fg, bg in TEXT_PAIRS:
            ratio = contrast(theme[fg], theme[bg])
            if ratio < 4.5:
                out.append(f"theme {name}: {fg} on {bg} is {ratio:.2f}:1, under 4.5:1")
        ratio = contrast(theme["border"], theme["bg"])
        if ratio < 3.0:
            out.append(f"theme {name}: border on bg is {ratio:.2f}:1, under 3:1")
    for colour in PALETTE:
        ratio = contrast(colour, CHART_BG)
        if ratio < 3.0:
            out.append(f"chart colour {colour} on {CHART_BG} is {ratio:.2f}:1, under 3:1")
    return out


def css() -> str:
    def block(theme: dict[str, str]) -> str:
        return "".join(f"--{k.replace('_', '-')}:{v};" for k, v in theme.items())

    return (
        f":root{{{block(LIGHT)}}}"
        f"@media (prefers-color-scheme:dark){{:root{{{block(DARK)}}}}}"
        "*{box-sizing:border-box}"
        "body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
        "line-height:1.55;color:var(--fg);background:var(--bg)}"
        "header,main,footer{max-width:52rem;margin:0 auto;padding:0 1rem}"
        "header{padding-top:1.2rem}nav ul{list-style:none;padding:0;display:flex;"
        "flex-wrap:wrap;gap:1rem}a{color:var(--link)}a:focus{outline:2px solid var(--accent)}"
        ".muted{color:var(--muted)}.ok{color:var(--ok)}.warn{color:var(--warn)}"
        "table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid var(--border);"
        "padding:.3rem .6rem;text-align:left}figure{margin:1.2rem 0}"
        "img{max-width:100%;height:auto;background:#fff}figcaption{color:var(--muted);"
        "font-size:.9rem}pre,code{background:var(--code-bg)}pre{padding:.6rem;"
        "white-space:pre-wrap;overflow-wrap:anywhere}.cards{display:grid;grid-template-columns:repeat(auto-fill,"
        "minmax(15rem,1fr));gap:1rem;padding:0;list-style:none}.cards li{border:1px solid "
        "var(--border);padding:.8rem;border-radius:.4rem}footer{margin-top:2rem;"
        "padding-bottom:2rem;font-size:.9rem;color:var(--muted)}"
        ".skip{position:absolute;left:-999px;top:0}.skip:focus{left:.5rem;z-index:10;"
        "background:var(--bg);padding:.3rem .6rem}"
        ".hero{padding:1.5rem 0 1rem;border-bottom:1px solid var(--border)}"
        ".hero h1{font-size:2.2rem;margin:.2rem 0}.headline{font-size:1.2rem;"
        "color:var(--accent);margin:.2rem 0 .8rem}"
        ".contact{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:1rem}"
        ".cards img.thumb{display:block;width:100%;height:auto;border-radius:.3rem;"
        "margin-bottom:.4rem}.cards h3{margin:.3rem 0}.metric{margin:.3rem 0}"
        ".preview{border:2px solid var(--warn);padding:.4rem 1rem;margin:0 auto;"
        "max-width:52rem;color:var(--fg);overflow-wrap:anywhere}"
    )
