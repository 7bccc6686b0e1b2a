"""What a stored setting may hold: the learner's goal, checked field by field.

The store checks settings on import (``records.py``) and the mentor checks them when the
learner sets a goal (``mentor/goals.py``); both read these rules from here, at the store's
level, so the store never imports the mentor.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from deepcareer.errors import UsageError
from deepcareer.limits import shown, type_name

__all__ = ["GOAL_FIELDS", "MAX_HOURS_PER_WEEK", "Goal", "check_goal_setting", "check_hours",
           "check_target_date"]


@dataclass(frozen=True)
class Goal:
    hours_per_week: float | None = None
    role: str | None = None
    target_date: str | None = None  # YYYY-MM-DD

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


GOAL_FIELDS = ("hours_per_week", "role", "target_date")
MAX_HOURS_PER_WEEK = 80


def check_hours(hours: object) -> float:
    """Weekly hours as a number in (0, 80], or a UsageError saying what came."""
    if isinstance(hours, bool) or not isinstance(hours, int | float):
        raise UsageError(f"Weekly hours must be a number, not {shown(hours)}.")
    if not 0 < hours <= MAX_HOURS_PER_WEEK:  # also refuses NaN
        raise UsageError(f"Weekly hours should be between 0 and {MAX_HOURS_PER_WEEK} (above "
                         f"0), not {hours:g}; a sustainable plan is usually 3 to 15.")
    return float(hours)


def check_target_date(text: object, today: date | None = None) -> str:
    """A date like 2027-06-30; with ``today``, not one that has already passed."""
    if not isinstance(text, str):
        raise UsageError(f"The target date must be a date like 2027-06-30, not {shown(text)}.")
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"{shown(text)} is not a date like 2027-06-30.") from exc
    if today is not None and day < today:
        raise UsageError(f"The target date {text} has already passed (today is "
                         f"{today.isoformat()}); choose a day from today on.")
    return text


def check_goal_setting(raw: object) -> Goal:
    """A stored or imported ``goal`` setting, checked field by field (a past target date
    is fine here: it was in the future when it was set). The UsageError names the field."""
    if not isinstance(raw, dict):
        raise UsageError(f"must be an object with {', '.join(GOAL_FIELDS)}, not "
                         f"{type_name(raw)}")
    unknown = sorted(set(raw) - set(GOAL_FIELDS))
    if unknown:
        raise UsageError(f"has an unknown field {shown(unknown[0])} (known: "
                         f"{', '.join(GOAL_FIELDS)})")
    hours, role, target = (raw.get(k) for k in GOAL_FIELDS)
    for field, value, check in (("hours_per_week", hours, check_hours),
                                ("target_date", target, check_target_date)):
        if value is not None:
            try:
                check(value)
            except UsageError as exc:
                raise UsageError(f"{field}: {exc.message}") from exc
    if role is not None and not (isinstance(role, str) and 0 < len(role) <= 200):
        raise UsageError(f"role: must be a role's name (text), not {shown(role)}")
    return Goal(hours, role, target)
