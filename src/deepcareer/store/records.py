"""The records of an export, every one checked before anything is written.

Each field of each table has a rule (type, range, choices, ISO 8601 time with a time
zone, JSON text of the right shape), and references are resolved: a review's card is
among the imported cards or already here, a run's ``reproduces`` and ``verified_by``
name runs of the same file. The first problem found is reported as
``table[index].field: what is wrong`` and nothing is imported, so what the rest of
deepcareer reads back from the store is always what it could have written itself.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from deepcareer.errors import UsageError
from deepcareer.limits import MAX_CODE_BYTES, parse_json, shown, size_text, type_name

Rule = Callable[[Any], str | None]  # None when the value is fine, else what is wrong

# The values deepcareer writes (tests keep these in step with grading.report.Status, the
# project run statuses and the review sources).
ATTEMPT_STATUSES = ("pass", "fail", "error", "timeout", "not_attempted")
RUN_STATUSES = ("pass", "fail", "leak", "error", "timeout")
CARD_KINDS = ("exercise", "quiz", "drill")
REVIEW_SOURCES = ("check", "review", "quiz")
ISOLATION_LEVELS = ("os", "guard")
ORIGINS = ("learner", "reference", "imported")
# Columns newer than some exports. A row without ``origin`` came from before revision 0005:
# it is imported history, not work done in this home.
OPTIONAL_DEFAULTS = {"isolation": "guard", "origin": "imported"}
INT64 = 2**63 - 1
_HEX = re.compile(r"[0-9a-f]{0,64}")
_KIND = re.compile(r"[a-z][a-z_]{0,19}")


def text(max_len: int = 200, *, choices: tuple[str, ...] | None = None,
         pattern: re.Pattern[str] | None = None, empty: bool = False,
         null: bool = False) -> Rule:
    def rule(value: Any) -> str | None:
        if value is None and null:
            return None
        if not isinstance(value, str):
            return f"must be text, not {type_name(value)}"
        if choices is not None and value not in choices:
            return f"is {shown(value)}; it must be one of {', '.join(choices)}"
        if not value and not empty:
            return "is empty"
        if len(value) > max_len:
            return f"is {len(value):,} characters long; at most {max_len:,} are allowed"
        if pattern is not None and not pattern.fullmatch(value):
            return f"is {shown(value)}, which is not of the expected form"
        return None
    return rule


def integer(lo: int = -INT64, hi: int = INT64, *, null: bool = False) -> Rule:
    def rule(value: Any) -> str | None:
        if value is None and null:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            return f"must be a whole number, not {type_name(value)}"
        if not lo <= value <= hi:
            return f"is {shown(value)}; it must be from {lo} to {hi}"
        return None
    return rule


def number(lo: float = 0.0, *, null: bool = False) -> Rule:
    def rule(value: Any) -> str | None:
        if value is None and null:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"must be a number, not {type_name(value)}"
        if not math.isfinite(value) or value < lo or abs(value) > 1e300:
            return f"is {shown(value)}; it must be a finite number of at least {lo:g}"
        return None
    return rule


def moment_problem(value: Any) -> str | None:
    """ISO 8601 with a time zone, like ``2027-01-01T09:30:00.000000+00:00``."""
    if not isinstance(value, str):
        return f"must be a time as text, not {type_name(value)}"
    try:
        parsed = datetime.fromisoformat(value) if len(value) <= 40 else None
    except ValueError:
        parsed = None
    if parsed is None:
        return (f"is {shown(value)}, which is not an ISO 8601 time like "
                "2027-01-01T09:30:00+00:00")
    if parsed.tzinfo is None:
        return f"is {shown(value)}, a time without a time zone; add one, like +00:00"
    return None


def moment(*, null: bool = False) -> Rule:
    return lambda v: None if v is None and null else moment_problem(v)


def json_text(shape: Callable[[Any], str | None]) -> Rule:
    """A string holding JSON (how the store keeps findings, reports, card states)."""
    def rule(value: Any) -> str | None:
        if not isinstance(value, str):
            return f"must be JSON text, not {type_name(value)}"
        try:
            parsed = parse_json(value, "it")
        except UsageError as exc:
            return exc.message.removeprefix("it ")
        return shape(parsed)
    return rule


def _object(value: Any) -> str | None:
    return None if isinstance(value, dict) else f"must hold an object, not {type_name(value)}"


def _findings(value: Any) -> str | None:
    if not isinstance(value, list):
        return f"must hold a list, not {type_name(value)}"
    for i, f in enumerate(value):
        if not isinstance(f, dict) or not isinstance(f.get("misconception"), str):
            return f"item {i} must be an object with a \"misconception\" id"
    return None


def _card_state(value: Any) -> str | None:
    """An FSRS card as ``Card.to_dict`` writes it."""
    if not isinstance(value, dict):
        return f"must hold an object, not {type_name(value)}"
    rules: dict[str, Rule] = {
        "card_id": integer(), "state": integer(1, 3), "step": integer(0, 1000, null=True),
        "stability": number(null=True), "difficulty": number(null=True),
        "due": moment(), "last_review": moment(null=True)}
    for name, rule in rules.items():
        if name not in value:
            return f"lacks {name!r}"
        problem = rule(value[name])
        if problem:
            return f"{name!r} {problem}"
    return None


def _code(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"must be text, not {type_name(value)}"
    size = len(value.encode("utf-8"))  # lone surrogates were refused when parsing
    if size > MAX_CODE_BYTES:
        return f"is {size_text(size)}; deepcareer keeps code up to {size_text(MAX_CODE_BYTES)}"
    return None


TABLES: dict[str, dict[str, Rule]] = {
    "attempts": {
        "exercise_id": text(100), "content_version": integer(0), "created_at": moment(),
        "status": text(choices=ATTEMPT_STATUSES), "message": text(100_000, empty=True),
        "findings": json_text(_findings), "hint_level": integer(0, 10_000),
        "duration_s": number(), "code_sha256": text(64, pattern=_HEX, empty=True),
        "code": _code, "report": json_text(_object),
        "isolation": text(choices=ISOLATION_LEVELS), "origin": text(choices=ORIGINS),
    },
    "events": {
        "exercise_id": text(200), "kind": text(20, pattern=_KIND), "created_at": moment(),
        "data": json_text(_object),
    },
    "cards": {
        "id": text(200), "kind": text(choices=CARD_KINDS), "ref": text(200),
        "created_at": moment(), "due": moment(), "card": json_text(_card_state),
    },
    "reviews": {
        "card_id": text(200), "rating": integer(1, 4), "reviewed_at": moment(),
        "source": text(choices=REVIEW_SOURCES), "log": json_text(_object),
    },
    "runs": {
        "id": integer(1), "project_id": text(100), "created_at": moment(),
        "seed": integer(), "status": text(choices=RUN_STATUSES),
        "metric": number(-1e300, null=True), "passed": integer(0, 1),
        "reproduces": integer(1, null=True), "verified_by": integer(1, null=True),
        "duration_s": number(), "code_sha256": text(64, pattern=_HEX, empty=True),
        "code": text(50_000_000, empty=True), "result": json_text(_object),
        "isolation": text(choices=ISOLATION_LEVELS), "origin": text(choices=ORIGINS),
    },
}
# Local autoincrement ids: exported by older versions, never imported.
_DROPPED_IDS = {"attempts", "events", "reviews"}


def _scalar(value: Any) -> str | None:
    """A column this version does not describe but the database has (a newer migration):
    any plain value."""
    if value is None or (isinstance(value, str | int | float) and not isinstance(value, bool)):
        return None
    return f"must be text, a number or null, not {type_name(value)}"


def check_rows(table: str, rows: Any, columns: dict[str, bool]) -> list[dict[str, Any]]:
    """The rows of ``table`` checked field by field, keeping the columns the database has
    (``columns``: name -> required, from :meth:`Store.columns`)."""
    if not isinstance(rows, list):
        raise UsageError(f"{table}: must be a list of records, not {type_name(rows)}")
    spec = TABLES[table]
    required = {name for name, needed in columns.items() if needed} - {"id"} - set(
        OPTIONAL_DEFAULTS)
    if table == "cards":
        required |= {"id"}
    out = []
    for i, row in enumerate(rows):
        where = f"{table}[{i}]"
        if not isinstance(row, dict):
            raise UsageError(f"{where}: must be an object, not {type_name(row)}")
        missing = sorted(required - set(row))
        if missing:
            raise UsageError(f"{where} lacks {missing} (a record of {table} needs "
                             f"{', '.join(sorted(required))})")
        kept: dict[str, Any] = {}
        for name, value in row.items():
            if name == "id" and table in _DROPPED_IDS:
                continue
            rule = spec.get(name)
            if rule is None and name not in columns:
                raise UsageError(f"{where}: unknown field {shown(name)} (a record of {table} "
                                 f"has {', '.join(sorted(spec))})")
            problem = (rule or _scalar)(value)
            if problem:
                raise UsageError(f"{where}.{name} {problem}")
            if name in columns:
                kept[name] = value
        for name, default in OPTIONAL_DEFAULTS.items():
            if name in columns and name not in kept:
                kept[name] = default
        out.append(kept)
    return out


def imported_origin(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mark imported attempts and runs as such: whoever did them, and under whichever
    grader, this home did not see it, so they are history, never evidence. A run of our
    reference stays 'reference' (it never was the learner's)."""
    for row in rows:
        if "origin" in row:
            row["origin"] = "reference" if row["origin"] == "reference" else "imported"
    return rows


