"""Task functions of the DAGs that need no server."""

from __future__ import annotations

import pytest

from webstat.errors import BadDataError
from webstat.tasks.daily import check_reject_share


def test_the_reject_gate_passes_at_the_threshold_and_fails_above_it():
    check_reject_share(5, 100, 5.0)  # exactly 5 %: passes
    check_reject_share(0, 0, 5.0)  # nothing to load: passes
    with pytest.raises(BadDataError, match=r"6 of 100 lines \(6.0 %\) were rejected"):
        check_reject_share(6, 100, 5.0)


def test_period_params_are_validated():
    from datetime import date

    from webstat.dates import parse_period

    assert parse_period("2026-11-01", "2026-11-30") == (date(2026, 11, 1), date(2026, 11, 30))
    assert parse_period("2026-11-05", "2026-11-05") == (date(2026, 11, 5), date(2026, 11, 5))
    assert parse_period(date(2026, 11, 1), "2026-11-02") == (date(2026, 11, 1), date(2026, 11, 2))
    with pytest.raises(BadDataError, match="end 2026-11-01 is before start 2026-11-30"):
        parse_period("2026-11-30", "2026-11-01")
    with pytest.raises(BadDataError, match=r"^--end 2026-11-01 is before --start 2026-11-30$"):
        parse_period("2026-11-30", "2026-11-01", names=("--start", "--end"))
    with pytest.raises(BadDataError, match=r"start='last week' is not a date \(YYYY-MM-DD\)"):
        parse_period("last week", "2026-11-01")
    with pytest.raises(BadDataError, match=r"end='30.11.2026' is not a date"):
        parse_period("2026-11-01", "30.11.2026")


def test_the_period_task_returns_the_reports_uris(monkeypatch):
    """The task's XCom: the folder, every file's URI and the row counts (not a str())."""
    from contextlib import nullcontext
    from datetime import date

    from webstat import reports, warehouse
    from webstat.reports import ReportResult
    from webstat.settings import load_settings
    from webstat.tasks.period import period_report

    calls = []

    def render(conn, start, end, webinar, settings, *, run_id=None):
        calls.append((start, end, webinar, run_id))
        folder = "file:///a/periods/2026-11-01_2026-11-30"
        files = {n: f"{folder}/{n}" for n in ("report.xlsx", "report.pdf", "manifest.json")}
        return ReportResult("period", folder, files, {"sessions": 3}, manifest={})

    monkeypatch.setattr(reports, "render_period_report", render)
    monkeypatch.setattr(warehouse, "connect", lambda settings: nullcontext())
    out = period_report("2026-11-01", "2026-11-30", "  ", run_id="r1", settings=load_settings())
    assert calls == [(date(2026, 11, 1), date(2026, 11, 30), None, "r1")]
    assert out == {
        "kind": "period",
        "uri": "file:///a/periods/2026-11-01_2026-11-30",
        "files": {
            "report.xlsx": "file:///a/periods/2026-11-01_2026-11-30/report.xlsx",
            "report.pdf": "file:///a/periods/2026-11-01_2026-11-30/report.pdf",
            "manifest.json": "file:///a/periods/2026-11-01_2026-11-30/manifest.json",
        },
        "row_counts": {"sessions": 3},
    }
    with pytest.raises(BadDataError, match="end 2026-11-01 is before start 2026-11-30"):
        period_report("2026-11-30", "2026-11-01", settings=load_settings())
    assert len(calls) == 1  # refused before the warehouse is touched
