"""The class server's logs are JSON lines with the ids they concern, never code."""

from __future__ import annotations

import json
import logging

from deepcareer.server.logs import JsonLines


def test_a_log_line_is_json_with_its_fields() -> None:
    record = logging.LogRecord("deepcareer.server", logging.INFO, __file__, 1, "graded", (),
                               None)
    record.event, record.submission, record.status = "graded", "abc", "fail"
    line = JsonLines().format(record)
    data = json.loads(line)
    assert data["event"] == "graded" and data["submission"] == "abc"
    assert data["level"] == "info" and data["ts"].endswith("Z") and "\n" not in line
