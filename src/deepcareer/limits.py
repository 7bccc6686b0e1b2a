"""How much deepcareer accepts from outside, and the checks that say so in a sentence.

One number per kind of input, checked where the input arrives and again in the
application layer, so every face (terminal, browser, notebook, import) refuses the
same things with the same words, before anything is graded, written or stored:

- learner code: at most ``MAX_CODE_BYTES`` of UTF-8 text (a long exercise answer is a
  few kilobytes; this leaves a hundredfold margin and keeps the attempt log small);
- a web request body: at most ``MAX_REQUEST_BYTES`` (the code plus JSON escaping);
- an export file to import: at most ``MAX_IMPORT_BYTES``;
- JSON from anywhere: nested at most ``MAX_JSON_DEPTH`` deep, standard JSON only (no
  ``NaN``), every string valid Unicode (no lone surrogates such as ``"\\ud800"``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from deepcareer.errors import UsageError

MAX_CODE_BYTES = 200_000
MAX_REQUEST_BYTES = 1_000_000
MAX_IMPORT_BYTES = 256_000_000
MAX_JSON_DEPTH = 32


def size_text(n: int) -> str:
    """``1,234,567 bytes (1.2 MB)``: exact, and readable at a glance."""
    if n >= 1_000_000:
        return f"{n:,} bytes ({n / 1e6:.1f} MB)"
    if n >= 1_000:
        return f"{n:,} bytes ({n / 1e3:.0f} KB)"
    return f"{n:,} bytes"


def _too_big(what: str, size: int) -> UsageError:
    return UsageError(f"{what} is {size_text(size)}; deepcareer grades code up to "
                      f"{size_text(MAX_CODE_BYTES)}. Nothing was graded or saved.")


def check_code(source: object, what: str = "The code") -> str:
    """``source`` if it is gradable text within the size limit; a UsageError otherwise.

    Called by every use case that grades or stores learner code, before either.
    """
    if not isinstance(source, str):
        raise UsageError(f"{what} must be text (a string), not {type_name(source)}.")
    if len(source) > MAX_CODE_BYTES:  # at least that many bytes: no need to encode it all
        raise _too_big(what, len(source.encode("utf-8", "surrogatepass")))
    try:
        size = len(source.encode("utf-8"))
    except UnicodeEncodeError as exc:
        line = source.count("\n", 0, exc.start) + 1
        raise UsageError(
            f"{what} is not valid Unicode text: line {line} holds a lone surrogate "
            f"(U+{ord(source[exc.start]):04X}), half of a character. Nothing was graded or "
            "saved; retype or delete that character.") from exc
    if size > MAX_CODE_BYTES:
        raise _too_big(what, size)
    return source


def read_code_file(path: Path) -> str:
    """A learner's file as text, refusing one that is too large before reading it whole."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_CODE_BYTES + 1)
            if len(data) > MAX_CODE_BYTES:
                fh.seek(0, 2)
                raise _too_big(str(path), fh.tell())
    except FileNotFoundError as exc:
        raise UsageError(f"There is no file at {path}.") from exc
    except IsADirectoryError as exc:
        raise UsageError(f"{path} is a folder; pass the Python file in it.") from exc
    except OSError as exc:
        raise UsageError(f"Cannot read {path}: {exc.strerror}.") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path} is not UTF-8 text (byte {exc.start:,} cannot be read); "
                         "save it as UTF-8 and check again. Nothing was graded or "
                         "saved.") from exc


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not standard JSON")


def parse_json(data: bytes | str, what: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON from outside; a UsageError naming ``what`` for anything malformed.

    Refused: bytes that are not UTF-8, syntax errors, ``NaN``/``Infinity``, nesting deeper
    than ``max_depth`` (also when it is deep enough to exhaust Python's recursion
    limit) and strings with lone surrogates. What comes back is safe to walk, store
    and print.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UsageError(f"{what} is not UTF-8 text (byte {exc.start:,} cannot be "
                             "read).") from exc
    try:
        value = json.loads(data, parse_constant=_no_constants)
    except RecursionError as exc:
        raise UsageError(f"{what} is nested too deeply (more than {max_depth} levels of "
                         "lists and objects).") from exc
    except ValueError as exc:  # JSONDecodeError is a ValueError, and so is NaN's refusal
        raise UsageError(f"{what} is not valid JSON ({exc}).") from exc
    _check_tree(value, what, max_depth)
    return value


def _check_tree(value: Any, what: str, max_depth: int) -> None:
    """Depth and Unicode of every node, without recursion (the tree came from outside)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            _check_text(node, what)
        elif isinstance(node, dict | list):
            if depth >= max_depth:
                raise UsageError(f"{what} is nested too deeply (more than {max_depth} "
                                 "levels of lists and objects).")
            if isinstance(node, dict):
                for key, item in node.items():
                    _check_text(key, what)
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in node)


def _check_text(text: str, what: str) -> None:
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise UsageError(f"{what} holds a string with a lone surrogate "
                         f"(U+{ord(text[exc.start]):04X}), which is not valid Unicode "
                         "text.") from exc


def shown(value: object, width: int = 60) -> str:
    """A value from outside as it may appear in a message: its repr, cut to ``width``."""
    text = repr(value)
    return text if len(text) <= width else f"{text[:width - 5]}...{text[-2:]}"


def type_name(value: object) -> str:
    """What a JSON value is, in words: ``a number``, ``a list``, ``null``..."""
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string",
             list: "a list", dict: "an object", type(None): "null"}
    return names.get(type(value), type(value).__name__)
