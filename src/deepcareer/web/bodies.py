"""Request bodies read with a size limit and parsed without surprises.

Every POST route reads its body through here, never with ``request.json()`` or
``request.form()`` directly: the body is read at most ``MAX_REQUEST_BYTES`` far (a
``Content-Length`` over it is refused before reading anything), JSON is parsed with a
depth limit and Unicode checks (:func:`deepcareer.limits.parse_json`), and each field
is checked for its type. What is wrong is said in a sentence: 413 for too large, 400
for malformed, as ``{"detail": "..."}`` under ``/api/`` and as the error page for forms.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from fastapi import HTTPException, Request
from starlette.datastructures import UploadFile
from starlette.types import Message

from deepcareer.errors import UsageError
from deepcareer.limits import MAX_REQUEST_BYTES, parse_json, size_text, type_name

MAX_FORM_FIELDS = 100


def _too_large(size: int, exact: bool = True) -> HTTPException:
    seen = size_text(size) if exact else f"over {size_text(MAX_REQUEST_BYTES)}"
    return HTTPException(413, f"The request is {seen}; deepcareer accepts requests up to "
                         f"{size_text(MAX_REQUEST_BYTES)}. Nothing was graded or saved.")


async def read_body(request: Request, limit: int = MAX_REQUEST_BYTES) -> bytes:
    """The raw body, or a 413 as soon as it is known to be longer than ``limit``."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise HTTPException(400, "The Content-Length header is not a number.")
        if int(declared) > limit:
            raise _too_large(int(declared))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(size, exact=False)
        chunks.append(chunk)
    return b"".join(chunks)


async def json_object(request: Request, fields: dict[str, type], example: str
                      ) -> dict[str, Any]:
    """The body as a JSON object holding ``fields`` (name -> type, all required).

    Other keys are ignored. A UsageError (400) names the first field that is missing or
    of the wrong type, and shows ``example``.
    """
    body = await read_body(request)
    if not body.strip():
        raise UsageError(f"The request has no body; send JSON like {example}.")
    try:
        value = parse_json(body, "The request body")
    except UsageError as exc:
        raise UsageError(f"{exc.message} Send JSON like {example}.") from exc
    if not isinstance(value, dict):
        raise UsageError(f"The request body is {type_name(value)}; send a JSON object like "
                         f"{example}.")
    for name, kind in fields.items():
        if name not in value:
            raise UsageError(f"The request body has no {name!r} field; send JSON like "
                             f"{example}.")
        got = value[name]
        if not isinstance(got, kind) or (isinstance(got, bool) and kind is not bool):
            raise UsageError(f"The request body's {name!r} is {type_name(got)}; it must be "
                             f"{type_name(kind())}. Send JSON like {example}.")
    return value


async def form_fields(request: Request, required: tuple[str, ...] = ()) -> dict[str, str]:
    """A form as text fields (the first value of each name). URL-encoded forms (what
    browsers and HTMX send) are decoded strictly, so text that is not UTF-8 is refused
    rather than silently changed; multipart forms are read by Starlette, files refused.
    A missing ``required`` field is refused with a sentence."""
    body = await read_body(request)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("application/x-www-form-urlencoded", "") or not body:
        pairs = _urlencoded(body)
    elif kind == "multipart/form-data":
        pairs = await _multipart(request, body)
    else:
        raise HTTPException(415, f"This address takes a form, not {kind}; send it as "
                            "application/x-www-form-urlencoded.")
    out: dict[str, str] = {}
    for name, value in pairs:
        out.setdefault(name, value)
    missing = [name for name in required if name not in out]
    if missing:
        raise UsageError(f"The form has no {missing[0]!r} field; reload the page and try "
                         "again.")
    return out


def _urlencoded(body: bytes) -> list[tuple[str, str]]:
    try:
        return parse_qsl(body.decode("utf-8"), keep_blank_values=True, encoding="utf-8",
                         errors="strict", max_num_fields=MAX_FORM_FIELDS)
    except UnicodeDecodeError as exc:
        raise UsageError("The form holds text that is not UTF-8; nothing was graded or "
                         "saved.") from exc
    except ValueError as exc:  # more than MAX_FORM_FIELDS fields
        raise UsageError(f"The form has more than {MAX_FORM_FIELDS} fields.") from exc


async def _multipart(request: Request, body: bytes) -> list[tuple[str, str]]:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    form = await Request(request.scope, replay).form(max_files=1, max_fields=MAX_FORM_FIELDS,
                                                     max_part_size=MAX_REQUEST_BYTES)
    pairs = []
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            await form.close()
            raise UsageError(f"The form field {name!r} is a file; paste its text instead.")
        pairs.append((name, value))
    return pairs
