"""Faults around the daily pipeline, on the throw-away embedded warehouse of ``week``
(conftest.py): the warehouse restarted between tasks, a ``--full-refresh`` after the
week, and the same day run twice at once by two processes."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_each_task_starts_the_stopped_warehouse_again(week):
    """The embedded server was stopped before every task call (ingest, transform,
    sessions_to_report, render_reports on day 1; ingest, transform on day 2); each
    call started it again (once any in-process handle was dropped, see the next test)
    and the week's data is whole."""
    tasks = [(s["task"], str(s["day"])) for s in week.steps]
    assert tasks == [
        ("ingest", "2026-11-02"),
        ("transform", "2026-11-02"),
        ("sessions_to_report", "2026-11-02"),
        ("render_reports", "2026-11-02"),
        ("ingest", "2026-11-03"),
        ("transform", "2026-11-03"),
    ]
    # stop() returned True: it really was running and stopped; the server ran afterwards
    assert all(s["running_after"] for s in week.steps), week.steps
    assert all(s["stopped_before"] for s in week.steps[1:]), week.steps
    assert 1 <= len(week.rendered) <= 2
    for uri in week.rendered:
        folder = uri.removeprefix("file://")
        assert sorted(p.name for p in Path(folder).iterdir()) == [
            "manifest.json",
            "report.pdf",
            "report.xlsx",
        ]
    with week.connect() as conn:
        files, lines, accounted = conn.execute(
            "select count(*), sum(lines_total), sum(rows_loaded + rows_rejected + rows_duplicate)"
            " from raw.loaded_files where status = 'loaded'"
        ).fetchone()
        assert files > 0 and lines == accounted


def test_in_one_process_every_task_restarts_the_warehouse_at_the_first_try(week):
    failures = [(s["task"], str(s["day"]), s["error"]) for s in week.steps if s["error"]]
    assert failures == []


def test_a_full_refresh_after_the_week_gives_the_same_marts(week, faults_helpers):
    """Three days built incrementally (two daily builds, then the two concurrent builds of
    day 3) vs one --full-refresh build at the same clock: per mart, the same count(*) and
    md5(string_agg(row::text, '|' order by row::text))."""
    assert set(week.incremental) == set(faults_helpers.MARTS)
    assert all(count > 0 for count, _ in week.incremental.values()), week.incremental
    differ = {
        t: (week.incremental[t], week.full_refresh[t])
        for t in week.incremental
        if week.incremental[t] != week.full_refresh[t]
    }
    assert differ == {}


def _files_loaded(output: str) -> int:
    found = re.findall(r"(\d+) file\(s\) loaded", output)
    assert found, output[-2000:]
    return sum(int(n) for n in found)


def test_the_same_day_run_twice_at_once(week, faults_helpers):
    """Day 3 was run by two processes at the same moment (`webstat ingest && webstat dbt
    build`, same warehouse, landing zone and WEBSTAT_HOME). Both succeed, each file is
    loaded once (by one of them), nothing is duplicated in raw or in any mart, and the
    reports published so far match their manifests. (The full-refresh test compares the
    marts these runs left with a rebuild from scratch; two publishers of one report: the
    next test.)"""
    h = faults_helpers
    outs = [out for _, out in week.concurrent]
    assert [status for status, _ in week.concurrent] == [0, 0], "\n=====\n".join(
        o[-3000:] for o in outs
    )

    landing = (week.root / "landing").resolve()
    day = h.CONCURRENT_DAY.isoformat()
    delivered = sorted(
        f"file://{p}"
        for d in (*h.DAYS, h.CONCURRENT_DAY)
        for p in (landing / f"date={d}").iterdir()
        if p.name.endswith((".ndjson", ".gz"))
    )
    new = [u for u in delivered if f"date={day}/" in u]
    # the two loaders shared the new files between them: each loaded by exactly one
    assert sum(_files_loaded(o) for o in outs) == len(new) > 0
    with week.connect() as conn:
        ledger = conn.execute("select uri, status from raw.loaded_files order by uri").fetchall()
        assert ledger == [(u, "loaded") for u in delivered]
        sums = conn.execute(
            "select sum(lines_total), sum(rows_loaded), sum(rows_duplicate), sum(rows_rejected)"
            " from raw.loaded_files"
        ).fetchone()
        rows = conn.execute(
            "select (select count(*) from raw.platform_events),"
            " (select count(*) from raw.duplicate_events),"
            " (select count(*) from raw.rejected_lines)"
        ).fetchone()
        assert tuple(sums[1:]) == rows and sums[0] == sum(rows)
        assert h.duplicate_keys(conn) == dict.fromkeys(h.MARTS, 0)
        sessions = conn.execute(
            "select (select count(distinct event_session_id) from raw.platform_events),"
            " (select count(*) from marts.fct_event_sessions)"
        ).fetchone()
        assert sessions[0] == sessions[1]
    assert h.manifest_problems(week.root / "artifacts") == []


def _publisher(role: str, url: str, sid: str, artifacts: str, a_mid, b_done) -> None:
    """A forked child that renders and publishes ``sid``'s report (see the test below)."""
    status = 1
    try:
        from webstat.reports import publishing, render_event_session_report
        from webstat.settings import load_settings
        from webstat.warehouse import connect

        if role == "a":  # slow storage: after its first file, A waits for B to be done
            real_copy, copied = publishing._copy, []

            def copy(local, target):
                real_copy(local, target)
                copied.append(target)
                if len(copied) == 1:
                    a_mid.set()
                    b_done.wait(8)

            publishing._copy = copy
        else:  # B starts once A is half way, a second later (a new workbook timestamp)
            a_mid.wait(120)
            time.sleep(1.1)
        with connect(url=url) as conn:
            render_event_session_report(
                conn, sid, load_settings({"WEBSTAT_ARTIFACTS_URI": artifacts}), run_id=f"run-{role}"
            )
        status = 0
    finally:
        (b_done if role == "b" else a_mid).set()  # never leave the other one waiting
        os._exit(status)


def test_two_publishers_of_the_same_report_never_leave_a_wrong_manifest(
    week, tmp_path, faults_helpers
):
    """Publisher A is slow between its workbook and the rest (slow storage); B renders
    and publishes the same session meanwhile (two processes). Whatever the order, the
    folder must end with a manifest that matches every file beside it."""
    import multiprocessing

    from webstat.warehouse import warehouse_url

    url = warehouse_url(week.settings)
    sid = week.rendered[0].rsplit("/", 1)[1]
    ctx = multiprocessing.get_context("fork")
    a_mid, b_done = ctx.Event(), ctx.Event()
    artifacts = tmp_path / "artifacts"
    procs = [
        ctx.Process(target=_publisher, args=(role, url, sid, str(artifacts), a_mid, b_done))
        for role in "ab"
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
    assert [p.exitcode for p in procs] == [0, 0]
    assert faults_helpers.manifest_problems(artifacts) == []
