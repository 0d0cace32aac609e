"""A report that fails never stops the others: the daily run's report tasks, end to end.

Real Postgres (a migrated warehouse with hand-made marts), real openpyxl / WeasyPrint,
a local artifacts folder. The failure is genuine: session ``es-fail-a`` gets a broken
clock, 1,000,001 attendance minutes (~694 days), more than a workbook's chart can
refer to (openpyxl refuses a chart row past 1,000,000; the event sheet's minutes start
on row 3, so 999,998 minutes is the most a workbook can chart).
"""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta

import psycopg
import pytest

from webstat.tasks.publish_sessions import ReportsFailed, render_sessions, sessions_to_report

pytestmark = pytest.mark.integration

BROKEN, OK_B, OK_C = "es-fail-a", "es-fail-b", "es-fail-c"
MINUTES = 1_000_001
ERROR = (
    "WebstatError: event session 'es-fail-a' has more than 999,998 attendance minutes,"
    " more than a workbook's chart can hold (is its clock broken?)"
)
# the fingerprint, spelled out here from its definition (docs/reports.md)
FINGERPRINT = """
select md5(s::text || coalesce((select string_agg(p::text, '|' order by p.participant_id)
                                from marts.fct_participants as p
                                where p.event_session_id = s.event_session_id), ''))
from marts.fct_event_sessions as s where s.event_session_id = %s
"""


def one(url: str, sql: str, params=()):
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchone()


def failure(url: str, sid: str):
    """(fingerprint, error, attempts, last_run_id) of the session's failure row, or None."""
    return one(
        url,
        "select fingerprint, error, attempts, last_run_id from raw.report_failures"
        " where event_session_id = %s",
        (sid,),
    )


def published(url: str) -> dict[str, tuple[str, str | None]]:
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "select event_session_id, fingerprint, run_id from raw.published_reports"
        ).fetchall()
    return {sid: (fp, run_id) for sid, fp, run_id in rows}