def check_references(cards: list[dict[str, Any]], reviews: list[dict[str, Any]],
                     runs: list[dict[str, Any]], cards_here: set[str]) -> None:
    """Ids that must agree across records (only the fields' own rules are checked above)."""
    seen: set[str] = set()
    for i, card in enumerate(cards):
        if card["id"] != f"{card['kind']}:{card['ref']}":
            raise UsageError(f"cards[{i}].id is {shown(card['id'])}, but the {card['kind']} "
                             f"card for {shown(card['ref'])} has the id "
                             f"{shown(card['kind'] + ':' + card['ref'])}")
        if card["id"] in seen:
            raise UsageError(f"cards[{i}].id {shown(card['id'])} appears twice")
        seen.add(card["id"])
    known = seen | cards_here
    for i, review in enumerate(reviews):
        if review["card_id"] not in known:
            raise UsageError(f"reviews[{i}].card_id {shown(review['card_id'])} is not a card "
                             "in this file or in this home")
    ids: set[int] = set()
    for i, run in enumerate(runs):
        if "id" in run:
            if run["id"] in ids:
                raise UsageError(f"runs[{i}].id {run['id']} appears twice")
            ids.add(run["id"])
    for i, run in enumerate(runs):
        for link in ("reproduces", "verified_by"):
            if run.get(link) is not None and run[link] not in ids:
                raise UsageError(f"runs[{i}].{link} is {run[link]}, which is not the id of "
                                 "a run in this file")


def check_settings(settings: Any, derived: set[str]) -> dict[str, Any]:
    """Known settings with sane values; ``derived`` (caches) are dropped unchecked."""
    from deepcareer.store.settings import check_goal_setting

    if not isinstance(settings, dict):
        raise UsageError(f"settings: must be an object, not {type_name(settings)}")
    out: dict[str, Any] = {}
    for key, value in settings.items():
        if key in derived:
            continue
        if key == "goal":
            try:
                check_goal_setting(value)
            except UsageError as exc:  # "must be ...", "has ..." or "field: ..."
                whole = exc.message.startswith(("must", "has"))
                raise UsageError(f"settings.goal{' ' if whole else '.'}{exc.message}") from exc
        elif key == "self_reported_skills":
            if not (isinstance(value, list) and len(value) <= 1000
                    and all(isinstance(s, str) and 0 < len(s) <= 100 for s in value)):
                raise UsageError("settings.self_reported_skills must be a list of skill ids "
                                 "(text)")
        else:
            raise UsageError(f"settings: {shown(key)} is not a setting deepcareer knows "
                             "(known: goal, self_reported_skills)")
        out[key] = value
    return out
