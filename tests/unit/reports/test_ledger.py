"""The one-line error a failed report records and logs."""

from __future__ import annotations

from webstat.errors import WebstatError
from webstat.reports.ledger import ERROR_MAX_CHARS, error_line


def test_first_line_with_the_type():
    exc = ValueError("Max value is 1000000\nTraceback details\nmore")
    assert error_line(exc) == "ValueError: Max value is 1000000"
    assert error_line(MemoryError()) == "MemoryError"


def test_credentials_are_masked():
    exc = WebstatError(
        "could not publish the report to s3://AKIA:s3cr%et@bucket/x:"
        " connect postgresql://webstat:hunter2@db:5432/w failed; password=hunter2 token=abc"
    )
    assert error_line(exc) == (
        "WebstatError: could not publish the report to s3://***@bucket/x:"
        " connect postgresql://***@db:5432/w failed; password=*** token=***"
    )


def test_long_errors_are_cut():
    line = error_line(RuntimeError("x" * 10_000))
    assert len(line) == ERROR_MAX_CHARS == 500
    assert line == "RuntimeError: " + "x" * (500 - len("RuntimeError: ") - 1) + "…"