class Records(logging.Handler):
    """The records of one logger (on the logger itself: Airflow, once imported by the
    storage layer, reconfigures the root logger's handlers)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def messages(self, level: int) -> list[str]:
        return [r.getMessage() for r in self.records if r.levelno == level]


@pytest.fixture()
def records():
    logger = logging.getLogger("webstat.tasks.publish_sessions")
    handler, level = Records(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_a_failing_report_never_stops_the_others(
    warehouse_marts, warehouse_url, tmp_path, records, monkeypatch
):
    from webstat.settings import load_settings

    env = {
        "WEBSTAT_WAREHOUSE_URL": warehouse_url,
        "WEBSTAT_ARTIFACTS_URI": str(tmp_path / "artifacts"),
        "WEBSTAT_TIMEZONE": "Europe/Moscow",
        "WEBSTAT_LOCALE": "ru",
    }
    settings = load_settings(env)
    url, m = warehouse_url, warehouse_marts
    folder = tmp_path / "artifacts" / "events" / "2026-11-02"

    def fp(sid: str) -> str:
        return one(url, FINGERPRINT, (sid,))[0]

    # run 0: the session is published as it was (a 2-hour session, 120 minutes)
    m.insert_worked_example(BROKEN)
    assert sessions_to_report(settings) == [[BROKEN]]
    render_sessions([BROKEN], run_id="r0", settings=settings)
    old_fp = fp(BROKEN)
    old_manifest = (folder / BROKEN / "manifest.json").read_bytes()

    # then its clock breaks: it "ends" 1,000,001 minutes after it started; dbt rebuilds it
    m.execute(
        "insert into marts.fct_attendance_minutes"
        " select %s, started_at + make_interval(mins => i), 1"
        " from marts.fct_event_sessions, generate_series(120, %s - 1) as i"
        " where event_session_id = %s",
        (BROKEN, MINUTES, BROKEN),
    )
    m.execute(
        "update marts.fct_event_sessions set ended_at = started_at + make_interval(mins => %s),"
        " duration_seconds = %s where event_session_id = %s",
        (MINUTES, MINUTES * 60, BROKEN),
    )
    m.execute("insert into intermediate.int_sessions_to_rebuild values (%s)", (BROKEN,))
    m.insert_worked_example(OK_B)
    m.insert_worked_example(OK_C)
    new_fp = fp(BROKEN)
    assert new_fp != old_fp
    count = "select count(*) from marts.fct_attendance_minutes where event_session_id = %s"
    assert one(url, count, (BROKEN,))[0] == MINUTES

    # run 1: three sessions of equal size, planned into the two render slots (a, c | b);
    # rendered as one batch, the broken session first: the two after it are published
    assert sessions_to_report(settings) == [[BROKEN, OK_C], [OK_B]]
    with pytest.raises(ReportsFailed) as raised:
        render_sessions([BROKEN, OK_B, OK_C], run_id="r1", settings=settings)
    assert str(raised.value) == (
        "1 of 3 event session report(s) failed: es-fail-a"
        " (2 published; errors in raw.report_failures)"
    )
    assert raised.value.failed == [BROKEN]
    assert published(url) == {
        BROKEN: (old_fp, "r0"),  # still the last good publication
        OK_B: (fp(OK_B), "r1"),
        OK_C: (fp(OK_C), "r1"),
    }
    for sid in (OK_B, OK_C):
        manifest = json.loads((folder / sid / "manifest.json").read_text())
        assert manifest["row_counts"]["attendance_minutes"] == 120
        assert sorted(manifest["files"]) == ["report.pdf", "report.xlsx"]
    # nothing half-written: the broken session's folder still holds its last good report
    assert (folder / BROKEN / "manifest.json").read_bytes() == old_manifest
    assert failure(url, BROKEN) == (new_fp, ERROR, 1, "r1")
    assert records.messages(logging.ERROR) == [
        f"event session es-fail-a: report failed (1 of 3 runs before it is no longer retried):"
        f" {ERROR}"
    ]

    # the task retried by Airflow (same run): tried again, still one failed run
    with pytest.raises(ReportsFailed, match=r"^1 of 3 .*: es-fail-a \(0 published"):
        render_sessions([BROKEN, OK_B, OK_C], run_id="r1", settings=settings)
    assert failure(url, BROKEN)[2:] == (1, "r1")

    # runs 2 and 3: dbt rebuilt nothing, the failure alone makes it a candidate again
    m.execute("delete from intermediate.int_sessions_to_rebuild")
    for attempt, run in ((2, "r2"), (3, "r3")):
        assert sessions_to_report(settings) == [[BROKEN]]
        with pytest.raises(ReportsFailed):
            render_sessions([BROKEN], run_id=run, settings=settings)
        assert failure(url, BROKEN) == (new_fp, ERROR, attempt, run)

    # run 4: failed in 3 runs with these data -> skipped, logged, and the run succeeds
    records.records.clear()
    assert sessions_to_report(settings) == []
    assert render_sessions([BROKEN], run_id="r4", settings=settings) == []  # a stale task list
    skipped = records.messages(logging.WARNING)
    assert len(skipped) == 2 and all(
        msg.startswith("event session es-fail-a skipped: its report failed in 3 runs")
        for msg in skipped
    )
    assert failure(url, BROKEN) == (new_fp, ERROR, 3, "r3")

    # other data (a new fingerprint) make it a candidate again; the same data do not
    messages = "update marts.fct_event_sessions set messages_count = %s where event_session_id = %s"
    m.execute(messages, (11, BROKEN))
    assert sessions_to_report(settings) == [[BROKEN]]
    m.execute(messages, (10, BROKEN))
    assert sessions_to_report(settings) == []

    # by hand: the minutes repaired (they are not part of the fingerprint, so the daily
    # run would still skip it); `webstat report --event-session` publishes it and clears it
    m.execute(
        "delete from marts.fct_attendance_minutes where event_session_id = %s and minute_at >= %s",
        (BROKEN, m.session_row(BROKEN)["started_at"] + timedelta(minutes=120)),
    )
    from webstat.cli import main

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["report", "--event-session", BROKEN]) == 0
    assert failure(url, BROKEN) is None
    fingerprint, run_id = published(url)[BROKEN]
    # a report made by hand is recorded with the command's run id, cli:<UTC second>
    assert fingerprint == new_fp and re.fullmatch(r"cli:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", run_id)
    manifest = json.loads((folder / BROKEN / "manifest.json").read_text())
    assert manifest["row_counts"]["attendance_minutes"] == 120
    assert sessions_to_report(settings) == []


def test_a_new_fingerprint_starts_the_count_again(warehouse_marts, warehouse_url, tmp_path):
    """Failures without a run id (by hand, tests) count one each; other data reset them."""
    from webstat.reports import ledger

    sid = "es-fail-count"
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        assert ledger.record_failure(conn, sid, "fp-1", "E: one", None) == 1
        assert ledger.record_failure(conn, sid, "fp-1", "E: two", None) == 2
        assert ledger.record_failure(conn, sid, "fp-1", "E: three", "run-x") == 3
        assert ledger.record_failure(conn, sid, "fp-1", "E: three again", "run-x") == 3
        assert ledger.given_up(conn, {sid: "fp-1"}) == {sid: (3, "E: three again")}
        assert ledger.given_up(conn, {sid: "fp-2"}) == {}
        first = conn.execute(
            "select first_failed_at from raw.report_failures where event_session_id = %s", (sid,)
        ).fetchone()[0]
        assert ledger.record_failure(conn, sid, "fp-2", "E: new data", "run-y") == 1
        again = conn.execute(
            "select first_failed_at from raw.report_failures where event_session_id = %s", (sid,)
        ).fetchone()[0]
        assert again > first
        ledger.record_publication(conn, sid, "fp-2", "file:///x", "run-z")
        assert (
            conn.execute(
                "select count(*) from raw.report_failures where event_session_id = %s", (sid,)
            ).fetchone()[0]
            == 0
        )
