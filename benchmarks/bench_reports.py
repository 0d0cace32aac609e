"""3. Reports: the workbook of event sessions of 1k / 10k / 100k participants and the
PDF of 1,000, each rendered in its own process (seconds, ``VmHWM``).

The sessions are synthetic rows inserted (``generate_series``) into the marts
tables a real dbt build created. Baselines, measured in the same run: for a
workbook, streaming the same participants and connections rows out of Postgres
(what any report must at least do); for the PDF, WeasyPrint rendering a one-page
document (its fixed cost).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from benchmarks.harness import Sample, Warehouse, log, worker

SESSION = {
    "event_session_id": "%(sid)s",
    "organization_id": "'org-bench'",
    "webinar_id": "'w-bench'",
    "webinar_name": "'Вебинар: нагрузочный тест'",
    "status": "'ended'",
    "started_at": "timestamptz '2026-11-02 10:00Z'",
    "ended_at": "timestamptz '2026-11-02 12:00Z'",
    "end_inferred": "false",
    "duration_seconds": "7200",
    "is_paid": "true",
    "engagement_module": "true",
    "invited_count": "%(n)s",
    "registered_count": "%(n)s",
    "attendees_count": "%(n)s",
    "participants_count": "%(n)s",
    "hosts_count": "1",
    "new_participants_count": "%(n)s / 2",
    "returning_participants_count": "%(n)s / 2",
    "guest_participants_count": "0",
    "left_early_count": "%(n)s / 3",
    "messages_count": "1000",
    "questions_count": "100",
    "fires_count": "500",
    "peak_concurrent_participants": "%(n)s",
    "avg_presence_pct": "72.5",
    "host_active_started_at": "timestamptz '2026-11-02 10:00Z'",
    "host_active_ended_at": "timestamptz '2026-11-02 12:00Z'",
    "host_active_seconds": "7200",
    "host_active_pct": "100",
    "report_date": "date '2026-11-02'",
}
PARTICIPANT = {
    "event_session_id": "%(sid)s",
    "participant_id": "'u-' || i",
    "person_key": "'user' || i || '@example.com'",
    "email": "'user' || i || '@example.com'",
    "is_guest": "false",
    "first_name": "'Имя' || i",
    "last_name": "'Фамилия' || i",
    "registration_fields": "jsonb_build_object('Компания', 'ООО ' || i, 'Должность', 'инженер')",
    "chat_name": "'chat ' || i",
    "role": "'participant'",
    "payment_status": "case when i %% 3 = 0 then 'paid' end",
    "registration_status": "'self_registered'",
    "has_attended": "true",
    "registered_at": "timestamptz '2026-10-30 09:00Z' + i * interval '1 second'",
    "referrer_source": "'google.com'",
    "utm_source": "'google'",
    "utm_medium": "'cpc'",
    "utm_campaign": "'nov'",
    "platforms": "'android, web'",
    "primary_platform": "'web'",
    "country": "'Россия'",
    "city": "'Казань'",
    "last_ip": "'203.0.113.' || (i %% 250)",
    "first_joined_at": "timestamptz '2026-11-02 10:00Z' + (i %% 3600) * interval '1 second'",
    "last_left_at": "timestamptz '2026-11-02 12:00Z'",
    "connections_count": "1",
    "presence_seconds": "7200 - (i %% 3600)",
    "presence_pct": "round((7200 - (i %% 3600)) / 72.0, 2)",
    "messages_count": "i %% 7",
    "messages_pct": "1.5",
    "questions_count": "i %% 3",
    "questions_pct": "2.25",
    "fires_count": "i %% 20",
    "active_seconds": "3600",
    "active_pct": "50",
    "host_window_presence_pct": "75.5",
    "rating": "62.3",
    "agreements": "jsonb_build_array(jsonb_build_object('agreement_id', 'a1', 'title', "
    "'Согласие', 'accepted_at', '2026-10-30T09:00:00Z'))",
    "is_new": "i %% 2 = 0",
    "left_early": "false",
    "full_name": "'Имя' || i || ' Фамилия' || i",
    "visitor_type": "case when i %% 2 = 0 then 'new' else 'returning' end",
}
CONNECTION = {
    "event_session_id": "%(sid)s",
    "participant_id": "'u-' || i",
    "connection_id": "'c-' || i",
    "joined_at": "timestamptz '2026-11-02 10:00Z' + (i %% 3600) * interval '1 second'",
    "left_at": "timestamptz '2026-11-02 12:00Z'",
    "left_inferred": "false",
    "duration_seconds": "7200 - (i %% 3600)",
    "role": "'participant'",
    "platform": "'web'",
    "chat_name": "'chat ' || i",
    "ip": "'203.0.113.' || (i %% 250)",
    "country": "'Россия'",
    "city": "'Казань'",
    "user_agent": "'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36'",
}


def _insert(
    wh: Warehouse, db: str, table: str, exprs: dict[str, str], sid: str, n: int, series: bool
) -> None:
    cols = {
        c
        for (c,) in wh.query(
            db,
            "select column_name from information_schema.columns "
            "where table_schema = 'marts' and table_name = %s",
            (table,),
        )
    }
    use = [c for c in exprs if c in cols]
    select = ", ".join(exprs[c] for c in use)
    source = " from generate_series(1, %(n)s) i" if series else ""
    wh.execute(
        db,
        f"insert into marts.{table} ({', '.join(use)}) select {select}{source}",
        {"sid": sid, "n": n},
    )


def insert_session(wh: Warehouse, db: str, sid: str, n: int) -> None:
    """A 2-hour ended session with ``n`` participants, ``n`` connections, 120 minutes."""
    for table in (
        "fct_event_sessions",
        "fct_participants",
        "fct_connections",
        "fct_attendance_minutes",
        "fct_traffic_sources",
        "fct_devices",
    ):
        wh.execute(db, f"delete from marts.{table} where event_session_id = %s", (sid,))
    _insert(wh, db, "fct_event_sessions", SESSION, sid, n, series=False)
    _insert(wh, db, "fct_participants", PARTICIPANT, sid, n, series=True)
    _insert(wh, db, "fct_connections", CONNECTION, sid, n, series=True)
    wh.execute(
        db,
        """
        insert into marts.fct_attendance_minutes (event_session_id, minute_at, participants_online)
        select %(sid)s, timestamptz '2026-11-02 10:00Z' + m * interval '1 minute',
               least(%(n)s, %(n)s * (m + 1) / 60)
        from generate_series(0, 119) m""",
        {"sid": sid, "n": n},
    )
    wh.execute(
        db,
        """
        insert into marts.fct_traffic_sources (event_session_id, referrer_source,
                                               participants_count, share_pct)
        values (%(sid)s, 'google.com', %(n)s * 6 / 10, 60), (%(sid)s, 'direct', %(n)s * 4 / 10, 40)
        """,
        {"sid": sid, "n": n},
    )
    wh.execute(
        db,
        """
        insert into marts.fct_devices (event_session_id, platform, participants_count, share_pct)
        values (%(sid)s, 'web', %(n)s * 7 / 10, 70), (%(sid)s, 'android', %(n)s * 3 / 10, 30)
        """,
        {"sid": sid, "n": n},
    )
    wh.execute(db, "analyze marts.fct_participants; analyze marts.fct_connections")


def _repeat(
    runs: int, what: str, render: Callable[[], dict], baseline: tuple[str, Callable[[], dict]]
) -> dict[str, Any]:
    """``runs`` times the render and its baseline (``(name, task)``), each in its own
    process, interleaved: the render's seconds and peak / idle RSS, the baseline's
    seconds (as ``<name>_seconds``) and their ratio, plus the last render's result."""
    name, measure_baseline = baseline
    keys = ("seconds", "peak_rss_mb", "idle_rss_mb", f"{name}_seconds", "ratio")
    samples = {key: Sample() for key in keys}
    got: dict = {}
    for i in range(runs):
        got, base = render(), measure_baseline()
        values = (got["seconds"], got["peak_rss_mb"], got["idle_rss_mb"], base["seconds"])
        for key, value in zip(keys, (*values, got["seconds"] / base["seconds"]), strict=True):
            samples[key].add(value)
        log(
            f"{what}: run {i + 1}: {got['seconds']:.1f} s, peak "
            f"{got['peak_rss_mb']:.0f} MB; {name} {base['seconds']:.2f} s"
        )
    return {"samples": {k: v.as_dict() for k, v in samples.items()}, "last": got}


