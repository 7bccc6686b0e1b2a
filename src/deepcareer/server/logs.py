"""Structured logs for the class server: one JSON object per line on stderr, so a log
shipper (journald, Loki, CloudWatch) can filter on fields rather than parse sentences.

Every event names what happened (``event``) and the ids it concerns; learners' code and
reports are never logged.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

LOGGER = "deepcareer.server"
_FIELDS = ("event", "submission", "user", "status", "outcome", "seconds", "count", "worker")


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(), "logger": record.name,
            "message": record.getMessage()}
        for key in _FIELDS:
            if hasattr(record, key):
                data[key] = getattr(record, key)
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return json.dumps(data, default=str)


def setup(level: int = logging.INFO) -> logging.Logger:
    """Send the server's logs to stderr as JSON lines (idempotent)."""
    logger = logging.getLogger(LOGGER)
    if not any(isinstance(h.formatter, JsonLines) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLines())
        logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    return logger


def log() -> logging.Logger:
    return logging.getLogger(LOGGER)
