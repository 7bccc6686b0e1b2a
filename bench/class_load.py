"""The class server under a burst: simulated learners against the raw sandbox's ceiling.

Starts private PostgreSQL and Redis, the server (``deepcareer server run``, its own process,
sweeper included) and a grading worker (``deepcareer server worker --concurrency W``: W pool
processes, each keeping its warm sandboxed children), exactly as an operator runs them. Then
N simulated learners (asyncio clients over loopback, each with its API token) each submit S
files at once, a mix of right and wrong softmax solutions, and poll for their reports.

Printed, all from one run:
- throughput in checks per second beside the raw throughput of the same sandbox on this
  machine without server, queue or database: W processes, each in the same warm pool the
  worker uses (``practice.warm``), grading the same mix with the same grader and nothing
  else (the ceiling). The raw figure is measured before and after the burst and averaged,
  because the machine is shared and its load drifts; both sides get the same warm-up;
- CPU seconds per check spent outside the sandboxed children (which cost the same on both
  sides), raw against the class server, by part (workers, web server, PostgreSQL, Redis,
  and the simulated clients, which stand for the learners' own machines): what the server
  adds to a check, a figure the machine's other load hardly moves;
- p50/p95 from submit to report (the client's send time to the report's ``graded_at``, the
  same clock on loopback), and how many submissions were lost or graded twice.
Then the dashboard of a cohort of L learners with M graded submissions (rows written
directly): p95 of the page's time over 21 loads.

Clients wait for their reports as ``deepcareer submit`` does: each request holds until the
grade is written (``GET /api/submissions/ID?wait=55``, woken by the grade's notice), so a
learner who sent five files waits for the last one's report in a request or a few, then
collects the earlier ones. ``--poll`` instead polls with a back-off (0.5 s, doubling up to
``--poll-max``, 30 s), for servers without the held request; the web server's CPU per
request is printed, so other patterns can be costed.

Goals (issue 18, on this 2-core machine): 1,000 learners x 5 submissions, 0 lost, 0
duplicated, throughput >= 0.8x the raw sandbox; the dashboard of 1,000 learners with 100,000
submissions at p95 <= 200 ms. The defaults are smaller so a run takes a few minutes; the
goal's sizes (about 15 minutes here):

    python bench/class_load.py --learners 1000 --submissions 5 \\
        --dash-learners 1000 --dash-submissions 100000

``--workers 1`` against ``--workers 2`` shows how grading scales with pool processes.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

RIGHT = """import numpy as np


def softmax(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
"""
WRONG = RIGHT.replace("logits - logits.max(axis=-1, keepdims=True)", "logits")
PASSWORD = "bench-password-123"
TICK = os.sysconf("SC_CLK_TCK")


def _code(i: int) -> str:
    # A comment makes each file distinct, as real learners' files are.
    return (RIGHT if i % 3 else WRONG) + f"\n# {i}\n"


def _uptime() -> str:
    return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- CPU accounting ---------------------------------------------------------------
# Each check's sandboxed child costs the same on both sides and is killed as soon as it has
# answered (before its sandbox can be reaped in order), so its CPU is not reliably counted
# anywhere: the figures are the CPU spent *outside* the sandboxes, which is exactly what the
# server, the queue and the database add to a check.


def _stat(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def _tree_cpu(root: int, reaped: bool = False) -> float:
    """CPU seconds of a process tree outside the sandboxes (``bwrap`` and below): each
    member's own time, and with ``reaped`` the time of children it waited for (PostgreSQL's
    backends, which come and go)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                comm = (entry / "comm").read_text().strip()
                fields = _stat(int(entry.name))
                if fields and comm != "bwrap":
                    parents[int(entry.name)] = int(fields[1])
            except (OSError, ValueError):
                continue
    members, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in members:
                members.add(child)
                frontier.append(child)
    total = 0
    for pid in members:
        fields = _stat(pid)
        if fields:
            total += sum(int(f) for f in fields[11:15 if reaped else 13])
    return total / TICK


def _pid_listening(name: str, port: int) -> int | None:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if name in cmd and f":{port}" in cmd:
                return int(entry.name)
    return None


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- the raw sandbox ----------------------------------------------------------------

_WARM: dict[str, Any] = {}


def _warm_process() -> None:
    """A pool process of the raw side: the same warm sandbox the worker keeps
    (``practice.warm``, as ``server.queue`` enters it), and one check to load the grader."""
    from deepcareer.app import practice

    _WARM["warm"] = practice.warm()
    _WARM["warm"].__enter__()
    _grade_one(0)


def _grade_one(i: int) -> str:
    from deepcareer.curriculum.catalog import default_catalog
    from deepcareer.grading.grader import grade

    return grade(default_catalog().get("softmax"), _code(i)).status


