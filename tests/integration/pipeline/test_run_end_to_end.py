"""`webstat run` drives the real daily DAG (dag.test) over generated days."""

from __future__ import annotations

from datetime import date

# at collection: Airflow's logging setup binds a root handler to the stdout of the moment,
# which must be the session's, not a test's capsys stream (closed when that test ends, it
# would put "--- Logging error ---" into a later test's captured stderr)
import airflow  # noqa: F401
import pytest

from webstat.cli import main
from webstat.generate import generate

pytestmark = [pytest.mark.integration, pytest.mark.slow]

START = END = date(2026, 11, 2)


def _raw_counts(conn) -> tuple[int, int, int, int]:
    return conn.execute(
        """
        select (select count(*) from raw.platform_events),
               (select count(*) from raw.duplicate_events),
               (select count(*) from raw.rejected_lines),
               (select count(*) from raw.loaded_files where status = 'loaded')
        """
    ).fetchone()


def _mart_counts(conn) -> dict[str, int]:
    from webstat.tasks.assets import MARTS

    return {t: conn.execute(f"select count(*) from marts.{t}").fetchone()[0] for t in MARTS}


def test_run_loads_every_line_once_and_a_rerun_changes_nothing(
    warehouse_url, conn, tmp_path, monkeypatch, capsys
):
    landing = tmp_path / "landing"
    written = generate(START, END, landing, seed=7, scale="small")
    monkeypatch.setenv("WEBSTAT_WAREHOUSE_URL", warehouse_url)
    monkeypatch.setenv("WEBSTAT_LANDING_URI", str(landing))
    monkeypatch.setenv("WEBSTAT_ARTIFACTS_URI", str(tmp_path / "artifacts"))

    # END + 1 too: the generator delivers the tail of END (late files, a session
    # across midnight) in the next day's partition
    assert main(["run", "--start", str(START), "--end", "2026-11-03"]) == 0
    out, err = capsys.readouterr()
    assert "[1/2] 2026-11-02: done" in err and "[2/2] 2026-11-03: done" in err
    # stdout: the command's summary, no progress and no library's log (dbt's goes to stderr)
    assert out == "ran webinar_stats_daily for 2 day(s): 2026-11-02 … 2026-11-03\n"

    events, duplicates, rejects, files = _raw_counts(conn)
    # the generator's own ledger of what it wrote: every line is exactly one of these
    assert (events, duplicates, rejects, files) == (
        written.events,
        written.duplicate_lines,
        written.malformed_lines,
        written.files,
    )
    marts = _mart_counts(conn)
    sessions = conn.execute("select count(distinct event_session_id) from raw.platform_events")
    assert marts["fct_event_sessions"] == sessions.fetchone()[0] == written.sessions
    # marts v2: six checks per session (orphan_leaves, inferred_leaves, joins_outside_session,
    # duplicate_events_dropped, rejected_lines, session_too_long)
    assert marts["fct_data_quality"] == 6 * marts["fct_event_sessions"]

    # every ended session has its published report, nothing else does
    ended = {
        r[0]: r[1]
        for r in conn.execute(
            "select event_session_id, report_date from marts.fct_event_sessions"
            " where status = 'ended'"
        )
    }
    manifests = sorted((tmp_path / "artifacts" / "events").glob("*/*/manifest.json"))
    assert sorted((m.parent.parent.name, m.parent.name) for m in manifests) == sorted(
        (str(d), sid) for sid, d in ended.items()
    )
    for manifest in manifests:
        assert {p.name for p in manifest.parent.iterdir()} == {
            "report.xlsx",
            "report.pdf",
            "manifest.json",
        }
    published = conn.execute(
        "select event_session_id, fingerprint, published_at from raw.published_reports order by 1"
    ).fetchall()
    assert [p[0] for p in published] == sorted(ended)

    # a rerun of a day changes no count and no mart row, and renders nothing
    before = conn.execute(
        "select md5(string_agg(t::text, '|' order by t::text)) from marts.fct_participants t"
    ).fetchone()
    assert main(["run", "--start", "2026-11-03", "--end", "2026-11-03"]) == 0
    assert _raw_counts(conn) == (events, duplicates, rejects, files)
    assert _mart_counts(conn) == marts
    after = conn.execute(
        "select md5(string_agg(t::text, '|' order by t::text)) from marts.fct_participants t"
    ).fetchone()
    assert after == before
    assert (
        conn.execute(
            "select event_session_id, fingerprint, published_at "
            "from raw.published_reports order by 1"
        ).fetchall()
        == published
    )


