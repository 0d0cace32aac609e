"""`webstat ingest` killed with SIGKILL in the middle of a large file, then run again."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from datetime import date

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DAY = date(2026, 11, 2)
N = 60_000
"""Lines of the big file. The loader takes 8-13k lines/s on this shared 2-core box
(docs/benchmarks.md), so this is 5-8 s of loading: the kill is triggered by the COPY's
own progress (pg_stat_progress_copy), not by a timer, so no machine is too fast."""
KILL_AT = 5_000


def big_file(h) -> tuple[bytes, tuple[int, int, int]]:
    """N lines: every 1000th is garbage, every 997th (otherwise) repeats the first event;
    returns the bytes and the (events, rejects, duplicates) they must give."""
    template = h.line(h.event("@ID@", text="привет, мир")).decode()
    first = template.replace("@ID@", "b-1")
    lines = []
    for i in range(1, N + 1):
        if i % 1000 == 0:
            lines.append("{garbage")
        elif i % 997 == 0:
            lines.append(first)
        else:
            lines.append(template.replace("@ID@", f"b-{i}"))
    garbage = N // 1000
    repeats = sum(1 for i in range(1, N + 1) if i % 997 == 0 and i % 1000)
    return ("\n".join(lines) + "\n").encode("utf-8"), (N - garbage - repeats, garbage, repeats)


def copy_progress(conn) -> int | None:
    """Rows the webstat loader's COPY has taken so far in this database (None: no COPY)."""
    row = conn.execute(
        "select p.tuples_processed from pg_stat_progress_copy as p"
        " join pg_stat_activity as a using (pid)"
        " where a.datname = current_database() and a.pid <> pg_backend_pid()"
    ).fetchone()
    return None if row is None else row[0]


def wait_for(predicate, timeout: float, what: str, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            out = proc.stdout.read() if proc.stdout else ""
            pytest.fail(f"webstat ingest ended (status {proc.returncode}) before {what}:\n{out}")
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def test_sigkill_in_the_middle_of_a_file_leaves_nothing_and_the_rerun_loads_it_whole(
    warehouse_url, conn, tmp_path, faults_helpers
):
    h = faults_helpers
    part = tmp_path / "landing" / f"date={DAY.isoformat()}"
    part.mkdir(parents=True)
    small = b"".join(h.line(h.event(f"s-{i}")) + b"\n" for i in range(1, 51))
    (part / "a-small.ndjson").write_bytes(small)
    data, (events, garbage, repeats) = big_file(h)
    (part / "b-big.ndjson").write_bytes(data)
    assert len(h.nonblank_lines(data)) == N
    env = h.subprocess_env(
        WAREHOUSE_URL=warehouse_url,
        LANDING_URI=str(tmp_path / "landing"),
        HOME=str(tmp_path / "home"),
        ARTIFACTS_URI=str(tmp_path / "artifacts"),
    )
    args = [h.WEBSTAT, "ingest", "--start", DAY.isoformat()]

    proc = subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        # the small file (50 lines) is done; the big one is well into its COPY
        at_kill = wait_for(
            lambda: (copy_progress(conn) or 0) >= KILL_AT and copy_progress(conn),
            120,
            f"the big file's COPY to pass {KILL_AT:,} rows",
            proc,
        )
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert at_kill < N  # it was killed with the file half read
    # the server notices the dead client and rolls its transaction back
    wait_for(
        lambda: conn.execute(
            "select count(*) = 0 from pg_stat_activity where datname = current_database()"
            " and application_name = 'webstat' and pid <> pg_backend_pid()"
        ).fetchone()[0],
        30,
        "the killed loader's backend to go away",
    )

    big_uri = f"file://{part}/b-big.ndjson"
    nothing = h.file_outcome(conn, big_uri)
    assert nothing.ledger == {}  # no 'loaded' row, nor any other
    assert (nothing.events, nothing.duplicates, nothing.rejects) == ({}, {}, {})
    assert conn.execute("select count(*) from raw.platform_events").fetchone() == (50,)
    assert conn.execute("select status, lines_total from raw.loaded_files").fetchall() == [
        ("loaded", 50)
    ]  # the small file had committed before the kill

    rerun = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "1 file(s) loaded, 1 already loaded" in rerun.stdout
    whole = h.file_outcome(conn, big_uri)
    led = whole.ledger
    assert (
        led["status"],
        led["lines_total"],
        led["rows_loaded"],
        led["rows_rejected"],
        led["rows_duplicate"],
    ) == ("loaded", N, events, garbage, repeats)
    assert (len(whole.events), len(whole.rejects), len(whole.duplicates)) == (
        events,
        garbage,
        repeats,
    )
    assert (led["size_bytes"], led["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    assert conn.execute("select count(*) from raw.platform_events").fetchone() == (events + 50,)
