"""`webstat run` drives the real daily DAG (dag.test) over generated days."""

from __future__ import annotations

from datetime import date

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
    from webstat.assets import MARTS

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
    out = capsys.readouterr().out
    assert "[1/2] 2026-11-02: done" in out and "[2/2] 2026-11-03: done" in out

    events, duplicates, rejects, files = _raw_counts(conn)
    # the generator's own ledger of what it wrote: every line is exactly one of these
    assert (events, duplicates, rejects, files) == (
        written.events, written.duplicate_lines, written.malformed_lines, written.files,
    )  # fmt: skip
    marts = _mart_counts(conn)
    sessions = conn.execute("select count(distinct event_session_id) from raw.platform_events")
    assert marts["fct_event_sessions"] == sessions.fetchone()[0] == written.sessions
    assert marts["fct_data_quality"] == 5 * marts["fct_event_sessions"]

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
