"""Typed, validated records for content files, built from plain dataclasses.

Content metadata is read on every command, and importing pydantic's model machinery
costs about 30 ms, a fifth of ``deepcareer next``. The checks content needs are few
(types, ranges, lengths, patterns, no unknown keys), so this module does them itself and
words its errors for an author: ``difficulty: must be at most 5 (got 9)``.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from typing import Any, Literal, TypeVar, get_args, get_origin

T = TypeVar("T")


class RecordError(ValueError):
    """A content record that does not fit its schema; the message names the field."""


def spec(*, ge: float | None = None, le: float | None = None, lt: float | None = None,
         min_length: int | None = None, check: Callable[[Any], Any] | None = None
         ) -> dict[str, Any]:
    """Field metadata: ``field(default=..., metadata=spec(ge=1))``."""
    return {"ge": ge, "le": le, "lt": lt, "min_length": min_length, "check": check}


_HINTS: dict[type, dict[str, Any]] = {}
_FIELDS: dict[type, dict[str, dataclasses.Field[Any]]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _fields(cls: type) -> dict[str, dataclasses.Field[Any]]:
    if cls not in _FIELDS:
        _FIELDS[cls] = {f.name: f for f in dataclasses.fields(cls)}
    return _FIELDS[cls]


def build(cls: type[T], data: Any, where: str = "") -> T:
    """Check ``data`` (a mapping from TOML, YAML or JSON) against dataclass ``cls``."""
    if not isinstance(data, dict):
        raise RecordError(f"{where or cls.__name__}: expected a table of fields, "
                          f"got {type(data).__name__}")
    fields = _fields(cls)
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise RecordError(f"{where or cls.__name__}: unknown field(s) {', '.join(unknown)} "
                          f"(allowed: {', '.join(fields)})")
    hints = _hints(cls)
    values = {}
    for name, f in fields.items():
        path = f"{where}.{name}" if where else name
        if name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise RecordError(f"{path}: required")
            continue
        value = _convert(hints[name], data[name], path)
        _constrain(f.metadata, value, path)
        values[name] = value
    return cls(**values)


def _convert(hint: Any, value: Any, path: str) -> Any:
    origin = get_origin(hint)
    if origin is Literal:
        if value not in get_args(hint):
            raise RecordError(f"{path}: must be one of {', '.join(map(repr, get_args(hint)))} "
                              f"(got {value!r})")
        return value
    if origin in (types.UnionType, typing.Union):
        options = get_args(hint)
        if value is None and type(None) in options:
            return None
        (inner,) = [o for o in options if o is not type(None)]
        return _convert(inner, value, path)
    if origin in (list, tuple):
        if not isinstance(value, list):
            raise RecordError(f"{path}: expected a list, got {value!r}")
        (item,) = get_args(hint)[:1]
        converted = [_convert(item, v, f"{path}[{i}]") for i, v in enumerate(value)]
        return tuple(converted) if origin is tuple else converted
    if origin is dict:
        if not isinstance(value, dict):
            raise RecordError(f"{path}: expected a table, got {value!r}")
        key_type, value_type = get_args(hint)
        return {_convert(key_type, k, f"{path} key"): _convert(value_type, v, f"{path}.{k}")
                for k, v in value.items()}
    if dataclasses.is_dataclass(hint):
        return build(hint, value, path)  # type: ignore[arg-type]
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint in (str, int, float, bool):
        if not isinstance(value, hint) or (hint is int and isinstance(value, bool)):
            raise RecordError(f"{path}: expected {hint.__name__}, got {value!r}")
        return value
    raise TypeError(f"records: unsupported field type {hint!r} at {path}")


def _constrain(meta: Any, value: Any, path: str) -> None:
    if not meta:
        return
    if meta.get("ge") is not None and value < meta["ge"]:
        raise RecordError(f"{path}: must be at least {meta['ge']} (got {value!r})")
    if meta.get("le") is not None and value > meta["le"]:
        raise RecordError(f"{path}: must be at most {meta['le']} (got {value!r})")
    if meta.get("lt") is not None and value >= meta["lt"]:
        raise RecordError(f"{path}: must be below {meta['lt']} (got {value!r})")
    if meta.get("min_length") is not None and len(value) < meta["min_length"]:
        raise RecordError(f"{path}: needs at least {meta['min_length']} item(s)")
    if meta.get("check") is not None:
        try:
            meta["check"](value)
        except ValueError as exc:
            raise RecordError(f"{path}: {exc}") from exc


def dump(record: Any) -> dict[str, Any]:
    """A record as plain data (for JSON output and cache keys)."""
    return dataclasses.asdict(record)
