"""Guards around a day's run on a real warehouse: the reject gate judges the day (not
the run), `webstat ingest` fails when a file failed, the reporting time zone is checked
against the warehouse's own list, and the embedded home is private."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from webstat.cli import main
from webstat.errors import BadDataError

pytestmark = [pytest.mark.integration]

DAY = date(2026, 11, 2)


def _event(event_id: str) -> str:
    return json.dumps(
        {
            "event_id": event_id,
            "event_type": "session.ended",
            "occurred_at": "2026-11-02T10:00:00Z",
            "organization_id": "o",
            "event_session_id": "s",
            "payload": {},
        }
    )


def _write(folder, name: str, lines: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_the_reject_gate_judges_the_day_without_duplicates_and_a_rerun_fails_alike(
    warehouse_url, conn, tmp_path
):
    """date=2026-11-02: a.ndjson = 19 new events + 1 garbage line; b.ndjson = the same 19
    events again (duplicates) + 1 garbage line; date=2026-11-01 (a late file the run picks
    up through the lookback): c.ndjson = 1 new event + 1 garbage line.

    By hand, the first run: lines 20 + 20 + 2 = 42, rejected 3, duplicates 19, so
    3 / (42 - 19) = 3 / 23 = 13.0 % > 5 %. (Counting duplicates as good lines, as before,
    gave 3 / 42 = 7.1 %; without c, 2 / 40 = 5.0 %, which passed.)
    A rerun loads nothing (every file is in the ledger) and judges the day's partition
    again: 2 / (40 - 19) = 2 / 21 = 9.5 % > 5 %: it fails too (before: 0 of 0, passed).
    The late file was judged by the run that loaded it."""
    from webstat.settings import load_settings
    from webstat.tasks import daily

    landing = tmp_path / "landing"
    events = [_event(f"e-{i}") for i in range(1, 20)]
    _write(landing / "date=2026-11-02", "a.ndjson", [*events, "garbage a"])
    _write(landing / "date=2026-11-02", "b.ndjson", [*events, "garbage b"])
    _write(landing / "date=2026-11-01", "c.ndjson", [_event("e-100"), "garbage c"])
    settings = load_settings(
        {
            "WEBSTAT_WAREHOUSE_URL": warehouse_url,
            "WEBSTAT_LANDING_URI": str(landing),
            "WEBSTAT_MAX_REJECT_PCT": "5",
            "WEBSTAT_LATE_FILE_LOOKBACK_DAYS": "3",
        }
    )
    start = datetime(2026, 11, 2, tzinfo=UTC)

    with pytest.raises(BadDataError) as first:
        daily.ingest(start, settings)
    assert str(first.value) == (
        "2026-11-02: 3 of 23 lines (13.0 %) were rejected (not counting 19 duplicates), "
        "more than WEBSTAT_MAX_REJECT_PCT=5 %: see raw.rejected_lines"
    )
    ledger = conn.execute(
        "select delivery_date, lines_total, rows_loaded, rows_rejected, rows_duplicate"
        " from raw.loaded_files order by uri"
    ).fetchall()
    assert ledger == [
        (date(2026, 11, 1), 2, 1, 1, 0),
        (date(2026, 11, 2), 20, 19, 1, 0),
        (date(2026, 11, 2), 20, 0, 1, 19),
    ]

    with pytest.raises(BadDataError) as rerun:
        daily.ingest(start, settings)
    assert str(rerun.value) == (
        "2026-11-02: 2 of 21 lines (9.5 %) were rejected (not counting 19 duplicates), "
        "more than WEBSTAT_MAX_REJECT_PCT=5 %: see raw.rejected_lines"
    )
    # at 10 % the day passes: 2 / 21 = 9.5 %
    daily.ingest(start, load_settings({**_env(settings), "WEBSTAT_MAX_REJECT_PCT": "10"}))


def _env(settings) -> dict[str, str]:
    return {
        "WEBSTAT_WAREHOUSE_URL": settings.warehouse_url,
        "WEBSTAT_LANDING_URI": settings.landing_uri,
    }


def test_ingest_exits_1_naming_the_files_that_failed(
    warehouse_url, conn, tmp_path, monkeypatch, capsys
):
    part = tmp_path / "landing" / "date=2026-11-02"
    _write(part, "a.ndjson", [_event("e-1")])
    (part / "b.ndjson.gz").write_bytes(b"not gzip at all\n")
    monkeypatch.setenv("WEBSTAT_WAREHOUSE_URL", warehouse_url)
    monkeypatch.setenv("WEBSTAT_LANDING_URI", str(tmp_path / "landing"))

    assert main(["ingest", "--start", "2026-11-02"]) == 1
    out, err = capsys.readouterr()
    # stderr: the progress per file, then the error in one line
    *progress, error = err.splitlines()
    assert error == (
        f"webstat: 1 file(s) FAILED to load: file://{part}/b.ndjson.gz "
        "(errors in raw.loaded_files; the next ingest retries them)"
    )
    assert any(line.strip().startswith(f"loaded file://{part}/a.ndjson") for line in progress)
    assert "1 file(s) loaded" in out  # stdout: the day's summary
    # the good file is loaded all the same
    assert conn.execute("select count(*) from raw.platform_events").fetchone() == (1,)
    assert conn.execute("select uri, status from raw.loaded_files order by uri").fetchall() == [
        (f"file://{part}/a.ndjson", "loaded"),
        (f"file://{part}/b.ndjson.gz", "failed"),
    ]


def test_a_time_zone_the_warehouse_does_not_know_is_one_line(warehouse_url, monkeypatch, capsys):
    """Python's zoneinfo loads right/UTC from the system's tzdata; Postgres does not know
    it, so every dbt build would fail later. Checked where the warehouse is prepared."""
    from zoneinfo import ZoneInfo

    ZoneInfo("right/UTC")  # passes the settings' own check
    monkeypatch.setenv("WEBSTAT_WAREHOUSE_URL", warehouse_url)
    monkeypatch.setenv("WEBSTAT_TIMEZONE", "right/UTC")
    assert main(["warehouse", "start"]) == 1
    # stderr: the note that the server is not webstat's, then the error in one line
    assert capsys.readouterr().err.splitlines() == [
        "WEBSTAT_WAREHOUSE_URL is set: using that server, nothing to start",
        "webstat: WEBSTAT_TIMEZONE='right/UTC' is not a time zone this warehouse knows "
        "(it is not in pg_timezone_names): use an IANA name such as Europe/Moscow or UTC",
    ]
    monkeypatch.setenv("WEBSTAT_TIMEZONE", "Asia/Yekaterinburg")
    assert main(["warehouse", "start"]) == 0


def test_the_embedded_home_is_private(tmp_path, monkeypatch, capsys):
    """A new WEBSTAT_HOME is 0700 and pgdata 0700. Run as root, pgserver runs Postgres as
    the user "pgserver" and must pass through the home: then it is 0711 (no listing, no
    reading by anyone else)."""
    import os

    home = tmp_path / "home"
    monkeypatch.setenv("WEBSTAT_HOME", str(home))
    monkeypatch.delenv("WEBSTAT_WAREHOUSE_URL", raising=False)
    try:
        assert main(["warehouse", "start"]) == 0
        expected = 0o711 if os.geteuid() == 0 else 0o700
        assert home.stat().st_mode & 0o777 == expected
        assert (home / "pgdata").stat().st_mode & 0o777 == 0o700
    finally:
        main(["warehouse", "stop"])
