"""Settings the marts depend on, on a real warehouse with real dbt builds: a build under
other settings than the marts' stops with one line, `webstat rebuild` rebuilds under the
new ones; and what `webstat report` prints and records.

The session es-ny starts 2026-11-05 04:30 UTC: 07:30 in Moscow (UTC+3) on 5 Nov, 23:30
in New York on 4 Nov (EST, UTC-5: summer time ended on 1 Nov 2026). p-1 joins 04:31,
posts a message 04:40, leaves 05:00; the session ends 05:30 UTC."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from webstat.cli import main
from webstat.settings import load_settings
from webstat.tasks import daily
from webstat.warehouse.transform import SettingsChangedError, check_settings, dbt_vars, run_dbt

pytestmark = [pytest.mark.integration, pytest.mark.slow]

MOSCOW, NEW_YORK = "Europe/Moscow", "America/New_York"


def line(kind: str, at: str, session: str, who: str | None = None, **payload) -> str:
    """One raw event of the contract; ``event_id`` from the session, kind, time and who."""
    event = {"event_id": f"{session}/{kind}/{at}/{who}", "event_type": kind, "occurred_at": at,
             "organization_id": "org-1", "event_session_id": session}  # fmt: skip
    return json.dumps(event | {"payload": payload} | ({"participant_id": who} if who else {}))


def land(landing: Path, day: str, name: str, lines: list[str]) -> None:
    folder = landing / f"date={day}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def settings_for(env: dict[str, str], **more: str):
    return load_settings({**env, **more})


def _one(conn, sql: str):
    row = conn.execute(sql).fetchone()
    return row[0] if row else None


def _webstat(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess:
    """The installed ``webstat`` command in its own process."""
    exe = Path(sys.executable).with_name("webstat")
    return subprocess.run(
        [str(exe), *argv], env={**os.environ, **env}, capture_output=True, text=True, timeout=300
    )


def test_a_changed_time_zone_stops_the_build_until_a_rebuild_files_the_session_anew(
    warehouse_url, conn, tmp_path, monkeypatch
):
    landing, artifacts = tmp_path / "landing", tmp_path / "artifacts"
    land(landing, "2026-11-05", "a.ndjson", [
        line("session.started", "2026-11-05T04:30:00Z", "es-ny", webinar_name="Ночной эфир"),
        line("participant.joined", "2026-11-05T04:31:00Z", "es-ny", "p-1", connection_id="c-1",
             role="participant", platform="web"),
        line("chat.message_posted", "2026-11-05T04:40:00Z", "es-ny", "p-1", message_id="m-1"),
        line("participant.left", "2026-11-05T05:00:00Z", "es-ny", "p-1", connection_id="c-1"),
        line("session.ended", "2026-11-05T05:30:00Z", "es-ny"),
    ])  # fmt: skip
    env = {
        "WEBSTAT_WAREHOUSE_URL": warehouse_url,
        "WEBSTAT_LANDING_URI": str(landing),
        "WEBSTAT_ARTIFACTS_URI": str(artifacts),
        "WEBSTAT_HOME": str(tmp_path / "home"),
    }
    moscow = settings_for(env, WEBSTAT_TIMEZONE=MOSCOW)
    start, end = datetime(2026, 11, 5, tzinfo=UTC), datetime(2026, 11, 6, tzinfo=UTC)

    # a first build on an empty warehouse has nothing to compare with: it runs
    daily.ingest(start, moscow)
    daily.transform(start, end, moscow)
    report_date = (
        "select report_date from marts.fct_event_sessions where event_session_id = 'es-ny'"
    )
    built_zone = "select reporting_timezone from intermediate.int_build_settings"
    assert (_one(conn, report_date), _one(conn, built_zone)) == (date(2026, 11, 5), MOSCOW)

    # the next run under New York time stops before building anything, in one line
    new_york = settings_for(env, WEBSTAT_TIMEZONE=NEW_YORK)
    with pytest.raises(SettingsChangedError) as stopped:
        daily.transform(start, end, new_york)
    assert str(stopped.value) == (
        "the marts were built with other settings (reporting_timezone Europe/Moscow → "
        "America/New_York): rebuild them all under the new ones with `webstat rebuild` "
        "(or dbt build --full-refresh)"
    )
    assert (_one(conn, report_date), _one(conn, built_zone)) == (date(2026, 11, 5), MOSCOW)

    # a threshold is a setting too
    with pytest.raises(SettingsChangedError, match=r"\(late_join_grace_minutes 5 → 10\)"):
        run_dbt(
            ["build"], moscow, warehouse_url, {**dbt_vars(moscow), "late_join_grace_minutes": 10}
        )

    # `webstat rebuild` under New York time: 23:30 on 4 Nov there
    monkeypatch.setenv("WEBSTAT_TIMEZONE", NEW_YORK)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["rebuild"]) == 0
    assert (_one(conn, report_date), _one(conn, built_zone)) == (date(2026, 11, 4), NEW_YORK)
    assert (artifacts / "events" / "2026-11-04" / "es-ny" / "manifest.json").is_file()
    check_settings(new_york, warehouse_url)  # the new row is what the next run compares with

    # `webstat report`: stdout holds the written URIs and nothing else; the manifest says
    # what made it (cli: + the UTC second) and the report day in the reporting time zone
    ny = {**env, "WEBSTAT_TIMEZONE": NEW_YORK}
    before = datetime.now(UTC).replace(microsecond=0)
    manifest = _report(ny, artifacts / "events/2026-11-04/es-ny", "--event-session", "es-ny")
    made = datetime.strptime(manifest["run_id"], "cli:%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before <= made <= datetime.now(UTC)
    assert manifest["data_interval"] == {
        "start": "2026-11-04T00:00:00-05:00",
        "end": "2026-11-05T00:00:00-05:00",
    }
    period = artifacts / "periods/2026-11-04_2026-11-04"
    manifest = _report(ny, period, "--start", "2026-11-04", "--end", "2026-11-04")
    assert re.fullmatch(r"cli:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", manifest["run_id"])


def _report(env: dict[str, str], folder: Path, *argv: str) -> dict:
    """``webstat report ARGV`` in its own process: its stdout is exactly the URIs of the
    three files written into ``folder``; returns the manifest."""
    done = _webstat(env, "report", *argv)
    assert done.returncode == 0, done.stderr
    names = ("report.xlsx", "report.pdf", "manifest.json")
    assert done.stdout.splitlines() == [f"file://{folder}/{name}" for name in names]
    return json.loads((folder / "manifest.json").read_text())


def _messages_test(home: Path) -> tuple[str, int]:
    """(status, failures) of assert_messages_pct_sums_to_100 in the last build's
    run_results.json (dbt's own record of the build)."""
    results = json.loads((home / "dbt" / "target" / "run_results.json").read_text())
    for node in results["results"]:
        if node["unique_id"] == "test.webstat.assert_messages_pct_sums_to_100":
            return node["status"], node["failures"]
    raise AssertionError("assert_messages_pct_sums_to_100 did not run")


def test_a_partial_day_is_not_judged_and_a_broken_sum_still_warns(warehouse_url, tmp_path):
    """Three sessions; in each, p-1 joins (hh:10-hh:50) and posts one message (hh:20) and
    x posts one (hh:30), so p-1's messages_pct is 50 while x has no row:

    es-s (2026-11-02 10:00-11:00 UTC): x's join (10:25-10:45) is in a late file delivered
      on 3 Nov. Run 1 (clock 3 Nov 00:00): the newest event (11:00)
      is 13 h old, under inferred_end_delay_hours (24): not settled, not judged (the old
      test warned: 50 != 100). Run 2 (clock 4 Nov 00:00): the late file is in, 50 + 50 =
      100: no warning.
    es-t (2026-11-01 10:00-11:00): x never joins, registers or is invited: its
      sum is 50 for good. Run 1: 37 h old, settled and rebuilt: it warns (1 failure).
      Run 2: not rebuilt, settled before the previous clock: judged already, not again.
    es-u (2026-11-02 01:00-02:00): x never joins either. Run 1: 22 h old, not
      settled. Run 2: not rebuilt, but it settled since the previous run (02:00 + 24 h =
      3 Nov 02:00, after the previous clock 3 Nov 00:00): judged, it warns (1 failure).

    So run 1 warns once (es-t; the old test: 3, es-s, es-t and es-u) and run 2 once (es-u;
    the old test: 0, es-u was never rebuilt again)."""

    def session(sid: str, day: str, hour: str) -> list[str]:
        def at(minute: str, h: str = hour) -> str:
            return f"2026-11-{day}T{h}:{minute}:00Z"

        return [
            line("session.started", at("00"), sid, webinar_name="Вебинар"),
            line("participant.joined", at("10"), sid, "p-1", connection_id="c",
                 role="participant", platform="web"),
            line("chat.message_posted", at("20"), sid, "p-1", message_id="a"),
            line("chat.message_posted", at("30"), sid, "x", message_id="b"),
            line("participant.left", at("50"), sid, "p-1", connection_id="c"),
            line("session.ended", at("00", f"{int(hour) + 1:02d}"), sid),
        ]  # fmt: skip

    landing = tmp_path / "landing"
    late_join = [
        line("participant.joined", "2026-11-02T10:25:00Z", "es-s", "x", connection_id="c-x",
             role="participant", platform="web"),
        line("participant.left", "2026-11-02T10:45:00Z", "es-s", "x", connection_id="c-x"),
    ]  # fmt: skip
    land(landing, "2026-11-02", "a.ndjson", [
        *session("es-s", "02", "10"),
        *session("es-t", "01", "10"),
        *session("es-u", "02", "01"),
    ])  # fmt: skip
    home = tmp_path / "home"
    settings = load_settings(
        {
            "WEBSTAT_WAREHOUSE_URL": warehouse_url,
            "WEBSTAT_LANDING_URI": str(landing),
            "WEBSTAT_HOME": str(home),
        }
    )

    def run(day: int) -> tuple[str, int]:
        start, end = datetime(2026, 11, day, tzinfo=UTC), datetime(2026, 11, day + 1, tzinfo=UTC)
        daily.ingest(start, settings)
        daily.transform(start, end, settings)
        return _messages_test(home)

    assert run(2) == ("warn", 1)
    land(landing, "2026-11-03", "late.ndjson", late_join)
    assert run(3) == ("warn", 1)
