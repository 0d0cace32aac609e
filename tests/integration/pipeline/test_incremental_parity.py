"""Incremental builds equal a full refresh, for every mart, on data that arrives late.

Three daily runs (``daily.ingest`` + ``daily.transform``, as the daily DAG does) over
hand-written files; then the marts are copied aside, the project is rebuilt with
``dbt run --full-refresh`` at the same clock (the data tests already ran in the daily
builds), and every relation of schema ``marts`` is compared with ``EXCEPT ALL`` both
ways. A few values are worked out by hand from the
marts contract (docs/marts.md). Times UTC; org-1 unless said.

Day 1 (date=2026-11-02)
  es-1  10:00-11:00, no session.ended yet. h-1 (host, no e-mail) 09:58-11:00.
        u-1 joins 10:05 as a guest (no registration yet), no leave yet.
        u-2 registered bob@example.com, 10:00-11:00; one chat message, delivered
        again in b.ndjson (a duplicate). A line cut off after its session id (a
        reject naming es-1) and a line of garbage (a reject naming no session).
  es-Q  org-2, a broken clock: session.started 2024-11-01 10:00, session.ended
        2026-11-02 11:00 (731 days 1 hour); guest u-9 10:00-10:30 on 2026-11-02.
Day 2 (date=2026-11-03)
  es-1  u-1 leaves 10:50 (a late leave); u-2's join again (a duplicate).
        Clock 2026-11-04: es-1's newest event is 37 h old -> closed by inference.
  es-2  10:00-11:00 (2026-11-03). u-1 registers carol@example.com, 10:00-10:30;
        u-2 (bob) 10:10-11:00; u-3 invited as dave.old@example.com, 10:20-10:50.
  es-3  14:00-15:00 (2026-11-03). u-4 invited as dave.old@example.com, 14:00-14:30:
        returning for now (dave.old attended es-2 first).
Day 3 (date=2026-11-04)
  es-1  u-1's registration carol@example.com (registered 2026-11-02 09:30, late),
        session.ended 11:00 (late: the inferred end becomes a real one).
  es-2  u-3 registers dave@example.com (replaces the invitation's address), so
        dave.old's first session is es-3 now, where u-4 becomes new.
  b.ndjson holds one line only: a reject naming es-1.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from webstat.settings import load_settings
from webstat.tasks import daily
from webstat.warehouse import prepare
from webstat.warehouse.transform import dbt_vars, run_dbt

pytestmark = pytest.mark.integration

DAYS = [date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4)]
_n = 0


def ev(event_type, at, session, participant=None, org="org-1", **payload) -> str:
    global _n
    _n += 1
    body = {"event_id": f"p-{session}-{_n}", "event_type": event_type, "occurred_at": at,
            "organization_id": org, "event_session_id": session, "webinar_id": "w-" + session,
            "payload": payload}  # fmt: skip
    if participant:
        body["participant_id"] = participant
    return json.dumps(body, ensure_ascii=False)


def join(at, session, who, conn, role="participant", org="org-1"):
    return ev("participant.joined", at, session, who, org=org, connection_id=conn, role=role,
              platform="web")  # fmt: skip


def left(at, session, who, conn, org="org-1"):
    return ev("participant.left", at, session, who, org=org, connection_id=conn)


def started(at, session, org="org-1"):
    return ev("session.started", at, session, org=org, webinar_name=f"Вебинар {session}")


def ended(at, session, org="org-1"):
    return ev("session.ended", at, session, org=org)


def files() -> dict[date, dict[str, list[str]]]:
    message = ev("chat.message_posted", "2026-11-02T10:20:00Z", "es-1", "u-2", message_id="m-1")
    bob_joins = join("2026-11-02T10:00:00Z", "es-1", "u-2", "c-2")
    return {
        DAYS[0]: {
            "a.ndjson": [
                started("2026-11-02T10:00:00Z", "es-1"),
                join("2026-11-02T09:58:00Z", "es-1", "h-1", "c-h", role="host"),
                left("2026-11-02T11:00:00Z", "es-1", "h-1", "c-h"),
                ev("participant.registered", "2026-11-01T09:00:00Z", "es-1", "u-2",
                   email="bob@example.com"),
                bob_joins,
                left("2026-11-02T11:00:00Z", "es-1", "u-2", "c-2"),
                join("2026-11-02T10:05:00Z", "es-1", "u-1", "c-1"),
                message,
                '{"event_id":"p-cut","event_type":"chat.message_posted","event_session_id":"es-1",',
                "\x01garbage, not an event",
                started("2024-11-01T10:00:00Z", "es-Q", org="org-2"),
                join("2026-11-02T10:00:00Z", "es-Q", "u-9", "c-9", org="org-2"),
                left("2026-11-02T10:30:00Z", "es-Q", "u-9", "c-9", org="org-2"),
                ended("2026-11-02T11:00:00Z", "es-Q", org="org-2"),
            ],
            "b.ndjson": [message],
        },
        DAYS[1]: {
            "a.ndjson": [
                left("2026-11-02T10:50:00Z", "es-1", "u-1", "c-1"),
                bob_joins,
                started("2026-11-03T10:00:00Z", "es-2"),
                ev("participant.registered", "2026-11-02T18:00:00Z", "es-2", "u-1",
                   email="carol@example.com"),
                ev("participant.registered", "2026-11-02T18:30:00Z", "es-2", "u-2",
                   email="bob@example.com"),
                ev("participant.invited", "2026-11-02T12:00:00Z", "es-2", "u-3",
                   email="dave.old@example.com"),
                join("2026-11-03T10:00:00Z", "es-2", "u-1", "c-21"),
                left("2026-11-03T10:30:00Z", "es-2", "u-1", "c-21"),
                join("2026-11-03T10:10:00Z", "es-2", "u-2", "c-22"),
                left("2026-11-03T11:00:00Z", "es-2", "u-2", "c-22"),
                join("2026-11-03T10:20:00Z", "es-2", "u-3", "c-23"),
                left("2026-11-03T10:50:00Z", "es-2", "u-3", "c-23"),
                ended("2026-11-03T11:00:00Z", "es-2"),
                started("2026-11-03T14:00:00Z", "es-3"),
                ev("participant.invited", "2026-11-03T12:00:00Z", "es-3", "u-4",
                   email="dave.old@example.com"),
                join("2026-11-03T14:00:00Z", "es-3", "u-4", "c-34"),
                left("2026-11-03T14:30:00Z", "es-3", "u-4", "c-34"),
                ended("2026-11-03T15:00:00Z", "es-3"),
            ],
        },
        DAYS[2]: {
            "a.ndjson": [
                ev("participant.registered", "2026-11-02T09:30:00Z", "es-1", "u-1",
                   email="carol@example.com"),
                ended("2026-11-02T11:00:00Z", "es-1"),
                ev("participant.registered", "2026-11-03T09:00:00Z", "es-2", "u-3",
                   email="dave@example.com"),
            ],
            "b.ndjson": ['{"event_id": "p-late-cut", "event_session_id": "es-1", "payload": {'],
        },
    }  # fmt: skip


def window(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)


def mart_relations(conn) -> list[str]:
    return [r[0] for r in conn.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' "
        "order by 1")]  # fmt: skip


@pytest.fixture(scope="module")
def built(pg_server_url, tmp_path_factory):
    """The warehouse after the three daily runs (marts copied to schema parity_incremental)
    and then a --full-refresh run at the last day's clock."""
    name = f"parity_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_server_url, autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    url = pg_server_url.replace("/postgres?", f"/{name}?")
    root: Path = tmp_path_factory.mktemp("parity")
    settings = load_settings({"WEBSTAT_WAREHOUSE_URL": url, "WEBSTAT_HOME": str(root / "home"),
                              "WEBSTAT_LANDING_URI": str(root / "landing"),
                              # day 3's b.ndjson is one rejected line: 100 % of that file
                              "WEBSTAT_MAX_REJECT_PCT": "100"})  # fmt: skip
    for day, day_files in files().items():
        folder = root / "landing" / f"date={day}"
        folder.mkdir(parents=True)
        for file_name, lines in day_files.items():
            (folder / file_name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    for day in DAYS:
        start, end = window(day)
        daily.ingest(start, settings)
        daily.transform(start, end, settings)
    conn = psycopg.connect(url, autocommit=True)
    relations = mart_relations(conn)
    conn.execute("create schema parity_incremental")
    for t in relations:
        conn.execute(f"create table parity_incremental.{t} as table marts.{t}")
    _, end = window(DAYS[-1])
    run_dbt(["run", "--full-refresh"], settings, prepare(settings), dbt_vars(settings), end)
    yield {"conn": conn, "relations": relations}
    conn.close()
    with psycopg.connect(pg_server_url, autocommit=True) as admin:
        admin.execute(f'drop database if exists "{name}" with (force)')


def test_every_mart_equals_a_full_refresh(built):
    conn, relations = built["conn"], built["relations"]
    assert {"fct_event_sessions", "fct_participants", "fct_connections", "fct_traffic_sources",
            "fct_devices", "fct_attendance_minutes", "dim_people",
            "fct_data_quality"} <= set(relations)  # fmt: skip
    assert mart_relations(conn) == relations
    differ = {}
    for t in relations:
        only_incremental, only_full, rows = conn.execute(f"""
            select (select count(*) from (select * from parity_incremental.{t}
                                          except all select * from marts.{t}) as d),
                   (select count(*) from (select * from marts.{t}
                                          except all select * from parity_incremental.{t}) as d),
                   (select count(*) from marts.{t})""").fetchone()  # fmt: skip
        assert rows > 0, t
        if only_incremental or only_full:
            differ[t] = {"only_incremental": only_incremental, "only_full_refresh": only_full}
    assert differ == {}


def test_a_late_registration_leaves_no_guest_row_and_a_changed_address_moves(built):
    """u-1 joined es-1 as a guest; its e-mail came two files later: one carol row, no
    guest:u-1. u-3's invitation address dave.old was replaced by a registration's
    dave: dave.old keeps only es-3 (u-4), where it is now new."""
    for schema in ("parity_incremental", "marts"):
        rows = built["conn"].execute(f"""
            select organization_id, person_key, email, sessions_attended,
                   first_event_session_id, first_attended_at, last_attended_at
            from {schema}.dim_people
            order by organization_id, person_key collate "C"
        """).fetchall()  # fmt: skip
        t = lambda d, hm: datetime.fromisoformat(f"2026-11-{d:02d}T{hm}:00+00:00")  # noqa: E731
        assert rows == [
            ("org-1", "bob@example.com", "bob@example.com", 2, "es-1", t(2, "10:00"),
             t(3, "10:10")),
            ("org-1", "carol@example.com", "carol@example.com", 2, "es-1", t(2, "10:05"),
             t(3, "10:00")),
            ("org-1", "dave.old@example.com", "dave.old@example.com", 1, "es-3", t(3, "14:00"),
             t(3, "14:00")),
            ("org-1", "dave@example.com", "dave@example.com", 1, "es-2", t(3, "10:20"),
             t(3, "10:20")),
            ("org-1", "guest:h-1", None, 1, "es-1", t(2, "09:58"), t(2, "09:58")),
            ("org-2", "guest:u-9", None, 1, "es-Q", t(2, "10:00"), t(2, "10:00")),
        ], schema  # fmt: skip
        split = built["conn"].execute(f"""
            select event_session_id, new_participants_count, returning_participants_count,
                   guest_participants_count
            from {schema}.fct_event_sessions where organization_id = 'org-1'
            order by 1""").fetchall()  # fmt: skip
        # es-1: bob and carol new, h-1 a host; es-2: carol and bob returning, dave new;
        # es-3: u-4 (dave.old) new, since u-3 is dave now
        assert split == [("es-1", 2, 0, 0), ("es-2", 1, 2, 0), ("es-3", 1, 0, 0)], schema


def test_late_leave_late_end_duplicates_and_rejects(built):
    c = built["conn"]
    assert c.execute("""
        select status, ended_at, end_inferred, duration_seconds
        from parity_incremental.fct_event_sessions where event_session_id = 'es-1'
    """).fetchone() == ("ended", datetime(2026, 11, 2, 11, tzinfo=UTC), False, 3600)
    # u-1 10:05-10:50 (the leave came a day late): 2700 of 3600 s
    assert c.execute("""
        select presence_seconds, presence_pct, person_key, is_guest, is_new
        from parity_incremental.fct_participants
        where event_session_id = 'es-1' and participant_id = 'u-1'
    """).fetchone() == (2700, Decimal("75.00"), "carol@example.com", False, True)
    checks = dict(c.execute("""
        select check_name, observed_count from parity_incremental.fct_data_quality
        where event_session_id = 'es-1'""").fetchall())  # fmt: skip
    # duplicates: the message (day 1, b.ndjson) and u-2's join (day 2); rejects: the
    # line cut off on day 1 and day 3's one-line file, both naming es-1 (the garbage
    # line names no session); h-1's join at 09:58 is before the start
    assert checks == {"orphan_leaves": 0, "inferred_leaves": 0, "joins_outside_session": 1,
                      "duplicate_events_dropped": 2, "rejected_lines": 2,
                      "session_too_long": 0}  # fmt: skip


def test_a_session_stretched_over_two_years_is_quarantined(built):
    c = built["conn"]
    for schema in ("parity_incremental", "marts"):
        # 2024-11-01 10:00 -> 2026-11-02 11:00: 731 days and 1 hour
        assert c.execute(f"""
            select status, duration_seconds, participants_count
            from {schema}.fct_event_sessions where event_session_id = 'es-Q'
        """).fetchone() == ("quarantined", 731 * 86400 + 3600, 1)
        assert c.execute(f"""
            select presence_seconds from {schema}.fct_participants
            where event_session_id = 'es-Q' and participant_id = 'u-9'
        """).fetchone() == (1800,)
        assert c.execute(f"""
            select count(*) from {schema}.fct_attendance_minutes
            where event_session_id = 'es-Q'""").fetchone() == (0,)  # fmt: skip
        too_long = dict(c.execute(f"""
            select event_session_id, observed_count from {schema}.fct_data_quality
            where check_name = 'session_too_long'""").fetchall())  # fmt: skip
        assert too_long == {"es-1": 0, "es-2": 0, "es-3": 0, "es-Q": 1}
        # es-Q's file also carried es-1's reject and a garbage line: neither is its own
        assert c.execute(f"""
            select observed_count from {schema}.fct_data_quality
            where event_session_id = 'es-Q' and check_name = 'rejected_lines'
        """).fetchone() == (0,)
        # the other sessions still get every minute: 60 each
        assert c.execute(f"""
            select event_session_id, count(*) from {schema}.fct_attendance_minutes
            group by 1 order by 1""").fetchall() == [("es-1", 60), ("es-2", 60), ("es-3", 60)]
