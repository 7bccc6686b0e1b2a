"""Export the whole store to JSON and import it back, losing nothing.

Imported attempts and runs are marked ``origin = 'imported'`` (a run of our reference
stays ``'reference'``): they are kept as history, never counted as evidence.

Import merges: rows already present (same time, exercise and content) are
skipped, so importing the same file twice, or into a home that shares history,
never duplicates evidence. Every record is checked before anything is written
(``records``), and all are written in one transaction: a file is imported whole
or not at all.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from deepcareer import __version__
from deepcareer.errors import UsageError
from deepcareer.limits import MAX_IMPORT_BYTES, parse_json, shown, size_text, type_name
from deepcareer.store.db import TALLY_KEY, Store, insert_rows, iso
from deepcareer.store.records import (
    check_references,
    check_rows,
    check_settings,
    imported_origin,
)

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
    reviews: list[dict[str, Any]] = [dict(r) for r in store.reviews()]
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


_TOP_LEVEL = {"format", "format_version", "deepcareer_version", "exported_at", "settings"}
_TABLES = ("attempts", "events", "cards", "reviews", "runs")


def _load(path: Path) -> dict[str, Any]:
    """The file's JSON, refused before parsing when too large, and after when malformed
    (not UTF-8, not JSON, nested too deeply, lone surrogates) or not an export."""
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise UsageError(f"{path} is {size_text(size)}; deepcareer imports files up to "
                             f"{size_text(MAX_IMPORT_BYTES)}. Nothing was imported.")
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise UsageError(f"There is no file at {path}.") from exc
    except IsADirectoryError as exc:
        raise UsageError(f"{path} is a folder, not a file written by `deepcareer export`.") \
            from exc
    except OSError as exc:
        raise UsageError(f"Cannot read {path}: {exc.strerror}.") from exc
    try:
        data = parse_json(raw, "it")
    except UsageError as exc:
        raise UsageError(f"{path} is not a deepcareer export: {exc.message}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UsageError(f"{path} is not a deepcareer export (no \"format\": \"{FORMAT}\").")
    version = data.get("format_version", 0)
    if isinstance(version, bool) or not isinstance(version, int):
        raise UsageError(f"{path}: format_version must be a whole number, not "
                         f"{type_name(version)}.")
    if version > FORMAT_VERSION:
        raise UsageError(f"{path} was written by a newer deepcareer; upgrade to import it.")
    unknown = sorted(set(data) - _TOP_LEVEL - set(_TABLES))
    if unknown:
        raise UsageError(f"{path}: {shown(unknown[0])} is not a table of a deepcareer export "
                         f"(known: {', '.join(_TABLES)}, settings).")
    return data


def _checked(store: Store, data: dict[str, Any]) -> dict[str, Any]:
    """Every record checked (see ``records``); the first problem is a UsageError naming
    the table, the index and the field."""
    rows = {table: check_rows(table, data.get(table, []), store.columns(table))
            for table in _TABLES}
    for table in ("attempts", "runs"):
        imported_origin(rows[table])
    cards_here = {r["id"] for r in store.read("SELECT id FROM cards")}
    check_references(rows["cards"], rows["reviews"], rows["runs"], cards_here)
    return {**rows, "settings": check_settings(data.get("settings", {}), _DERIVED_SETTINGS)}


def import_file(store: Store, path: Path) -> dict[str, int]:
    """Merge an export into ``store``: every record is checked first, then all are
    written in one transaction, or none (a UsageError says which record is wrong and
    why); returns rows added."""
    data = _load(path)
    try:
        checked = _checked(store, data)
    except UsageError as exc:
        raise UsageError(f"{path} was not imported (nothing changed): "
                         f"{exc.message.rstrip('.')}.") from exc
    with store.transaction() as conn:  # reads inside it too: no writer slips in between
        return _merge(store, conn, checked)


def _merge(store: Store, conn: Any, checked: dict[str, Any]) -> dict[str, int]:
    have_a = {tuple(r[k] for k in _ATTEMPT_KEY) for r in store.read(
        f"SELECT {', '.join(_ATTEMPT_KEY)} FROM attempts")}
    have_e = {tuple(r[k] for k in _EVENT_KEY) for r in store.read(
        f"SELECT {', '.join(_EVENT_KEY)} FROM events")}
    have_r = {tuple(r[k] for k in _REVIEW_KEY) for r in store.read(
        f"SELECT {', '.join(_REVIEW_KEY)} FROM reviews")}
    have_c = {r["id"] for r in store.read("SELECT id FROM cards")}
    have_runs = {tuple(r[k] for k in _RUN_KEY) for r in store.read(
        f"SELECT {', '.join(_RUN_KEY)} FROM runs")}
    new_a = _fresh(checked["attempts"], _ATTEMPT_KEY, have_a)
    new_e = _fresh(checked["events"], _EVENT_KEY, have_e)
    new_r = _fresh(checked["reviews"], _REVIEW_KEY, have_r)
    new_c = [r for r in checked["cards"] if r["id"] not in have_c]  # here already: newer
    new_runs = _fresh(checked["runs"], _RUN_KEY, have_runs)
    _insert_runs(conn, new_runs)
    for table, rows in (("cards", new_c), ("reviews", new_r), ("attempts", new_a),
                        ("events", new_e)):
        for row in rows:  # rows of an export may differ in which optional keys they have
            insert_rows(conn, table, [row])
    # Imported history may be older than what is here: rebuild mastery from scratch.
    conn.executemany("DELETE FROM settings WHERE key = ?",
                     [(k,) for k in sorted(_DERIVED_SETTINGS)])
    conn.executemany("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                     [(k, json.dumps(v)) for k, v in checked["settings"].items()])
    return {"attempts": len(new_a), "events": len(new_e), "cards": len(new_c),
            "reviews": len(new_r), "runs": len(new_runs)}


def _fresh(rows: list[dict[str, Any]], key: tuple[str, ...], have: set[tuple[Any, ...]]
           ) -> list[dict[str, Any]]:
    """Rows not here yet (nor twice in the file)."""
    out = []
    for row in rows:
        k = tuple(row.get(name) for name in key)
        if k not in have:
            have.add(k)
            out.append(row)
    return out


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