def _raw(total: int, workers: int) -> tuple[float, float]:
    """(checks per second, CPU seconds per check outside the sandboxes) of W processes
    grading the same mix directly; the processes are warmed first, as the server's are."""
    with ProcessPoolExecutor(workers, initializer=_warm_process) as pool:
        list(pool.map(_grade_one, range(workers * 2)))
        pids = list(pool._processes)  # type: ignore[attr-defined]
        time.sleep(1.0)  # every warm pool has its children started
        cpu0 = sum(_tree_cpu(p) for p in pids)
        started = time.perf_counter()
        list(pool.map(_grade_one, range(total), chunksize=4))
        elapsed = time.perf_counter() - started
        cpu = sum(_tree_cpu(p) for p in pids) - cpu0
    return total / elapsed, cpu / total


# --- the simulated learners ---------------------------------------------------------


async def _http_async(method: str, url: str, body: dict[str, Any] | None = None,
                      token: str | None = None) -> tuple[int, dict[str, Any]]:
    """One request over its own loopback connection, on the event loop: a thousand
    learners waiting in held requests are a thousand sockets, not a thousand threads
    (the clients stand for the learners' own machines, so what they cost this one is
    kept small). HTTP/1.1 with ``Connection: close``: the body is what follows the
    headers until the server closes."""
    parts = urllib.parse.urlsplit(url)
    data = json.dumps(body).encode() if body is not None else b""
    head = [f"{method} {parts.path}{'?' + parts.query if parts.query else ''} HTTP/1.1",
            f"Host: {parts.netloc}", "Connection: close",
            "Content-Type: application/json", f"Content-Length: {len(data)}"]
    if token:
        head.append(f"Authorization: Bearer {token}")
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), timeout=300)
    finally:
        writer.close()
    status_line, _, rest = raw.partition(b"\r\n")
    headers, _, payload = rest.partition(b"\r\n\r\n")
    if b"transfer-encoding: chunked" in headers.lower():
        payload = _unchunk(payload)
    return int(status_line.split()[1]), json.loads(payload or b"{}")


def _unchunk(payload: bytes) -> bytes:
    out, rest = b"", payload
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2:]
    return out


class Burst:
    """N learners submitting S files each at once, then polling for their reports."""

    def __init__(self, base: str, tokens: list[str], per_learner: int, poll_max: float,
                 hold: int = 0) -> None:
        self.base, self.tokens, self.per_learner = base, tokens, per_learner
        self.poll_max = poll_max
        self.hold = hold  # seconds each request for a report may wait on the server (0: poll)
        self.sent: dict[str, float] = {}  # id -> wall-clock time the request was sent
        self.reports: dict[str, dict[str, Any]] = {}
        self.seen: dict[str, float] = {}  # id -> wall-clock time the client had its report
        self.polls = 0

    async def call(self, *args: Any) -> tuple[int, dict[str, Any]]:
        return await _http_async(*args)

    async def learner(self, k: int, token: str) -> None:
        mine = []
        for j in range(self.per_learner):
            at = time.time()
            status, body = await self.call("POST", f"{self.base}/api/submissions",
                                           {"exercise": "softmax",
                                            "code": _code(k * self.per_learner + j)}, token)
            if status != 202:
                raise SystemExit(f"submission refused: {status} {body}")
            self.sent[str(body["id"])] = at
            mine.append(str(body["id"]))
        # The queue is first in, first out: wait for the latest file's report, then collect
        # the earlier ones (polling again only those not graded yet).
        for sub_id in [mine[-1], *mine[:-1]]:
            wait = 0.5 if sub_id == mine[-1] and not self.hold else 0.0
            held = f"?wait={self.hold}" if self.hold else ""
            while True:
                await asyncio.sleep(wait)
                self.polls += 1
                status, body = await self.call(
                    "GET", f"{self.base}/api/submissions/{sub_id}{held}", None, token)
                if status == 200 and body.get("state") == "done" and body.get("report"):
                    self.reports[sub_id] = body["report"]
                    self.seen[sub_id] = time.time()
                    break
                wait = 0.0 if self.hold else min(max(wait * 2, 0.5), self.poll_max)

    def run(self) -> None:
        async def everyone() -> None:
            await asyncio.gather(*[self.learner(k, t) for k, t in enumerate(self.tokens)])

        asyncio.run(everyone())


# --- the stack ------------------------------------------------------------------------


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-c", "from deepcareer.cli.app import main; main()", *args],
            env=env, stdout=subprocess.DEVNULL, stderr=out)


