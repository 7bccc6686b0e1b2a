"""Goals and organisation: weekly hours, a target role or date, streaks, time spent.

Time is estimated from the log, as study trackers do: consecutive activity (checks,
hints, starts, quizzes, reviews) less than ``SESSION_GAP`` apart counts in full; each
session start counts ``SESSION_START``. No timer to forget to stop.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from deepcareer.store.db import iso
from deepcareer.store.learner import LearnerRecord
from deepcareer.store.settings import (  # what a stored goal may hold
    GOAL_FIELDS,
    Goal,
    check_hours,
    check_target_date,
)

SESSION_GAP = timedelta(minutes=30)
SESSION_START = timedelta(minutes=5)


def get_goal(store: LearnerRecord) -> Goal:
    raw = store.setting("goal") or {}
    return Goal(**{k: raw.get(k) for k in GOAL_FIELDS})


def set_goal(store: LearnerRecord, *, hours: float | None = None, role: str | None = None,
             target_date: str | None = None) -> Goal:
    """Update the parts given; a UsageError for impossible values (hours not in (0, 80],
    a date that is malformed or past, a role that is not one of the course's roles, with
    the nearest one suggested). Nothing is saved unless every part is right."""
    from deepcareer.career.roles import get_role

    old = get_goal(store)
    if hours is not None:
        check_hours(hours)
    if target_date is not None:
        check_target_date(target_date, store.clock().astimezone().date())  # the learner's day
    if role is not None:
        get_role(role)  # the role as typed is kept ("data scientist"); it must resolve
    goal = Goal(hours if hours is not None else old.hours_per_week,
                role if role is not None else old.role,
                target_date if target_date is not None else old.target_date)
    store.set_setting("goal", goal.to_dict())
    return goal


def activity_times(store: LearnerRecord, since: datetime | None = None) -> list[datetime]:
    """When the learner did anything, oldest first (attempts, events, reviews)."""
    lo = iso(since) if since is not None else ""
    return sorted(datetime.fromisoformat(s) for s in store.activity_stamps(lo))


def time_spent(times: list[datetime]) -> timedelta:
    total = timedelta()
    for i, t in enumerate(times):
        gap = t - times[i - 1] if i else None
        total += gap if gap is not None and timedelta() <= gap <= SESSION_GAP else SESSION_START
    return total


def streak(days: set[date], today: date) -> int:
    """Consecutive days with activity, ending today (or yesterday: today is not over)."""
    day = today if today in days else today - timedelta(days=1)
    n = 0
    while day in days:
        n += 1
        day -= timedelta(days=1)
    return n


def time_spent_in_store(store: LearnerRecord, since: datetime | None = None,
                        until: datetime | None = None) -> timedelta:
    """:func:`time_spent` over the log, computed inside SQLite (a window function), so a
    history of 100,000 rows costs milliseconds, not a Python loop."""
    lo = iso(since) if since is not None else ""
    hi = iso(until) if until is not None else "9999"
    return timedelta(minutes=store.minutes_active(
        lo, hi, SESSION_GAP.total_seconds() / 60, SESSION_START.total_seconds() / 60))


def total_time(store: LearnerRecord) -> timedelta:
    """All time spent, kept as a running total in settings (``time_cursor``).

    Only rows logged after the last counted one are summed, starting from that row so
    the gap joining old and new is the real one. If rows appeared with earlier times (a
    clock set back, an import), the total is recomputed from scratch.
    """
    last, rows = store.activity_latest_and_count()
    cursor = store.setting("time_cursor")
    if isinstance(cursor, dict) and cursor.get("until") == last and cursor.get("rows") == rows:
        return timedelta(minutes=float(cursor["minutes"]))  # nothing new: no write
    spent = None
    if isinstance(cursor, dict) and cursor.get("until") and last:
        since = datetime.fromisoformat(cursor["until"])
        newer = store.activity_count_since(cursor["until"])
        if rows - int(cursor.get("rows", 0)) == newer - 1:  # every new row is later
            spent = (timedelta(minutes=float(cursor["minutes"]))
                     + time_spent_in_store(store, since=since) - SESSION_START)
    if spent is None:
        spent = time_spent_in_store(store)
    store.set_setting("time_cursor", {"until": last, "rows": rows,
                                      "minutes": spent.total_seconds() / 60})
    return spent


def week_summary(store: LearnerRecord, now: datetime | None = None) -> dict[str, Any]:
    """This week (Monday to Sunday, UTC) against the goal, the streak and the total."""
    now = now or store.clock()
    monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0,
                                                           microsecond=0)
    goal = get_goal(store)
    days = store.active_days()
    spent_h = time_spent_in_store(store, monday, now).total_seconds() / 3600
    out: dict[str, Any] = {
        "week_start": monday.date().isoformat(),
        "hours_this_week": round(spent_h, 2),
        "goal": goal.to_dict(),
        "streak_days": streak(days, now.date()),
        "active_days": len(days),
        "hours_total": round(total_time(store).total_seconds() / 3600, 2),
    }
    if goal.hours_per_week:
        out["week_share_of_goal"] = round(spent_h / goal.hours_per_week, 3)
    if goal.target_date:
        out["days_to_target"] = (date.fromisoformat(goal.target_date) - now.date()).days
    return out
