"""When the learner did anything: the queries behind time spent, streaks and the week.

Every table whose rows are something the learner did has a time column; the mentor's
goal arithmetic (``mentor/goals.py``) works on what these return and never on SQL.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deepcareer.store.db import Store

# Every table whose rows are something the learner did, with its time column.
ACTIVITY = (("attempts", "created_at"), ("events", "created_at"), ("reviews", "reviewed_at"))


def stamps(store: Store, since: str = "") -> list[str]:
    """Every activity time at or after ``since`` (ISO text), unsorted."""
    out: list[str] = []
    for table, column in ACTIVITY:
        out += [r["t"] for r in store.read(
            f"SELECT {column} AS t FROM {table} WHERE {column} >= ?", (since,))]
    return out


def minutes_active(store: Store, lo: str, hi: str, gap_min: float, start_min: float) -> float:
    """Minutes of study between ``lo`` and ``hi``: consecutive activity at most
    ``gap_min`` apart counts in full, each session start ``start_min``. Computed inside
    SQLite with a window function, so 100,000 rows cost milliseconds."""
    parts = [f"SELECT {column} AS t FROM {table} WHERE {column} >= :lo AND {column} <= :hi"
             for table, column in ACTIVITY]
    sql = (
        f"WITH t AS ({' UNION ALL '.join(parts)}), "
        "g AS (SELECT (julianday(t) - julianday(LAG(t) OVER (ORDER BY t))) * 1440 AS gap "
        "FROM t) "
        f"SELECT COALESCE(SUM(CASE WHEN gap IS NOT NULL AND gap >= 0 AND gap <= {gap_min:g} "
        f"THEN gap ELSE {start_min:g} END), 0) AS minutes FROM g")
    return float(store.read(sql, {"lo": lo, "hi": hi})[0]["minutes"])


def latest_and_count(store: Store) -> tuple[str | None, int]:
    """The newest activity time and the number of activity rows; attempts (by far the
    largest table) come from the store's running tally."""
    exercises = store.tally()["exercises"].values()
    total = sum(int(e["rows"]) for e in exercises)
    latest: str | None = max((e["last_at"] for e in exercises), default=None) or None
    for table, column in ACTIVITY[1:]:
        row = store.read(f"SELECT max({column}) AS t, count(*) AS n FROM {table}")[0]
        total += int(row["n"])
        if row["t"] and (latest is None or row["t"] > latest):
            latest = row["t"]
    return latest, total


def count_since(store: Store, since: str) -> int:
    return sum(int(store.read(f"SELECT count(*) AS n FROM {table} WHERE {column} >= ?",
                              (since,))[0]["n"]) for table, column in ACTIVITY)


def active_days(store: Store) -> set[date]:
    """The UTC dates with any activity."""
    days = {date.fromisoformat(d) for d in store.tally()["days"]}
    for table, column in ACTIVITY[1:]:
        days |= {date.fromisoformat(r["d"]) for r in store.read(
            f"SELECT DISTINCT substr({column}, 1, 10) AS d FROM {table}")}
    return days
