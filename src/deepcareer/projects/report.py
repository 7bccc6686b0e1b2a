"""A project run's report: Markdown and HTML, with learning curves and a confusion matrix.

Every number comes from the stored run, so a figure in a report (and later on the
portfolio) is one a run produced. Plots are saved as PNG (for the HTML, the portfolio and
the web app) and SVG (for print).
"""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

from deepcareer.projects.baselines import NAMES as BASELINE_NAMES
from deepcareer.projects.runs import RunResult, Tries
from deepcareer.projects.spec import Project

STATUS_WORDS = {"pass": "PASS", "fail": "NOT YET", "leak": "LEAK", "error": "ERROR",
                "timeout": "TIMEOUT"}


def report_dir(home: Path, project_id: str) -> Path:
    return home / "reports" / "projects" / project_id


def fmt(metric: str, value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1%}" if metric == "accuracy" else f"{value:.3f} bits/char"


def reproduce_command(project: Project, run: RunResult) -> str:
    return f"deepcareer project run {project.id} --seed {run.seed}"


def training_done(history: list[dict[str, Any]]) -> tuple[int, int | None]:
    """Epochs logged and, when the code logs it, the last ``step``: how much training a
    run of the learner's loop did, read from what it logged (a run's history, or the
    same list in its JSON)."""
    last = history[-1].get("step") if history else None
    return len(history), last if isinstance(last, int) else None


def _at(step: int | None) -> str:
    return f" (step {step})" if step is not None else ""


def training_gap(run: RunResult, rerun: RunResult) -> str:
    """Where the re-run trained for a different number of epochs or updates than the run
    it re-ran (the same code: most often a loop that stops on the clock), say so, e.g. "run #3
    logged 13 epochs (step 640), re-run #4 logged 9 (step 450)"; "" when they match."""
    again = {e.name: e for e in rerun.experiments}
    for exp in run.experiments:
        other = again.get(exp.name)
        if other is None or not exp.history or not other.history:
            continue
        (epochs, step), (epochs2, step2) = (training_done(exp.history),
                                            training_done(other.history))
        if (epochs, step) != (epochs2, step2):
            where = f"in {exp.name}, " if len(run.experiments) > 1 else ""
            return (f"{where}run #{run.id} logged {epochs} epochs{_at(step)}, re-run "
                    f"#{rerun.id} logged {epochs2}{_at(step2)}")
    return ""


def verification(project: Project, run: RunResult, rerun: RunResult | None) -> str:
    if run.verified_by is not None and rerun is not None:
        return (f"Verified: re-run #{rerun.id} of the same code with seed {rerun.seed}, "
                f"drawn by deepcareer, gave {fmt(project.spec.metric, rerun.metric)} "
                f"(tolerance {project.spec.tolerance:g}).")
    if rerun is not None:
        head = f"Not reproduced: re-run #{rerun.id} with seed {rerun.seed}, drawn by deepcareer,"
        tail = " A run gets one verification: fix that, make a new run and verify that."
        if rerun.status in ("leak", "error", "timeout"):
            # Not a question of the seed: say what the re-run ran into.
            return (f"{head} ended {STATUS_WORDS.get(rerun.status, rerun.status)}: "
                    f"{rerun.message}{tail}")
        got = fmt(project.spec.metric, rerun.metric)
        close = (rerun.metric is not None and run.metric is not None
                 and abs(rerun.metric - run.metric) <= project.spec.tolerance)
        if close:  # the figure held; something else stopped the re-run from passing
            return (f"{head} gave {got}, within the tolerance of this run's "
                    f"{fmt(project.spec.metric, run.metric)}, but did not pass: "
                    f"{rerun.message}{tail}")
        shorter = training_gap(run, rerun)
        if shorter:  # the clock, not the seed, moved the figure
            return (f"{head} gave {got} (tolerance {project.spec.tolerance:g}), and the "
                    f"two did not train as long: {shorter}. If your loop stops on the clock, "
                    "it trains less on a busier machine and its figure moves with the "
                    "load: train for a fixed number of updates and keep the clock as a "
                    "ceiling only (see the README). A run gets one verification: make a "
                    "new run and verify that.")
        return (f"{head} gave {got} (tolerance {project.spec.tolerance:g}). A run "
                "gets one verification: make the result hold for any seed (see the "
                "README), make a new run and verify that.")
    if not run.passed:
        return "Not verified: only a passing run can be."
    return f"Not yet reproduced: run `deepcareer project verify {project.id}`."


