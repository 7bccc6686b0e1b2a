"""The class server under a burst: simulated learners against the raw sandbox's ceiling.

Starts private PostgreSQL and Redis, the server (uvicorn) and W grading workers, then N
simulated learners (asyncio clients over loopback, each with its API token) each submit S
files at once, a mix of right and wrong softmax solutions, and poll for their reports.
Printed: throughput in checks per second beside the raw throughput of the same sandbox on
this machine without server, queue or database (W processes grading the same mix directly:
the ceiling), p50/p95 from submit to report, and how many submissions were lost or graded
twice. Then the dashboard of a cohort of L learners with M graded submissions (rows written
directly): p95 of the page's time over several loads.

Goals (issue 18, on this 2-core machine): 1,000 learners x 5 submissions, 0 lost, 0
duplicated, throughput >= 0.8x the raw sandbox; the dashboard of 1,000 learners with 100,000
submissions at p95 <= 200 ms. The defaults are smaller so a run takes minutes; pass
``--learners 1000 --submissions 5 --dash-learners 1000 --dash-submissions 100000`` for the
goal's sizes.

Usage: python bench/class_load.py [--learners N] [--submissions S] [--workers W]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ProcessPoolExecutor
from typing import Any

RIGHT = """import numpy as np


def softmax(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
"""
WRONG = RIGHT.replace("logits - logits.max(axis=-1, keepdims=True)", "logits")
PASSWORD = "bench-password-123"


def _code(i: int) -> str:
    # A comment makes each file distinct, as real learners' files are.
    return (RIGHT if i % 3 else WRONG) + f"\n# {i}\n"


def _http(method: str, url: str, body: dict[str, Any] | None = None,
          token: str | None = None) -> tuple[int, dict[str, Any]]:
    req = urllib.request.Request(url, method=method,
                                 data=json.dumps(body).encode() if body else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


async def _learner(base: str, token: str, n: int, offset: int,
                   latencies: list[float], ids: list[str]) -> None:
    sent: list[tuple[str, float]] = []
    for k in range(n):
        started = time.perf_counter()
        status, body = await asyncio.to_thread(
            _http, "POST", f"{base}/api/submissions",
            {"exercise": "softmax", "code": _code(offset + k)}, token)
        if status != 202:
            raise SystemExit(f"submission refused: {status} {body}")
        sent.append((str(body["id"]), started))
        ids.append(str(body["id"]))
    for sub_id, started in sent:
        while True:
            status, body = await asyncio.to_thread(
                _http, "GET", f"{base}/api/submissions/{sub_id}", None, token)
            if status == 200 and body.get("state") == "done":
                latencies.append(time.perf_counter() - started)
                break
            await asyncio.sleep(0.5)


def _grade_one(i: int) -> str:
    from deepcareer.curriculum.catalog import default_catalog
    from deepcareer.grading import sandbox
    from deepcareer.grading.grader import grade

    if "warm" not in _WARM:
        _WARM["warm"] = sandbox.warm(size=1)
        _WARM["warm"].__enter__()
    return grade(default_catalog().get("softmax"), _code(i)).status


_WARM: dict[str, Any] = {}


def _raw_throughput(total: int, workers: int) -> float:
    """Checks per second of W processes grading the same mix directly, warm pools included."""
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_grade_one, range(workers * 2)))  # warm every process
        started = time.perf_counter()
        list(pool.map(_grade_one, range(total), chunksize=4))
        return total / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--submissions", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dash-learners", type=int, default=200)
    parser.add_argument("--dash-submissions", type=int, default=10_000)
    args = parser.parse_args()

    import uvicorn

    from deepcareer.app import accounts, classroom
    from deepcareer.server import services
    from deepcareer.server.config import Settings
    from deepcareer.server.web import create_app

    total = args.learners * args.submissions
    print(f"raw sandbox: {args.workers} processes grading {total} softmax files ...",
          flush=True)
    raw = _raw_throughput(total, args.workers)
    with services.running() as (pg, redis):
        engine = classroom.connect(pg.url)
        classroom.init(engine)
        env = {**os.environ, "DEEPCAREER_DATABASE_URL": pg.url,
               "DEEPCAREER_REDIS_URL": redis.url}
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "deepcareer.server.worker", "worker",
             "--concurrency", str(args.workers), "--pool", "prefork", "--loglevel", "ERROR",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        server = uvicorn.Server(uvicorn.Config(create_app(Settings(pg.url, redis.url)),
                                               host="127.0.0.1", port=services.free_port(),
                                               log_level="error"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{server.config.port}"
        tokens = []
        for i in range(args.learners):
            user = accounts.create_user(engine, f"l{i}-{uuid.uuid4().hex[:6]}@example.org",
                                        f"Learner {i}", PASSWORD)
            tokens.append(accounts.issue_api_token(engine, user))
        time.sleep(3.0)  # the workers' pools start
        latencies: list[float] = []
        ids: list[str] = []
        print(f"burst: {args.learners} learners x {args.submissions} submissions ...",
              flush=True)
        started = time.perf_counter()

        async def burst() -> None:
            await asyncio.gather(*[
                _learner(base, tok, args.submissions, i * args.submissions, latencies, ids)
                for i, tok in enumerate(tokens)])

        asyncio.run(burst())
        elapsed = time.perf_counter() - started
        counts = classroom.counts(engine)
        worker.terminate()
        worker.wait(timeout=30)
        lost = total - counts.get("done", 0)
        from deepcareer.store.pg.submissions import get

        rows = [get(engine, i) or {} for i in ids]
        results = sum(1 for r in rows if r.get("state") == "done")  # one row, one result each
        redelivered = sum(1 for r in rows if int(r.get("deliveries") or 0) > 1)
        ours = total / elapsed
        print(f"class server: {total} checks in {elapsed:.1f} s = {ours:.2f} checks/s; raw "
              f"sandbox {raw:.2f} checks/s; ratio {ours / raw:.2f} (goal >= 0.80)")
        print(f"submit to report: p50 {statistics.median(latencies):.2f} s, p95 "
              f"{statistics.quantiles(latencies, n=20)[18]:.2f} s; lost {lost}, duplicated "
              f"results {max(results - len(set(ids)), 0)} (goal: 0 and 0); delivered more than "
              f"once {redelivered}")
        _dashboard_bench(engine, base, args.dash_learners, args.dash_submissions)
        server.should_exit = True
        engine.dispose()


def _dashboard_bench(engine: Any, base: str, learners: int, submissions: int) -> None:
    """A cohort of ``learners`` with ``submissions`` graded rows, written directly, and the
    kept figures rebuilt as the workers would have; then the dashboard page over HTTP, as
    its instructor (rendering included)."""
    import http.cookiejar
    import urllib.parse

    from deepcareer.app import accounts, cohorts
    from deepcareer.store.pg.bulk import add_graded, add_learners

    email = f"t-{uuid.uuid4().hex[:6]}@example.org"
    teacher = accounts.create_user(engine, email, "T", PASSWORD, role="instructor")
    cohort = accounts.create_cohort(engine, teacher, "Large cohort")
    print(f"dashboard: {learners} learners, {submissions} graded submissions ...", flush=True)
    users = add_learners(engine, cohort, learners)
    add_graded(engine, users, submissions)
    for uid in users:  # what the workers keep after each grade
        cohorts.learner_mastery(engine, uid)
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
    p95 = statistics.quantiles(times, n=20)[18]
    print(f"dashboard page of {learners} learners / {submissions} submissions "
          f"({len(page) // 1024} KB): median {statistics.median(times) * 1000:.0f} ms, p95 "
          f"{p95 * 1000:.0f} ms (goal: p95 <= 200 ms at 1,000 / 100,000)")


if __name__ == "__main__":
    main()