def _wait_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout:g} s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Goal sizes: --learners 1000 --submissions 5 --dash-learners 1000 "
        "--dash-submissions 100000 (about 15 minutes on 2 cores).")
    parser.add_argument("--learners", type=int, default=60)
    parser.add_argument("--submissions", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2,
                        help="grading pool processes (and raw sandbox processes)")
    parser.add_argument("--raw-checks", type=int, default=0,
                        help="checks the raw sandbox grades, half before and half after "
                        "the burst (default: as many as the burst, at most 600)")
    parser.add_argument("--poll", action="store_true",
                        help="poll with a back-off instead of held requests")
    parser.add_argument("--poll-max", type=float, default=30.0,
                        help="longest wait between a client's polls, seconds")
    parser.add_argument("--dash-learners", type=int, default=200)
    parser.add_argument("--dash-submissions", type=int, default=10_000)
    parser.add_argument("--no-dashboard", action="store_true")
    args = parser.parse_args()

    from deepcareer.app import accounts, classroom
    from deepcareer.server import services
    from deepcareer.store.pg.bulk import add_learners

    total = args.learners * args.submissions
    raw_n = args.raw_checks or min(total, 600)
    half = max(raw_n // 2, args.workers * 4)
    print(f"raw sandbox, before: {args.workers} processes grading {half} softmax files "
          f"[{_uptime()}]", flush=True)
    raw_before, raw_cpu_before = _raw(half, args.workers)
    print(f"  {raw_before:.2f} checks/s, {raw_cpu_before * 1000:.0f} ms CPU per check "
          f"[{_uptime()}]", flush=True)
    logdir = Path(os.environ.get("TMPDIR", "/tmp")) / f"class-load-{uuid.uuid4().hex[:6]}"
    logdir.mkdir()
    with services.running() as (pg, redis):
        engine = classroom.connect(pg.url)
        classroom.init(engine)
        env = {**os.environ, "DEEPCAREER_DATABASE_URL": pg.url,
               "DEEPCAREER_REDIS_URL": redis.url}
        port = services.free_port()
        server = _start(["server", "run", "--port", str(port)], env, logdir / "server.log")
        worker = _start(["server", "worker", "--concurrency", str(args.workers)], env,
                        logdir / "worker.log")
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_http(f"{base}/healthz")
            teacher = accounts.create_user(engine, f"t-{uuid.uuid4().hex[:6]}@example.org",
                                           "T", PASSWORD, role="instructor")
            cohort = accounts.create_cohort(engine, teacher, "Burst")
            ids = add_learners(engine, cohort, args.learners + 1)
            tokens = [accounts.issue_api_token(
                engine, accounts.User(uid, f"{uid}@example.org", "L", "learner"))
                for uid in ids]
            # Warm-up, as the raw side had: every pool process has graded before the clock.
            Burst(base, tokens[-1:], args.workers * 2, 1.0).run()
            time.sleep(1.0)
            pids = {"workers": worker.pid, "web server": server.pid,
                    "postgresql": int((pg.folder / "data" / "postmaster.pid")
                                      .read_text().split()[0]),
                    "redis": _pid_listening("redis-server", redis.port) or 0}
            cpu0 = {name: _tree_cpu(pid, name == "postgresql") for name, pid in pids.items()}
            clients0 = _self_cpu()
            burst = Burst(base, tokens[:-1], args.submissions, args.poll_max,
                          hold=0 if args.poll else 55)
            print(f"burst: {args.learners} learners x {args.submissions} submissions "
                  f"[{_uptime()}]", flush=True)
            started = time.time()
            burst.run()
            cpu = {name: _tree_cpu(pid, name == "postgresql") - cpu0[name]
                   for name, pid in pids.items()}
            cpu["clients"] = _self_cpu() - clients0
            load_after = _uptime()
        finally:
            _stop(worker)
            _stop(server)
        from deepcareer.store.pg.submissions import get

        rows = {i: get(engine, i) or {} for i in burst.sent}
        done = [r for r in rows.values() if r.get("state") == "done"]
        lost = total - len(done)
        delivered_twice = sum(1 for r in done if int(r.get("deliveries") or 0) > 1)
        # One row per submission holds one result; a duplicate would be a report the client
        # saw that differs from the one recorded (two gradings racing).
        duplicated = sum(1 for i, rep in burst.reports.items()
                         if rows[i].get("report") != rep)
        latencies = sorted(r["graded_at"].timestamp() - burst.sent[str(r["id"])] for r in done)
        # The burst's work is done when the last report is written (the clients' polls
        # after that are their own back-off, not grading).
        elapsed = max(r["graded_at"].timestamp() for r in done) - started
        busy = sum(r["graded_at"].timestamp() - r["started_at"].timestamp() for r in done)
        ours = total / elapsed
        gaps = []  # a pool process's idle time between one grade written and its next claim
        by_process: dict[str, list[Any]] = {}
        for r in done:
            by_process.setdefault(str(r["worker"]), []).append(r)
        for held in by_process.values():
            held.sort(key=lambda r: r["started_at"])
            gaps += [(b["started_at"] - a["graded_at"]).total_seconds()
                     for a, b in itertools.pairwise(held)]
        print(f"raw sandbox, after [{load_after}]", flush=True)
        raw_after, raw_cpu_after = _raw(half, args.workers)
        raw = (raw_before + raw_after) / 2
        raw_cpu = (raw_cpu_before + raw_cpu_after) / 2
        print(f"  {raw_after:.2f} checks/s, {raw_cpu_after * 1000:.0f} ms CPU per check "
              f"[{_uptime()}]")
        print(f"class server: {total} checks in {elapsed:.1f} s = {ours:.2f} checks/s; raw "
              f"sandbox {raw:.2f} checks/s (before {raw_before:.2f}, after {raw_after:.2f}); "
              f"ratio {ours / raw:.2f} (goal >= 0.80) [{load_after}]")
        per = {name: seconds / total for name, seconds in cpu.items()}
        server_side = sum(v for k, v in per.items() if k != "clients")
        print("CPU per check outside the sandboxes: raw " + f"{raw_cpu * 1000:.0f} ms; "
              "class server "
              f"{server_side * 1000:.0f} ms (" + ", ".join(
                  f"{k} {v * 1000:.1f}" for k, v in per.items() if k != "clients")
              + f"): {(server_side - raw_cpu) * 1000:+.0f} ms a check; clients "
              f"{per['clients'] * 1000:.1f} ms"
              f", {burst.polls / total:.1f} polls per submission; pool processes busy "
              f"(claim to grade written) {busy / (elapsed * args.workers):.0%} of the burst, "
              f"idle between grades median {statistics.median(gaps) * 1000:.0f} ms, p95 "
              f"{statistics.quantiles(gaps, n=20)[18] * 1000:.0f} ms")
        seen = sorted(burst.seen[i] - burst.sent[i] for i in burst.seen)
        requests = total + burst.polls
        print(f"web server: {requests} requests ({burst.polls} polls), "
              f"{cpu['web server'] / requests * 1000:.1f} ms CPU a request")
        print(f"submit to report: p50 {statistics.median(latencies):.2f} s, p95 "
              f"{statistics.quantiles(latencies, n=20)[18]:.2f} s (seen by the polling client: "
              f"p50 {statistics.median(seen):.2f} s, p95 "
              f"{statistics.quantiles(seen, n=20)[18]:.2f} s); lost {lost}, duplicated "
              f"{duplicated} (goal: 0 and 0); delivered more than once {delivered_twice}")
        print(f"(logs in {logdir})")
        if not args.no_dashboard:
            _dashboard_bench(engine, env, args.dash_learners, args.dash_submissions, logdir)
        engine.dispose()


def _dashboard_bench(engine: Any, env: dict[str, str], learners: int, submissions: int,
                     logdir: Path) -> None:
    """A cohort of ``learners`` with ``submissions`` graded rows, written directly, and the
    kept figures rebuilt as the workers would have; then the dashboard page over HTTP, as
    its instructor (rendering included), with the server idle."""
    import http.cookiejar
    import urllib.parse

    from deepcareer.app import accounts, cohorts
    from deepcareer.server import services
    from deepcareer.store.pg.bulk import add_graded, add_learners

    email = f"t-{uuid.uuid4().hex[:6]}@example.org"
    teacher = accounts.create_user(engine, email, "T", PASSWORD, role="instructor")
    cohort = accounts.create_cohort(engine, teacher, "Large cohort")
    print(f"dashboard: {learners} learners, {submissions} graded submissions "
          f"[{_uptime()}]", flush=True)
    users = add_learners(engine, cohort, learners)
    add_graded(engine, users, submissions)
    for uid in users:  # what the workers keep after each grade
        cohorts.learner_mastery(engine, uid)
    port = services.free_port()
    server = _start(["server", "run", "--port", str(port)], env, logdir / "server.log")
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_http(f"{base}/healthz")
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.open(f"{base}/signin", urllib.parse.urlencode(
            {"email": email, "password": PASSWORD}).encode())
        times = []
        for _ in range(21):
            started = time.perf_counter()
            with opener.open(f"{base}/cohorts/{cohort}") as resp:
                page = resp.read()
            times.append(time.perf_counter() - started)
    finally:
        _stop(server)
    p95 = statistics.quantiles(times, n=20)[18]
    print(f"dashboard page of {learners} learners / {submissions} submissions "
          f"({len(page) // 1024} KB): median {statistics.median(times) * 1000:.0f} ms, p95 "
          f"{p95 * 1000:.0f} ms (goal: p95 <= 200 ms at 1,000 / 100,000) [{_uptime()}]")


if __name__ == "__main__":
    main()