def report_data(project: Project, run: RunResult, rerun: RunResult | None = None,
                tries: Tries | None = None) -> dict[str, Any]:
    """Everything the report shows; ``tries`` counts every run of the project, shown
    beside this one so a lucky run cannot stand alone."""
    spec = project.spec
    rows = [{"experiment": e.name, "model": e.variant, "data": e.data, "status": e.status,
             "metric": e.metric, "fit_s": e.fit_s, "log_loss": _number(e.extra, "log_loss"),
             "perturbed": _number(e.extra.get("perturbed"), "accuracy")}
            for e in run.experiments]
    paper = []
    if spec.paper:
        for name, row in spec.paper.table.items():
            ours = run.experiment(name)
            paper.append({"experiment": name, "paper_mean": row.mean, "paper_sd": row.sd,
                          "ours": None if ours is None or ours.metric is None
                          else round(100 * ours.metric, 1)})
    return {"project": project.id, "title": spec.title, "run": run.id, "seed": run.seed,
            "status": run.status, "message": run.message, "metric": spec.metric,
            "value": run.metric, "threshold": spec.threshold,
            "verified": run.verified_by is not None,
            "verification": verification(project, run, rerun),
            "tries": tries.text(run.id, run.verified_by is not None) if tries else "",
            "runs_total": tries.runs if tries else None,
            "runs_passed": tries.passed if tries else None,
            "experiments": rows, "baselines": run.baselines, "paper": paper,
            "checks": run.checks, "dataset": run.dataset,
            "environment": run.environment, "code_sha256": run.code_sha256,
            "reproduce": reproduce_command(project, run),
            "samples": _samples(run)}


def _samples(run: RunResult) -> dict[str, str]:
    """Each experiment's sample, and the same model's samples at other temperatures."""
    out: dict[str, str] = {}
    for e in run.experiments:
        if e.sample:
            out[e.name] = e.sample
        at = e.extra.get("samples")
        for temperature, text in (at.items() if isinstance(at, dict) else ()):
            if isinstance(text, str):
                out[f"{e.name}, temperature {temperature}"] = text
    return out


def _number(found: Any, key: str) -> float | None:
    """``found[key]`` when it is a number (stored results may come from older versions)."""
    value = found.get(key) if isinstance(found, dict) else None
    return float(value) if isinstance(value, int | float) else None


def data_notes(dataset: dict[str, Any]) -> list[str]:
    """What was left out of the learner's own data, each named: columns dropped, rows
    skipped (the first ones by line, with the reason), rows past the row limit."""
    notes = []
    dropped = dataset.get("dropped_columns") or []
    if dropped:
        notes.append(f"Columns left out: {'; '.join(str(c) for c in dropped)}.")
    skipped = dataset.get("skipped_rows") or 0
    if skipped:
        named = [str(r) for r in dataset.get("skipped_examples") or []]
        more = skipped - len(named)
        notes.append(f"Rows skipped: {skipped} ({'; '.join(named)}"
                     + (f"; and {more} more" if more > 0 else "") + ").")
    beyond = dataset.get("rows_beyond_limit") or 0
    if beyond:
        notes.append(f"Only the first {dataset.get('row_limit')} usable rows were read; "
                     f"{beyond} rows after them were not used (a sample that large is "
                     "enough for this project; shuffle the file if its order matters).")
    return notes


