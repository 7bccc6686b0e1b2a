"""Many writers into one home: checks per second, and no report without its attempt.

4 terminal processes (each running `deepcareer check softmax --file F --home H --json` in a
loop, through the installed console script) and 2 web clients (POST
/api/exercises/softmax/check on one `deepcareer serve`) check into one home for
``--seconds``. Before that, one terminal writer alone and then one web client alone run
into homes of their own, for the rates to compare with (measured in the same run, on the
same machine). A terminal check pays for a new process each time and a web check does not,
so each kind is compared with itself alone; the slowdown per writer together is the cost
of sharing the machine's cores and the database. Every report
shown (a CLI's JSON on stdout, a web response's JSON) must have its attempt in
`progress.db`: the counts must be equal, and no check may fail for any reason but the code.

Usage: python bench/concurrency.py [--seconds 60] [--solo-seconds N] [--wrong]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "src/deepcareer/content/exercises/fundamentals/softmax/solution.py"
WRONG = ("import numpy as np\n\n\ndef softmax(logits):\n"
         "    return np.exp(logits) / np.exp(logits).sum()\n")  # no max shift, wrong axis
TERMINALS = 4
WEB_CLIENTS = 2


def console_script() -> str:
    """The installed `deepcareer` next to this interpreter (the venv's), as a learner runs."""
    script = Path(sys.executable).parent / "deepcareer"
    if not script.exists():
        sys.exit(f"{script} is missing: run `make setup` first.")
    return str(script)


@dataclass
class Tally:
    """Reports shown and failures of one kind of writer (shared by its threads)."""

    shown: int = 0
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, ok: bool, detail: str = "") -> None:
        with self.lock:
            if ok:
                self.shown += 1
            else:
                self.failures.append(detail[:300])


def terminal_loop(code_file: Path, home: Path, until: float, tally: Tally) -> None:
    cmd = [console_script(), "check", "softmax", "--file", str(code_file), "--home", str(home),
           "--json"]
    while time.monotonic() < until:
        done = subprocess.run(cmd, capture_output=True, text=True)
        try:
            report = json.loads(done.stdout)
            tally.add(done.returncode in (0, 1) and "status" in report)
        except ValueError:
            tally.add(False, f"exit {done.returncode}: {done.stderr.strip()}")


def web_loop(base: str, token: str, code: str, until: float, tally: Tally) -> None:
    import httpx2 as httpx

    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                      timeout=120) as client:
        while time.monotonic() < until:
            response = client.post("/api/exercises/softmax/check", json={"code": code})
            ok = response.status_code == 200 and "status" in response.json()
            tally.add(ok, f"HTTP {response.status_code}: {response.text}")


def start_server(home: Path) -> tuple[subprocess.Popen[str], str, str]:
    proc = subprocess.Popen([console_script(), "serve", "--no-browser", "--port", "0",
                             "--home", str(home)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env={"COLUMNS": "400",
                                                                      "PATH": "/usr/bin:/bin"})
    assert proc.stdout is not None
    line = proc.stdout.readline()
    m = re.search(r"(http://127\.0\.0\.1:\d+)/\?token=([\w-]+)", line)
    if not m:
        proc.kill()
        sys.exit(f"`deepcareer serve` did not print its address: {line!r}")
    return proc, m.group(1), m.group(2)


def recorded(home: Path) -> int:
    with sqlite3.connect(home / "progress.db") as con:
        return int(con.execute("SELECT count(*) FROM attempts").fetchone()[0])


def run_phase(home: Path, code_file: Path, seconds: float, terminals: int,
              web_clients: int) -> tuple[Tally, Tally, float]:
    """Writers into ``home`` for ``seconds``; returns the tallies and the elapsed time."""
    term, web = Tally(), Tally()
    server = None
    threads = []
    if web_clients:
        server, base, token = start_server(home)
    try:
        start = time.monotonic()
        until = start + seconds
        for _ in range(terminals):
            threads.append(threading.Thread(target=terminal_loop,
                                            args=(code_file, home, until, term)))
        for _ in range(web_clients):
            threads.append(threading.Thread(target=web_loop, args=(
                base, token, code_file.read_text(), until, web)))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start  # the last check started before `until` ends
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    return term, web, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--solo-seconds", type=float, default=None,
                        help="how long each writer alone runs (default: a quarter of "
                        "--seconds, at least 5)")
    parser.add_argument("--wrong", action="store_true", help="check a wrong softmax (fail "
                        "reports with a diagnosis) instead of the reference")
    args = parser.parse_args()
    solo_seconds = args.solo_seconds or max(5.0, args.seconds / 4)

    work = Path(tempfile.mkdtemp(prefix="deepcareer-bench-concurrency-"))
    code_file = work / "softmax.py"
    code_file.write_text(WRONG if args.wrong else SOLUTION.read_text(), encoding="utf-8")
    homes = {name: work / name for name in ("terminal-alone", "web-alone", "together")}
    for home in homes.values():  # set up and warm (the first check fills caches)
        subprocess.run([console_script(), "check", "softmax", "--file", str(code_file),
                        "--home", str(home), "--json"], capture_output=True, check=False)
    base = {name: recorded(home) for name, home in homes.items()}

    print(f"one terminal writer alone for {solo_seconds:.0f} s ...", flush=True)
    term1, _, term1_s = run_phase(homes["terminal-alone"], code_file, solo_seconds, 1, 0)
    print(f"one web client alone for {solo_seconds:.0f} s ...", flush=True)
    _, web1, web1_s = run_phase(homes["web-alone"], code_file, solo_seconds, 0, 1)
    print(f"{TERMINALS} terminal writers + {WEB_CLIENTS} web clients together for "
          f"{args.seconds:.0f} s ...", flush=True)
    term, web, both_s = run_phase(homes["together"], code_file, args.seconds, TERMINALS,
                                  WEB_CLIENTS)

    t1, w1 = term1.shown / term1_s, web1.shown / web1_s
    t_each, w_each = term.shown / both_s / TERMINALS, web.shown / both_s / WEB_CLIENTS
    total = term.shown + web.shown
    print(f"\nalone:    one terminal writer {t1:5.2f} checks/s; one web client {w1:5.2f} "
          "checks/s")
    print(f"together: {total / both_s:5.2f} checks/s in all ({total} in {both_s:.1f} s) = "
          f"{total / both_s / t1:.2f}x one terminal writer alone")
    print(f"          each terminal writer {t_each:5.2f}/s ({t_each / t1:.2f}x alone), "
          f"each web client {w_each:5.2f}/s ({w_each / w1:.2f}x alone)")
    failures = term1.failures + web1.failures + term.failures + web.failures
    ok = True
    for name, shown in (("terminal-alone", term1.shown), ("web-alone", web1.shown),
                        ("together", total)):
        logged = recorded(homes[name]) - base[name]
        same = logged == shown
        ok &= same
        print(f"{name:15} reports shown {shown:4}, attempts recorded {logged:4}: "
              f"{'equal' if same else 'NOT EQUAL'}")
    damaged = [p for h in homes.values() for p in h.glob("progress.db.corrupt-*")]
    print(f"failed checks: {len(failures)}; files called damaged: {len(damaged)}")
    for detail in failures[:5]:
        print(f"  {detail}")
    if failures or damaged or not ok:
        sys.exit(f"homes kept for a look: {work}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
