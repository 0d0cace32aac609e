"""Where reports go: the artifact layout of README.md ("Artifacts and schemas")."""

from __future__ import annotations

from datetime import date

import pytest

from webstat.errors import WebstatError
from webstat.reports import ReportResult, render_period_report
from webstat.reports.report import event_session_uri, path_segment, period_uri, slug
from webstat.settings import load_settings


def test_event_session_folder():
    assert event_session_uri("s3://bucket/prefix", date(2026, 11, 2), "es-1") == (
        "s3://bucket/prefix/events/2026-11-02/es-1"
    )
    assert event_session_uri("file:///data/artifacts", date(2026, 11, 2), "a/../b") == (
        "file:///data/artifacts/events/2026-11-02/a%2F..%2Fb"
    )


def test_path_segments_cannot_climb():
    assert path_segment("..") == "%2E%2E"
    assert path_segment(".") == "%2E"
    assert path_segment("") == "_"
    assert path_segment("es 1/2") == "es%201%2F2"
    assert path_segment("es-1_a.b") == "es-1_a.b"


def test_period_folder_and_slug():
    assert period_uri("s3://b/p", date(2026, 11, 1), date(2026, 11, 30), None) == (
        "s3://b/p/periods/2026-11-01_2026-11-30"
    )
    assert period_uri(
        "s3://b/p", date(2026, 11, 1), date(2026, 11, 30), "Вебинар: Аналитика 2026"
    ) == ("s3://b/p/periods/2026-11-01_2026-11-30_vebinar-analitika-2026")
    assert slug("Щука & ёжик!") == "shchuka-ezhik"
    assert slug("   ") == "webinar"
    assert slug("Ünïcödé Straße") == "unicode-strae"
    assert len(slug("x" * 200)) == 60


def test_period_arguments_are_checked_before_any_query(tmp_path):
    settings = load_settings({"WEBSTAT_ARTIFACTS_URI": str(tmp_path)})
    with pytest.raises(WebstatError, match="is before start"):
        render_period_report(None, "2026-11-30", "2026-11-01", None, settings)
    with pytest.raises(WebstatError, match="start='30.11.2026' is not a date"):
        render_period_report(None, "30.11.2026", "2026-12-01", None, settings)


def test_a_result_prints_as_its_files():
    result = ReportResult(
        "event_session",
        "s3://b/p",
        {"report.xlsx": "s3://b/p/report.xlsx", "manifest.json": "s3://b/p/m"},
        {},
        {},
    )
    assert str(result) == "s3://b/p/report.xlsx\ns3://b/p/m"
