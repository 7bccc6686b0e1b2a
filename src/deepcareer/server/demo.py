"""``make class-demo``: the whole class server on this machine, with a simulated cohort.

Starts private PostgreSQL and Redis instances (``services``), creates the tables, an
instructor, a cohort with three assignments and a dozen simulated learners whose
submissions (right, and wrong in the ways learners are) go through the real queue to a
real worker, then serves the pages and prints the instructor's address and password.
Ctrl-C stops everything and removes the instances' folders.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from datetime import timedelta

from deepcareer.app import accounts, classroom, cohorts
from deepcareer.server import queue, services
from deepcareer.server.config import Settings

PASSWORD = "demo-password-123"
NAMES = ["Ada", "Ben", "Chloe", "Dev", "Emeka", "Fatima", "Goran", "Hana", "Ines", "Jun",
         "Kofi", "Lena"]

SOFTMAX = """import numpy as np


def softmax(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
"""
MSE = """import numpy as np


def mse(pred, target):
    return ((pred - target) ** 2).mean()


def mse_grad(pred, target):
    return 2 * (pred - target) / pred.size
"""
# (exercise, code): what simulated learners send, the right answer last.
ATTEMPTS = {
    "softmax": [SOFTMAX.replace("logits - logits.max(axis=-1, keepdims=True)", "logits"),
                SOFTMAX.replace("logits.max(axis=-1, keepdims=True)", "logits.max()"),
                SOFTMAX.replace("e.sum(axis=-1, keepdims=True)", "e.sum()"), SOFTMAX],
    "mse": [MSE.replace("/ pred.size", "/ len(pred)"), MSE.replace("2 * ", ""), MSE],
}


def main() -> None:
    import signal

    def stop(*_: object) -> None:  # `kill` as well as Ctrl-C removes the private instances
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print("Starting PostgreSQL and Redis (private instances)...", flush=True)
    with services.running() as (pg, redis):
        settings = Settings(pg.url, redis.url)
        engine = classroom.connect(pg.url)
        classroom.init(engine)
        teacher = accounts.create_user(engine, "instructor@example.org", "Demo Instructor",
                                       PASSWORD, role="instructor")
        cohort = accounts.create_cohort(engine, teacher, "Demo cohort")
        for ex in ("softmax", "mse"):
            cohorts.add_assignment(engine, teacher, cohort, "exercise", ex)
        link = accounts.invite(engine, teacher, cohort, lifetime=timedelta(days=1))
        env = {**os.environ, "DEEPCAREER_DATABASE_URL": pg.url,
               "DEEPCAREER_REDIS_URL": redis.url}
        worker = subprocess.Popen([sys.executable, "-m", "deepcareer.cli.app", "server",
                                   "worker", "--concurrency", "2"], env=env)
        try:
            _simulate(engine, settings, link)
            port = services.free_port()
            print(f"\nThe class server: http://127.0.0.1:{port}\n"
                  f"  instructor: instructor@example.org / {PASSWORD}\n"
                  f"  invite link for more learners: http://127.0.0.1:{port}/join/{link}\n"
                  "Ctrl-C stops everything.", flush=True)
            subprocess.run([sys.executable, "-m", "deepcareer.cli.app", "server", "run",
                            "--port", str(port)], env=env, check=False)
        except KeyboardInterrupt:
            pass
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
            engine.dispose()


def _simulate(engine: object, settings: Settings, link: str) -> None:
    """Learners join and submit through the real queue; wait until the worker has graded."""
    rng = random.Random(7)
    enqueue = queue.enqueuer(queue.make_celery(settings))
    sent = []
    for name in NAMES:
        learner = accounts.sign_up(engine, link, f"{name.lower()}@example.org", name,  # type: ignore[arg-type]
                                   PASSWORD)
        for exercise, attempts in ATTEMPTS.items():
            if rng.random() < 0.15:
                continue  # some have not started yet
            tries = attempts[rng.randrange(len(attempts)):] if rng.random() < 0.7 \
                else attempts[:rng.randrange(1, len(attempts))]
            for code in tries:
                sent.append(classroom.submit(engine, enqueue, learner.id, exercise, code))  # type: ignore[arg-type]
    print(f"{len(NAMES)} learners sent {len(sent)} submissions; grading...", flush=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        done = classroom.counts(engine).get("done", 0)  # type: ignore[arg-type]
        if done >= len(sent):
            break
        time.sleep(1.0)


if __name__ == "__main__":
    main()