def run(wh: Warehouse, db: str, sizes: list[int], pdf_size: int, repeat: int) -> dict[str, Any]:
    out = wh.root / "reports-out"
    out.mkdir(exist_ok=True)
    uri = wh.db_uri(db)
    results: dict[str, Any] = {"xlsx": {}, "pdf": {}}
    for n in sorted(set(sizes) | {pdf_size}):
        insert_session(wh, db, f"bench-{n}", n)
    for n in sizes:
        sid = f"bench-{n}"
        done = _repeat(
            repeat if n < 100_000 else max(2, repeat - 1),
            f"xlsx {n:,}",
            lambda sid=sid: worker("xlsx", uri=uri, sid=sid, out=str(out / f"{sid}.xlsx")),
            ("read", lambda sid=sid: worker("read", uri=uri, sid=sid)),
        )
        last = done["last"]
        results["xlsx"][str(n)] = {
            **done["samples"],
            "counts": last["counts"],
            "bytes": last["bytes"],
        }
    sid = f"bench-{pdf_size}"
    done = _repeat(
        repeat,
        f"pdf {pdf_size:,}",
        lambda: worker("pdf", uri=uri, sid=sid, out=str(out / f"{sid}.pdf")),
        ("minimal", lambda: worker("pdf_minimal", out=str(out / "minimal.pdf"))),
    )
    results["pdf"][str(pdf_size)] = {
        **done["samples"],
        "shown": done["last"]["shown"],
        "bytes": done["last"]["bytes"],
    }
    keys = ("webstat_ms_per_row", "bare_ms_per_row", "ratio", "lines_ms_per_row", "lines_ratio")
    per_row = {key: Sample() for key in keys}
    for i in range(repeat):
        got = worker("pdf_rows", uri=uri, sid=sid, out=str(out / "rows.pdf"))
        for key, sample in per_row.items():
            sample.add(got[key])
        log(
            f"pdf rows: run {i + 1}: {got['webstat_ms_per_row']:.1f} ms a row, a bare table "
            f"{got['bare_ms_per_row']:.1f} ms ({got['rows']} rows, {got['columns']} columns)"
        )
    results["pdf_rows"] = {key: sample.as_dict() for key, sample in per_row.items()}
    return results
