"""A 100k-participant workbook is streamed: its peak memory stays flat and bounded.

Measured on the shared 2-core development machine (Python 3.11, openpyxl 3.1.5,
load average 2-3): a workbook of 100,000 participants and 100,000 connections
peaks at 84-85 MB RSS in its own process, 10,000 participants at 80 MB (the
interpreter, psycopg and openpyxl alone are ~60 MB); the 100k one takes 16-26 s.
The bounds leave room for other machines but not for a writer that keeps rows
(or a sheet's strings) in memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import webstat

pytestmark = pytest.mark.integration

PEAK_RSS_BOUND_MB = 250
GROWTH_BOUND_MB = 60
"""Extra peak memory allowed for 100k participants over 10k (flat = streaming)."""

_SCRIPT = r"""
import json, resource, sys, time
import psycopg
from webstat.reports import data
from webstat.reports.workbook import render_session_xlsx

uri, sid, out = sys.argv[1:4]
started = time.perf_counter()
with psycopg.connect(uri) as conn, data.snapshot(conn):
    report = data.read_session(conn, data.fetch_event_session(conn, sid), first_rows=0)
    counts = render_session_xlsx(report, out)
seconds = time.perf_counter() - started
try:  # Linux: this process image's high-water mark (ru_maxrss may carry the parent's
    # from before exec)
    with open("/proc/self/status") as f:
        peak_mb = next(int(l.split()[1]) for l in f if l.startswith("VmHWM:")) / 1024
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mb = peak / (1 << 20) if sys.platform == "darwin" else peak / 1024
print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_mb, "counts": counts}))
"""


def _insert_big_session(marts, sid: str, n: int) -> None:
    marts.insert(
        "fct_event_sessions",
        [
            marts.session_row(
                sid, participants_count=n, attendees_count=n, engagement_module=True, is_paid=True
            )
        ],
    )
    marts.execute(
        """
        insert into marts.fct_participants
        select %(sid)s, 'u-' || i, 'user' || i || '@example.com', 'user' || i || '@example.com',
          false, 'Имя' || i, 'Фамилия' || i,
          jsonb_build_object('Компания', 'ООО ' || i, 'Должность', 'инженер'),
          'chat ' || i, 'participant', case when i %% 3 = 0 then 'paid' end, 'self_registered',
          null, timestamptz '2026-10-30 09:00Z' + i * interval '1 second', 'google.com',
          'google', 'cpc', 'nov', null, null, 'android, web', 'web', 'Россия', 'Казань',
          '203.0.113.' || (i %% 250),
          timestamptz '2026-11-02 10:00Z' + (i %% 3600) * interval '1 second',
          timestamptz '2026-11-02 12:00Z', 1, 7200 - (i %% 3600),
          round((7200 - (i %% 3600)) / 72.0, 2), i %% 7, 1.5, i %% 3, 2.25, i %% 20,
          3600, 50, 75.5, 62.3,
          jsonb_build_array(jsonb_build_object('agreement_id', 'a1', 'title', 'Согласие',
                                               'accepted_at', '2026-10-30T09:00:00Z')),
          i %% 2 = 0, false, 'Имя' || i || ' Фамилия' || i,
          case when i %% 2 = 0 then 'new' else 'returning' end,
          i %% 3600 > 300, 7200 - (i %% 3600) < 5760, true
        from generate_series(1, %(n)s) i
        """,
        {"sid": sid, "n": n},
    )
    marts.execute(
        """
        insert into marts.fct_connections
        select %(sid)s, 'u-' || i, 'c-' || i,
          timestamptz '2026-11-02 10:00Z' + (i %% 3600) * interval '1 second',
          timestamptz '2026-11-02 12:00Z', false, 7200 - (i %% 3600), 'participant', 'web',
          'chat ' || i, '203.0.113.' || (i %% 250), 'Россия', 'Казань',
          'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36'
        from generate_series(1, %(n)s) i
        """,
        {"sid": sid, "n": n},
    )


def _measure(marts, sid: str, out: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(Path(webstat.__file__).resolve().parents[1]))
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, marts.conninfo, sid, str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_workbook_memory_is_flat_for_100k_participants(marts, tmp_path):
    _insert_big_session(marts, "es-10k", 10_000)
    _insert_big_session(marts, "es-100k", 100_000)
    small = _measure(marts, "es-10k", tmp_path / "10k.xlsx")
    big = _measure(marts, "es-100k", tmp_path / "100k.xlsx")
    print(
        f"\n10k: {small['seconds']:.1f} s, {small['peak_rss_mb']:.0f} MB; "
        f"100k: {big['seconds']:.1f} s, {big['peak_rss_mb']:.0f} MB"
    )
    assert big["counts"]["participants"] == 100_000
    assert big["counts"]["connections"] == 100_000
    assert big["peak_rss_mb"] < PEAK_RSS_BOUND_MB
    assert big["peak_rss_mb"] - small["peak_rss_mb"] < GROWTH_BOUND_MB

    import zipfile

    with zipfile.ZipFile(tmp_path / "100k.xlsx") as z, z.open("xl/worksheets/sheet1.xml") as f:
        tail = b""
        while chunk := f.read(1 << 20):
            tail = (tail + chunk)[-4096:]
    # title, header, then 100,000 rows: the last is row 100,002
    assert b'<row r="100002">' in tail and tail.endswith(b"</worksheet>")
