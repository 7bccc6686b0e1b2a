"""One limit for learner code and one safe JSON parser, each refusing with a sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepcareer.errors import UsageError
from deepcareer.limits import MAX_CODE_BYTES, check_code, parse_json, read_code_file, shown


def test_code_within_the_limit_passes_and_larger_code_is_refused_with_both_sizes() -> None:
    ok = "x = 1\n" * (MAX_CODE_BYTES // 6)
    assert check_code(ok) == ok
    with pytest.raises(UsageError) as caught:
        check_code("é" * (MAX_CODE_BYTES // 2 + 1))  # few characters, more bytes
    message = caught.value.message
    assert "200,002 bytes" in message and "200,000 bytes" in message
    assert "Nothing was graded or saved" in message
    with pytest.raises(UsageError, match="52,428,800 bytes"):
        check_code("#" * 52_428_800)


def test_code_with_a_lone_surrogate_or_of_another_type_is_refused() -> None:
    with pytest.raises(UsageError, match=r"line 2 holds a lone surrogate \(U\+D800\)"):
        check_code("x = 1\ny = '\ud800'\n")
    with pytest.raises(UsageError, match="must be text"):
        check_code(5)


def test_a_large_file_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    big = tmp_path / "big.py"
    with open(big, "wb") as fh:
        fh.truncate(50 * 2**20)  # 50 MiB of zeros, sparse: cheap to make
    with pytest.raises(UsageError, match=r"52,428,800 bytes \(52\.4 MB\).*200,000 bytes"):
        read_code_file(big)
    latin = tmp_path / "latin.py"
    latin.write_bytes(b"x = '\xe9'\n")
    with pytest.raises(UsageError, match="not UTF-8"):
        read_code_file(latin)
    with pytest.raises(UsageError, match="no file"):
        read_code_file(tmp_path / "missing.py")
    with pytest.raises(UsageError, match="is a folder"):
        read_code_file(tmp_path)


@pytest.mark.parametrize(("data", "fragment"), [
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),  # past Python's recursion limit
    (b"[" * 40 + b"]" * 40, "nested too deeply"),  # past our own depth limit
    (b'{"code": "\\ud800"}', "lone surrogate"),
    (b'{"a": {"\\udfff": 1}}', "lone surrogate"),  # in a key, too
    (b'{"x": NaN}', "not valid JSON"),
    (b"\xff\xfe", "not UTF-8"),
    (b"{", "not valid JSON"),
])
def test_parse_json_refuses_what_would_break_later(data: bytes, fragment: str) -> None:
    with pytest.raises(UsageError, match=fragment):
        parse_json(data, "The body")


def test_parse_json_accepts_ordinary_documents() -> None:
    assert parse_json('{"code": "é ✓", "n": [1, 2.5, null]}', "x") == {
        "code": "é ✓", "n": [1, 2.5, None]}


def test_values_in_messages_are_cut_short() -> None:
    assert len(shown("x" * 10_000)) <= 60 and shown("ab") == "'ab'"
