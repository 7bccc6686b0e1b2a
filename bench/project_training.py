"""The cost of tracking and sandboxing a project run, and the reference results.

For the digits MLP (NumPy) and the MNIST-1D CNN (PyTorch) we time, interleaved in one
run and each in a fresh process, a tracked and sandboxed run through the library
(bench/_ours_reference.py: data, sandboxed child, event stream, evaluation, leakage checks,
baselines from the cache, the store write) against the peer: a plain script that builds
the same split (for the digits with scikit-learn's loader, as a plain script does; the
tool keeps the split in its home's cache), imports the same reference file and calls fit
and predict with no sandbox and no tracker (bench/_peer_reference.py). Prints the ratio
of medians (goal <= 1.10), and beside it the time each side spent on the data and what
the tool adds once that is set aside (its sandboxes, tracking and checks, in seconds);
the whole `deepcareer project run` command, with the command line's start-up, is timed
too and printed beside it, and so is the cost of the perturbed evaluation (predicting
noisy copies of the test rows, for fixed public data), with the wait for the replays
(half of the test rows predicted in a fresh sandbox from the saved model) and the search
for held-out rows in the file and the model. Then runs every MNIST-1D
experiment once and prints its accuracy beside the paper's Table 1, the char-LSTM's
bits per character, and the tiny GPT's beside the LSTM it is compared with.

Usage: python bench/project_training.py [--runs N] [--skip-lstm] [--skip-gpt]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import precompile

HERE = Path(__file__).resolve().parent


def _timed(cmd: list[str], expect: tuple[int, ...] = (0,)) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in expect:
        sys.exit(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return elapsed, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-lstm", action="store_true")
    parser.add_argument("--skip-gpt", action="store_true")
    args = parser.parse_args()
    precompile()
    from deepcareer.projects.spec import get_project

    exe = str(Path(sys.executable).with_name("deepcareer"))
    home = Path(tempfile.mkdtemp(prefix="deepcareer-bench-")) / "home"
    cases = [("digits-mlp", "digits", "model", []), ("mnist1d", "mnist1d", "cnn", ["-e", "cnn"])]
    for pid, dataset, variant, extra in cases:
        project = get_project(pid)
        cli_cmd = [exe, "project", "run", pid, "--reference", "--json", "--home", str(home),
                   *extra]
        ours_cmd = [sys.executable, str(HERE / "_ours_reference.py"), pid, str(home),
                    *extra[1:]]
        peer_cmd = [sys.executable, str(HERE / "_peer_reference.py"), str(project.reference),
                    dataset, variant, str(home)]
        _timed(cli_cmd)  # warm-up: generated data and baselines are cached per home
        ours, peer, cli, fit_s, train_s, accs, perturbed = [], [], [], [], [], [], []
        ours_data, peer_data = [], []
        replay_wait, scan, scan_wait = [], [], []
        for _ in range(args.runs):
            cli.append(_timed(cli_cmd)[0])
            t, out = _timed(ours_cmd)
            ours.append(t)
            result = json.loads(out)
            (exp,) = [e for e in result["experiments"] if e["name"] == variant]
            fit_s.append(exp["fit_s"])
            accs.append(exp["metric"])
            extra = exp.get("extra", {})
            timings = result["environment"].get("timings", {})
            replay_wait.append(timings.get("replay_wait_s", 0.0))
            ours_data.append(timings.get("data_s", 0.0))
            scan.append(timings.get("held_out_scan_s", 0.0))
            scan_wait.append(timings.get("held_out_scan_wait_s", 0.0))
            if "perturbed_predict_s" in extra:  # predict on the noisy copies, and making them
                perturbed.append(extra["perturbed_predict_s"]
                                 + extra.get("perturbed", {}).get("prepare_s", 0.0))
            t, out = _timed(peer_cmd)
            peer.append(t)
            train_s.append(json.loads(out)["train_s"])
            peer_data.append(json.loads(out)["data_s"])
        m_ours, m_peer = statistics.median(ours), statistics.median(peer)
        print(f"{pid} ({variant}): tracked and sandboxed {m_ours:.2f} s (training "
              f"{statistics.median(fit_s):.2f} s), plain script {m_peer:.2f} s (training "
              f"{statistics.median(train_s):.2f} s); "
              f"ratio {m_ours / m_peer:.2f} (goal <= 1.10); test accuracy "
              f"{statistics.median(accs):.1%}; the whole CLI command "
              f"{statistics.median(cli):.2f} s (ratio {statistics.median(cli) / m_peer:.2f})")
        d_ours, d_peer = statistics.median(ours_data), statistics.median(peer_data)
        added = (m_ours - d_ours) - (m_peer - d_peer)
        print(f"  building the data: {d_ours:.3f} s here, {d_peer:.3f} s in the plain script; "
              f"set aside, the sandboxes, tracking and checks add {added:+.2f} s "
              f"(ratio {(m_ours - d_ours) / (m_peer - d_peer):.2f} without the data)")
        print(f"  of which the perturbed evaluation (noisy copies of the test rows, made and "
              f"predicted): {statistics.median(perturbed):.3f} s" if perturbed else
              "  no perturbed evaluation (the held-out rows are generated with a secret seed)")
        print(f"  waiting for the replays (half of the test rows predicted in a fresh sandbox "
              f"from the saved model) after the run's child ended: "
              f"{statistics.median(replay_wait):.3f} s; looking for held-out rows in the "
              f"file and the model: {statistics.median(scan):.3f} s (in a thread while the "
              f"child trains; waited for after it: {statistics.median(scan_wait):.3f} s)")
    _, out = _timed([exe, "project", "run", "mnist1d", "--reference", "--json", "--home",
                     str(home)])
    result = json.loads(out)
    paper = get_project("mnist1d").spec.paper
    assert paper is not None
    print("MNIST-1D, reference vs the paper's Table 1 (test accuracy, %):")
    for e in result["experiments"]:
        row = paper.table.get(e["name"])
        theirs = f"{row.mean:g} +- {row.sd:g}" if row else "-"
        print(f"  {e['name']:<14} ours {100 * e['metric']:5.1f}   paper {theirs:<9}  "
              f"training {e['fit_s']:.1f} s")
    if not args.skip_lstm:
        t, out = _timed([exe, "project", "run", "char-lstm", "--reference", "--json", "--home",
                         str(home)])
        (e,) = json.loads(out)["experiments"]
        lstm_steps = _last(e, "step")
        print(f"char-lstm: {e['metric']:.3f} bits/char on held-out files after "
              f"{e['fit_s']:.1f} s of training, {lstm_steps} updates (goal < 2.3 in 600 "
              f"updates, about a minute); whole run {t:.1f} s")
    if not args.skip_gpt:
        _tiny_gpt(exe, home)


def _last(experiment: dict, key: str) -> object:
    """The last logged value of ``key`` in an experiment's history ("?" if none)."""
    rows = [row[key] for row in experiment.get("history", []) if key in row]
    return rows[-1] if rows else "?"


