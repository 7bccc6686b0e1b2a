"""A project reference's spread over seeds, beside the project's tolerance.

`deepcareer project verify` re-runs a run's code with a seed it draws, and verifies only
when the figure lands within the project's tolerance. So the tolerance has to cover how
far an honest solution moves from one seed to another, or honest runs fail verify by
luck. This runs the reference once per seed, each in a fresh process through the same
sandboxed runner a learner's file goes through (`deepcareer project run ID --reference
--seed S`), and prints each figure with how much training it did (epochs logged, the
last `step`), then the spread: the widest gap between two seeds, 2.5 standard deviations
of the difference of two seeds (the rule the accuracy projects' tolerances follow), and
whether the tolerance covers them. A run that trained less than the others (a loop that
stops on the clock, on a busy machine) is pointed out: its figure says more about the
machine than the seed.

Usage: python bench/reference_spread.py PROJECT [--seeds N] [--first S] [-e EXPERIMENT]
e.g.   python bench/reference_spread.py char-lstm --seeds 6
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _run(exe: str, project: str, seed: int, home: Path,
         experiments: list[str]) -> dict[str, object]:
    cmd = [exe, "project", "run", project, "--reference", "--seed", str(seed), "--json",
           "--home", str(home)]
    for name in experiments:
        cmd += ["-e", name]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode not in (0, 1):  # 1: the run did not pass, still a figure
        sys.exit(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    result: dict[str, object] = json.loads(done.stdout)
    return result


def _training(result: dict[str, object]) -> str:
    """Epochs logged and the last step of the main experiment, as "12 epochs, step 600"."""
    experiments = result.get("experiments") or []
    assert isinstance(experiments, list)
    if not experiments:
        return "-"
    from deepcareer.projects.report import training_done

    epochs, step = training_done(experiments[0].get("history") or [])
    return f"{epochs} epochs" + (f", step {step}" if step is not None else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project")
    parser.add_argument("--seeds", type=int, default=5, help="how many seeds (default 5)")
    parser.add_argument("--first", type=int, default=1, help="the first seed (default 1)")
    parser.add_argument("-e", "--experiment", action="append", default=[],
                        help="only this experiment (repeatable)")
    args = parser.parse_args()
    if args.seeds < 2:
        parser.error("--seeds must be at least 2: a spread needs two figures")
    from deepcareer.projects.spec import get_project

    project = get_project(args.project)
    exe = str(Path(sys.executable).with_name("deepcareer"))
    home = Path(tempfile.mkdtemp(prefix="deepcareer-spread-")) / "home"
    metric, tolerance = project.spec.metric, project.spec.tolerance
    print(f"{project.id}: the reference over {args.seeds} seeds ({metric}, "
          f"tolerance {tolerance:g}, bar {project.spec.threshold:g})")
    figures: dict[int, float] = {}
    trained: dict[int, str] = {}
    for seed in range(args.first, args.first + args.seeds):
        start = time.perf_counter()
        result = _run(exe, project.id, seed, home, args.experiment)
        value = result.get("metric")
        trained[seed] = _training(result)
        took = time.perf_counter() - start
        if not isinstance(value, (int, float)):
            print(f"  seed {seed:>4}: no figure ({result.get('status')}), {took:.0f} s")
            continue
        figures[seed] = float(value)
        print(f"  seed {seed:>4}: {value:.4f}  {'pass' if result.get('passed') else 'FAIL'}"
              f"  ({trained[seed]}; whole run {took:.0f} s)", flush=True)
    if len(figures) < 2:
        sys.exit("fewer than two seeds gave a figure: no spread to measure")
    values = list(figures.values())
    widest = max(abs(a - b) for a, b in itertools.combinations(values, 2))
    sd = statistics.stdev(values)
    rule = 2.5 * math.sqrt(2) * sd
    print(f"  range {min(values):.4f} to {max(values):.4f}; sd {sd:.4f}")
    print(f"  widest gap between two seeds {widest:.4f}; 2.5 sd of the difference of two "
          f"seeds {rule:.4f}")
    covered = "covers" if tolerance >= max(widest, rule) else "does NOT cover"
    print(f"  the tolerance {tolerance:g} {covered} them")
    if len(set(trained.values())) > 1:
        print("  the seeds did not all train as long: a loop that stops on the clock moves "
              "with the machine's load, not only with the seed")


if __name__ == "__main__":
    main()
