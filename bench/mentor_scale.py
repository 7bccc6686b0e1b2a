"""The mentor at scale: `next` and `progress` on a long history, against `--help`.

A home is filled with 100,000 attempts (several years of heavy use, spread over every
exercise, with misconceptions, hints and passes) and 2,000 review cards. We then time,
interleaved in one run, `deepcareer next --json`, `deepcareer progress --json` and
`deepcareer --help` (the floor: Python and the CLI starting), and print the ratios of
medians. Goal: each <= 1.5. The first call after new history replays only the new rows
(mastery is cached); the cold time of a full replay is printed on its own line.

Usage: python bench/mentor_scale.py [--runs N] [--attempts N] [--cards N]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import precompile, time_command


def fill(home: Path, n_attempts: int, n_cards: int) -> None:
    from fsrs import Card, Rating

    from deepcareer.curriculum.catalog import default_catalog
    from deepcareer.mentor.review import SCHEDULER
    from deepcareer.store.db import insert_rows, iso, open_store

    catalog = default_catalog()
    ids = [ex.id for ex in catalog]
    mids = {ex.id: [m.id for m in ex.checks.misconceptions] for ex in catalog}
    rng = random.Random(0)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    step = timedelta(days=3 * 365) / n_attempts
    rows = []
    for i in range(n_attempts):
        ex_id = rng.choice(ids)
        status = rng.choices(["pass", "fail", "error", "not_attempted"], [5, 4, 1, 1])[0]
        findings = ([{"misconception": rng.choice(mids[ex_id])}]
                    if status == "fail" and mids[ex_id] and rng.random() < 0.7 else [])
        rows.append({"exercise_id": ex_id, "content_version": 1,
                     "created_at": iso(start + i * step), "status": status,
                     "message": "", "findings": json.dumps(findings),
                     "hint_level": rng.choice([0, 0, 0, 1, 2]), "duration_s": 0.4,
                     "code_sha256": "", "code": "def f(x):\n    return x\n" * 20,
                     "report": "{}"})
    now = start + n_attempts * step
    cards = []
    for k in range(n_cards):
        card = Card(due=now)
        card, _log = SCHEDULER.review_card(card, rng.choice(list(Rating)),
                                           review_datetime=now - timedelta(days=rng.randint(1, 60)))
        cards.append({"id": f"drill:bench-{k}", "kind": "drill", "ref": f"softmax.bench-{k}",
                      "created_at": iso(now), "due": iso(card.due),
                      "card": json.dumps(card.to_dict())})
    with open_store(home) as store, store.transaction() as conn:
        for lo in range(0, len(rows), 10_000):
            insert_rows(conn, "attempts", rows[lo:lo + 10_000])
        insert_rows(conn, "cards", cards)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--cards", type=int, default=2_000)
    args = parser.parse_args()
    precompile()
    work = Path(tempfile.mkdtemp(prefix="deepcareer-bench-"))
    home = work / "home"
    fill(home, args.attempts, args.cards)
    exe = str(Path(sys.executable).with_name("deepcareer"))
    cold = time_command([exe, "progress", "--json", "--home", str(home)], work)
    print(f"history: {args.attempts} attempts, {args.cards} review cards")
    print(f"first progress --json (full mastery replay, then cached): {cold:.2f} s")
    commands = {
        "next --json": [exe, "next", "--json", "--home", str(home)],
        "progress --json": [exe, "progress", "--json", "--home", str(home)],
        "--help": [exe, "--help"],
    }
    times: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            times[name].append(time_command(cmd, work))
    floor = statistics.median(times["--help"])
    print(f"deepcareer --help: median {floor:.3f} s over {args.runs}")
    for name in ("next --json", "progress --json"):
        m = statistics.median(times[name])
        print(f"deepcareer {name}: median {m:.3f} s, ratio to --help {m / floor:.2f} "
              "(goal <= 1.5)")


if __name__ == "__main__":
    main()