def test_the_first_day_runs_and_the_reject_gate_fails_it_again_on_a_rerun(
    warehouse_url, conn, tmp_path, monkeypatch, capsys
):
    """2000-01-01, the DAG's first day (before, its start_date was 2026-01-01 and the run
    did nothing: exit 0, "0 file(s)"). A mostly garbage delivery: 9 of 10 lines (90 % >
    5 %) are rejected; the ingest task fails after loading and recording them. The rerun
    loads nothing new and fails the same way: the gate judges the day's files."""
    folder = tmp_path / "landing" / "date=2000-01-01"
    folder.mkdir(parents=True)
    good = (
        '{"event_id": "e-1", "event_type": "session.ended", "occurred_at": "2000-01-01T10:00:00Z",'
        ' "organization_id": "o", "event_session_id": "s", "payload": {}}'
    )
    (folder / "a.ndjson").write_text("\n".join([good] + [f"garbage {i}" for i in range(9)]) + "\n")
    monkeypatch.setenv("WEBSTAT_WAREHOUSE_URL", warehouse_url)
    monkeypatch.setenv("WEBSTAT_LANDING_URI", str(tmp_path / "landing"))
    for attempt in ("first", "rerun"):
        assert main(["run", "--start", "2000-01-01", "--end", "2000-01-01"]) == 1, attempt
        err = capsys.readouterr().err.strip().splitlines()
        # progress on stderr, then the one-line error last
        assert err == [
            "[1/1] 2000-01-01: running webinar_stats_daily …",
            "webstat: the daily run for 2000-01-01 ended failed (failed: ingest)",
        ]
        # loaded and recorded once, before the gate closed
        assert conn.execute("select count(*) from raw.rejected_lines").fetchone() == (9,)
        assert conn.execute("select count(*) from raw.platform_events").fetchone() == (1,)
        assert conn.execute(
            "select delivery_date, lines_total, rows_rejected from raw.loaded_files"
        ).fetchall() == [(date(2000, 1, 1), 10, 9)]


def test_the_period_dag_renders_and_refuses_a_reversed_range(
    warehouse_url, conn, tmp_path, monkeypatch
):
    from webstat.airflow_env import ensure_metadata_db, load_dag

    landing = tmp_path / "landing"
    generate(START, END, landing, seed=11, scale="small")
    monkeypatch.setenv("WEBSTAT_WAREHOUSE_URL", warehouse_url)
    monkeypatch.setenv("WEBSTAT_LANDING_URI", str(landing))
    monkeypatch.setenv("WEBSTAT_ARTIFACTS_URI", str(tmp_path / "artifacts"))
    assert main(["ingest", "--start", str(START)]) == 0
    assert main(["dbt", "build", "--vars", '{"data_interval_end": "2026-11-03T00:00:00Z"}']) == 0
    ensure_metadata_db()
    dag = load_dag("webinar_stats_period")

    run = dag.test(run_conf={"start": "2026-11-02", "end": "2026-11-02", "webinar": None})
    assert str(run.state).endswith("success")
    folder = tmp_path / "artifacts" / "periods" / "2026-11-02_2026-11-02"
    assert {p.name for p in folder.iterdir()} == {"report.xlsx", "report.pdf", "manifest.json"}

    bad = dag.test(run_conf={"start": "2026-11-05", "end": "2026-11-01", "webinar": None})
    assert str(bad.state).endswith("failed")
    (ti,) = bad.get_task_instances()
    assert ti.try_number == 1  # bad params: no retries
