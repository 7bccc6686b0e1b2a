"""Export the whole store to JSON and import it back, losing nothing.

Import merges: rows already present (same time, exercise and content) are
skipped, so importing the same file twice, or into a home that shares history,
never duplicates evidence.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from deepcareer import __version__
from deepcareer.errors import UsageError
from deepcareer.store.db import TALLY_KEY, Store, insert_rows, iso

FORMAT = "deepcareer-export"
FORMAT_VERSION = 1
_ATTEMPT_KEY = ("exercise_id", "created_at", "status", "code_sha256")
_EVENT_KEY = ("exercise_id", "created_at", "kind", "data")
_REVIEW_KEY = ("card_id", "reviewed_at", "rating", "source")
_RUN_KEY = ("project_id", "created_at", "seed", "code_sha256")
_DERIVED_SETTINGS = {"mastery_cursor", "time_cursor", TALLY_KEY}  # caches: never exported


def export_data(store: Store) -> dict[str, Any]:
    attempts = store.read("SELECT * FROM attempts ORDER BY id")
    events = store.read("SELECT * FROM events ORDER BY id")
    reviews = store.reviews()
    for row in [*attempts, *events, *reviews]:
        row.pop("id")
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "deepcareer_version": __version__,
        "exported_at": iso(store.clock()),
        "attempts": attempts,
        "events": events,
        "cards": store.cards(),
        "reviews": reviews,
        "runs": store.read("SELECT * FROM runs ORDER BY id"),  # ids kept: runs refer to runs
        "settings": {k: v for k, v in store.settings().items() if k not in _DERIVED_SETTINGS},
    }


def export_file(store: Store, path: Path) -> dict[str, int]:
    data = export_data(store)
    from deepcareer.atomic import write_text_atomic

    write_text_atomic(path, json.dumps(data, indent=1, sort_keys=True))
    return {"attempts": len(data["attempts"]), "events": len(data["events"])}


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError(f"There is no file at {path}.") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path} is not a deepcareer export (not readable JSON: {exc}).") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UsageError(f"{path} is not a deepcareer export (no \"format\": \"{FORMAT}\").")
    if data.get("format_version", 0) > FORMAT_VERSION:
        raise UsageError(f"{path} was written by a newer deepcareer; upgrade to import it.")
    return data


def _rows(data: dict[str, Any], key: str, store: Store, *, keep_id: bool = False
          ) -> list[dict[str, Any]]:
    """Rows of ``key`` checked against the table of that name; ``id`` is dropped unless
    it is the row's stable identity (cards), not a local autoincrement."""
    table = store.columns(key)
    columns = set(table) - (set() if keep_id else {"id"})
    rows = data.get(key, [])
    if not isinstance(rows, list):
        raise UsageError(f"the export's {key!r} is not a list")
    out = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise UsageError(f"{key}[{i}] in the export is not an object")
        missing = {name for name, required in table.items()
                   if required and (keep_id or name != "id")} - set(row)
        if missing:
            raise UsageError(f"{key}[{i}] in the export lacks {sorted(missing)}")
        out.append({k: v for k, v in row.items() if k in columns})
    return out


def import_file(store: Store, path: Path) -> dict[str, int]:
    """Merge an export into ``store`` in one transaction; returns rows added."""
    data = _load(path)
    attempts = _rows(data, "attempts", store)
    events = _rows(data, "events", store)
    cards = _rows(data, "cards", store, keep_id=True)
    reviews = _rows(data, "reviews", store)
    runs = _rows(data, "runs", store, keep_id=True)
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise UsageError("the export's 'settings' is not an object")
    settings = {k: v for k, v in settings.items() if k not in _DERIVED_SETTINGS}
    have_a = {tuple(r[k] for k in _ATTEMPT_KEY) for r in store.read("SELECT * FROM attempts")}
    have_e = {tuple(r[k] for k in _EVENT_KEY) for r in store.read("SELECT * FROM events")}
    new_a = [r for r in attempts if tuple(r.get(k) for k in _ATTEMPT_KEY) not in have_a]
    new_e = [r for r in events if tuple(r.get(k) for k in _EVENT_KEY) not in have_e]
    have_r = {tuple(r[k] for k in _REVIEW_KEY) for r in store.reviews()}
    new_r = [r for r in reviews if tuple(r.get(k) for k in _REVIEW_KEY) not in have_r]
    have_c = {r["id"] for r in store.cards()}
    new_c = [r for r in cards if r["id"] not in have_c]  # a card here already is newer or equal
    have_runs = {tuple(r[k] for k in _RUN_KEY) for r in store.read("SELECT * FROM runs")}
    new_runs = [r for r in runs if tuple(r.get(k) for k in _RUN_KEY) not in have_runs]
    with store.transaction() as conn:
        _insert_runs(conn, new_runs)
        for table, rows in (("cards", new_c), ("reviews", new_r), ("attempts", new_a),
                            ("events", new_e)):
            for row in rows:  # rows of an export may differ in which optional keys they have
                insert_rows(conn, table, [row])
        # Imported history may be older than what is here: rebuild mastery from scratch.
        conn.executemany("DELETE FROM settings WHERE key = ?",
                         [(k,) for k in sorted(_DERIVED_SETTINGS)])
        conn.executemany("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                         [(k, json.dumps(v)) for k, v in settings.items()])
    return {"attempts": len(new_a), "events": len(new_e), "cards": len(new_c),
            "reviews": len(new_r), "runs": len(new_runs)}


def _insert_runs(conn: Any, runs: list[dict[str, Any]]) -> None:
    """Insert runs under new ids and point ``reproduces``/``verified_by`` at them."""
    new_id: dict[int, int] = {}
    for row in runs:
        old = row.pop("id", None)
        links = {k: row.pop(k, None) for k in ("reproduces", "verified_by")}
        rid = insert_rows(conn, "runs", [row])
        if isinstance(old, int):
            new_id[old] = rid
        row.update(links, id=rid)  # for the second pass
    for row in runs:
        for key in ("reproduces", "verified_by"):
            if row.get(key) in new_id:
                conn.execute(f"UPDATE runs SET {key} = ? WHERE id = ?",
                             (new_id[row[key]], row["id"]))