def plot_curves(run: RunResult, folder: Path) -> list[Path]:
    """Loss (and any other logged figure) per epoch, one line per experiment."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = sorted({k for e in run.experiments for row in e.history for k in row
                   if k != "epoch" and isinstance(row[k], int | float)})
    if not keys:
        return []
    keys = (["loss"] if "loss" in keys else []) + [k for k in keys if k != "loss"][:2]
    fig, axes = plt.subplots(1, len(keys), figsize=(4.2 * len(keys), 3.4), dpi=100,
                             squeeze=False)
    for ax, key in zip(axes[0], keys, strict=True):
        for e in run.experiments:
            points = [(r.get("epoch", i), r[key]) for i, r in enumerate(e.history)
                      if isinstance(r.get(key), int | float)]
            if points:
                ax.plot([p[0] for p in points], [p[1] for p in points], label=e.name,
                        linewidth=1.5)
        ax.set_xlabel("epoch")
        ax.set_ylabel(key.replace("_", " "))
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.suptitle("Learning curves")
    fig.tight_layout()
    return _save(fig, folder / "learning_curves")


def plot_confusion(run: RunResult, main: str, classes: list[str], folder: Path) -> list[Path]:
    exp = run.experiment(main)
    if exp is None or "confusion" not in exp.extra:
        return []
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    cm = np.asarray(exp.extra["confusion"])
    size = 3.2 + 0.3 * len(cm)
    fig, ax = plt.subplots(figsize=(size, size), dpi=100)
    ax.imshow(cm, cmap="Blues")
    for (i, j), v in np.ndenumerate(cm):
        if v:
            ax.text(j, i, str(v), ha="center", va="center", fontsize=8,
                    color="white" if v > cm.max() / 2 else "black")
    labels = classes if len(classes) == len(cm) else [str(i) for i in range(len(cm))]
    ax.set_xticks(range(len(cm)), labels, rotation=45 if len(cm) > 10 else 0)
    ax.set_yticks(range(len(cm)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"Confusion matrix ({main})")
    fig.tight_layout()
    return _save(fig, folder / "confusion")


def _save(fig: Any, stem: Path) -> list[Path]:
    import matplotlib.pyplot as plt

    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    for path in paths:
        fig.savefig(path)
    plt.close(fig)
    return paths


def write_report(home: Path, project: Project, run: RunResult,
                 rerun: RunResult | None = None, tries: Tries | None = None
                 ) -> dict[str, Path]:
    """Write report.md, report.html and the plots; return their paths."""
    folder = report_dir(home, project.id)
    folder.mkdir(parents=True, exist_ok=True)
    data = report_data(project, run, rerun, tries)
    images = plot_curves(run, folder)
    images += plot_confusion(run, project.spec.main, run.dataset.get("classes", []), folder)
    pngs = [p for p in images if p.suffix == ".png"]
    md = folder / "report.md"
    md.write_text(to_markdown(project, data, pngs), encoding="utf-8")
    page = folder / "report.html"
    page.write_text(to_html(project, data, pngs), encoding="utf-8")
    return {"markdown": md, "html": page, **{p.stem: p for p in pngs}}


def _tables(project: Project, data: dict[str, Any]) -> list[tuple[str, list[str],
                                                                   list[list[str]]]]:
    metric = data["metric"]
    # Log-loss (when predict returned probabilities) and the accuracy on the noisy copies
    # of the test rows (fixed public data), as columns when some experiment has them.
    optional = [(key, title) for key, title in (("log_loss", "Log-loss"),
                                                ("perturbed", "On noisy copies"))
                if any(r.get(key) is not None for r in data["experiments"])]
    out = [("Results", ["Experiment", "Model", "Data", "Result", "Training time",
                        *(title for _, title in optional)],
            [[r["experiment"], r["model"], r["data"],
              fmt(metric, r["metric"]) if r["status"] == "ok" else r["status"],
              f"{r['fit_s']:.1f} s" if r["fit_s"] is not None else "-",
              *(("-" if r.get(key) is None else f"{r[key]:.3f}" if key == "log_loss"
                 else fmt(metric, r[key])) for key, _ in optional)]
             for r in data["experiments"]])]
    if data["baselines"]:
        main = project.spec.main
        rows = [[BASELINE_NAMES.get(k, k), fmt(metric, v)] for k, v in data["baselines"].items()]
        rows.append([f"Your model ({main})", fmt(metric, data["value"])])
        out.append(("Baselines beside your model", ["Model", "Test result"], rows))
    if data["paper"]:
        rows = [[p["experiment"],
                 f"{p['ours']:.1f}" if p["ours"] is not None else "-",
                 f"{p['paper_mean']:g} ± {p['paper_sd']:g}"] for p in data["paper"]]
        out.append(("Beside the paper", ["Model", "Yours (%)", "Paper (%)"], rows))
    return out


def _shuffle_note(data: dict[str, Any]) -> str:
    by = {r["experiment"]: r["metric"] for r in data["experiments"]}
    parts = []
    for model in ("cnn", "mlp"):
        plain, mixed = by.get(model), by.get(f"{model}-shuffled")
        if plain is not None and mixed is not None:
            parts.append(f"{model.upper()}: {plain:.1%} in order, {mixed:.1%} shuffled "
                         f"({100 * (mixed - plain):+.1f} points)")
    if not parts:
        return ""
    return ("Shuffling the positions (one fixed permutation for every signal) removes "
            "locality. " + "; ".join(parts) + ". A model with a convolution's locality and "
            "weight sharing should lose much more than one that treats positions as "
            "unrelated features.")


def to_markdown(project: Project, data: dict[str, Any], pngs: list[Path]) -> str:
    spec = project.spec
    lines = [f"# {spec.title}: run #{data['run']}", "",
             f"**{STATUS_WORDS.get(data['status'], data['status'])}**: {data['message']}", "",
             data["verification"], *(["", data["tries"]] if data["tries"] else []),
             "", "## Data", "",
             f"{spec.dataset.source}. Licence: {spec.dataset.licence}."]
    if spec.dataset.citation:
        lines += ["", f"Citation: {spec.dataset.citation}"]
    ds = data["dataset"]
    lines += ["", f"{ds.get('n_train', '?')} training and {ds.get('n_test', '?')} held-out "
              "examples; the held-out labels never entered the training process."]
    lines += [line for note in data_notes(ds) for line in ("", note)]
    for title, header, rows in _tables(project, data):
        lines += ["", f"## {title}", "", "| " + " | ".join(header) + " |",
                  "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
    if spec.paper:
        lines += ["", f"Paper: {spec.paper.citation} ({spec.paper.link}). {spec.paper.note}"]
    note = _shuffle_note(data)
    if note:
        lines += ["", "## The shuffled-sequence experiment", "", note]
    for png in pngs:
        lines += ["", f"![{png.stem.replace('_', ' ')}]({png.name})"]
    for name, text in data["samples"].items():
        lines += ["", f"## Sample ({name})", "", "```", text[:1500], "```"]
    lines += ["", "## Checks", ""]
    lines += [f"- **{c['check']}** ({c['severity']}): {c['message']}" for c in data["checks"]]
    if not data["checks"]:
        lines.append("- No leak, no NaN, no divergence found.")
    env = data["environment"]
    packages = ", ".join(f"{k} {v}" for k, v in sorted(env.get("packages", {}).items()))
    lines += ["", "## Reproduce", "", f"    {data['reproduce']}", "",
              f"Code sha256 `{data['code_sha256'][:16]}`; Python {env.get('python')} on "
              f"{env.get('machine')} with {env.get('cpus')} CPUs; {packages}."]
    return "\n".join(lines) + "\n"


def to_html(project: Project, data: dict[str, Any], pngs: list[Path]) -> str:
    """One self-contained page (plots inlined), readable in light and dark mode."""
    e = html.escape
    spec = project.spec
    parts = [f"<h1>{e(spec.title)}: run #{data['run']}</h1>",
             f"<p><strong>{e(STATUS_WORDS.get(data['status'], data['status']))}</strong>: "
             f"{e(data['message'])}</p>", f"<p>{e(data['verification'])}</p>",
             f"<p>{e(data['tries'])}</p>" if data["tries"] else "",
             "<h2>Data</h2>",
             f"<p>{e(spec.dataset.source)}. Licence: {e(spec.dataset.licence)}.</p>"]
    if spec.dataset.citation:
        parts.append(f"<p>Citation: {e(spec.dataset.citation)}</p>")
    parts += [f"<p>{e(note)}</p>" for note in data_notes(data["dataset"])]
    for title, header, rows in _tables(project, data):
        parts.append(f"<h2>{e(title)}</h2><table><thead><tr>"
                     + "".join(f"<th scope=\"col\">{e(h)}</th>" for h in header)
                     + "</tr></thead><tbody>"
                     + "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>"
                               for r in rows) + "</tbody></table>")
    if spec.paper:
        parts.append(f"<p>Paper: {e(spec.paper.citation)} "
                     f"(<a href=\"{e(spec.paper.link)}\">{e(spec.paper.link)}</a>). "
                     f"{e(spec.paper.note)}</p>")
    note = _shuffle_note(data)
    if note:
        parts.append(f"<h2>The shuffled-sequence experiment</h2><p>{e(note)}</p>")
    for png in pngs:
        b64 = base64.b64encode(png.read_bytes()).decode()
        label = png.stem.replace("_", " ")
        parts.append(f"<figure><img src=\"data:image/png;base64,{b64}\" alt=\"{e(label)} of "
                     f"run {data['run']}\"><figcaption>{e(label.capitalize())}</figcaption>"
                     "</figure>")
    for name, text in data["samples"].items():
        parts.append(f"<h2>Sample ({e(name)})</h2><pre>{e(text[:1500])}</pre>")
    parts.append("<h2>Checks</h2><ul>" + ("".join(
        f"<li><strong>{e(c['check'])}</strong> ({e(c['severity'])}): {e(c['message'])}</li>"
        for c in data["checks"]) or "<li>No leak, no NaN, no divergence found.</li>")
        + "</ul>")
    env = data["environment"]
    packages = ", ".join(f"{k} {v}" for k, v in sorted(env.get("packages", {}).items()))
    parts.append(f"<h2>Reproduce</h2><pre>{e(data['reproduce'])}</pre><p>Code sha256 "
                 f"<code>{e(data['code_sha256'][:16])}</code>; Python "
                 f"{e(str(env.get('python')))} on {e(str(env.get('machine')))} with "
                 f"{e(str(env.get('cpus')))} CPUs; {e(packages)}.</p>")
    style = ("body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;"
             "padding:0 1rem;line-height:1.5;color:#1a1a1a;background:#fff}"
             "table{border-collapse:collapse}td,th{border:1px solid #888;padding:.3rem .6rem;"
             "text-align:left}img{max-width:100%;background:#fff}pre{overflow-x:auto;"
             "background:#f2f2f2;padding:.6rem}a{color:#0b57d0}"
             "@media (prefers-color-scheme:dark){body{color:#eee;background:#161616}"
             "pre{background:#2a2a2a}a{color:#8ab4f8}}")
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{e(spec.title)}: run {data['run']}</title><style>{style}</style></head>"
            f"<body><main>{''.join(parts)}</main></body></html>\n")