def _tiny_gpt(exe: str, home: Path) -> None:
    """The tiny GPT and the LSTM trained in one run on the same budget (the same number of
    updates of 2,048 characters), printed side by side with the time each took and its
    cost per update, so a figure measured on a busy machine can be scaled to an idle one."""
    load = os.getloadavg()
    t, out = _timed([exe, "project", "run", "tiny-gpt", "--reference", "--json", "--home",
                     str(home)], expect=(0, 1))
    result = json.loads(out)
    print(f"tiny-gpt (load average {load[0]:.1f} before, {os.getloadavg()[0]:.1f} after, "
          f"{os.cpu_count()} CPUs): {result['status']}, whole run {t:.1f} s")
    for e in result["experiments"]:
        steps, seconds, cpu = _last(e, "step"), _last(e, "seconds"), _last(e, "cpu_s")
        per_step = ""
        if isinstance(steps, int) and steps and isinstance(seconds, float) and isinstance(
                cpu, float):
            # Two threads: an idle machine takes between half the CPU time and all of it.
            per_step = (f"{1000 * seconds / steps:.0f} ms per update on the clock, "
                        f"{1000 * cpu / steps:.0f} ms of CPU: {cpu / 2:.0f} to {cpu:.0f} s "
                        "on two idle cores")
        metric = "-" if e["metric"] is None else f"{e['metric']:.3f}"
        print(f"  {e['name']:<5} {metric} bits/char held-out; {steps} updates in "
              f"{e['fit_s'] or 0:.1f} s of training ({per_step})")
    by_name = {e["name"]: e["metric"] for e in result["experiments"]}
    if by_name.get("gpt") is not None and by_name.get("lstm") is not None:
        print(f"  the GPT is {by_name['lstm'] - by_name['gpt']:+.3f} bits/char better than "
              "the LSTM on the same budget")


if __name__ == "__main__":
    main()
