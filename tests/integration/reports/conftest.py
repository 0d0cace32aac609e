"""Hand-made ``marts`` tables (a throw-away database) for the report tests.

The tables follow ``docs/marts.md`` (names and types); their rows are values
chosen by hand in each test, so every expectation is worked out from the
contract, not from the models.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

MARTS_DDL = """
create schema if not exists marts;
create table marts.fct_event_sessions (
    event_session_id text primary key, organization_id text, webinar_id text,
    webinar_name text, status text, started_at timestamptz, ended_at timestamptz,
    end_inferred boolean, duration_seconds bigint, is_paid boolean, engagement_module boolean,
    invited_count bigint, registered_count bigint, attendees_count bigint,
    participants_count bigint, hosts_count bigint, new_participants_count bigint,
    returning_participants_count bigint, guest_participants_count bigint,
    left_early_count bigint, messages_count bigint, questions_count bigint, fires_count bigint,
    peak_concurrent_participants bigint, avg_presence_pct numeric,
    host_active_started_at timestamptz, host_active_ended_at timestamptz,
    host_active_seconds bigint, host_active_pct numeric, report_date date,
    joined_late_count bigint, low_presence_count bigint, no_show_count bigint
);
create table marts.fct_participants (
    event_session_id text, participant_id text, person_key text, email text,
    is_guest boolean, first_name text, last_name text, registration_fields jsonb,
    chat_name text, role text, payment_status text, registration_status text,
    invited_at timestamptz, registered_at timestamptz, referrer_source text,
    utm_source text, utm_medium text, utm_campaign text, utm_content text, utm_term text,
    platforms text, primary_platform text, country text, city text, last_ip text,
    first_joined_at timestamptz, last_left_at timestamptz, connections_count bigint,
    presence_seconds bigint, presence_pct numeric, messages_count bigint,
    messages_pct numeric, questions_count bigint, questions_pct numeric, fires_count bigint,
    active_seconds bigint, active_pct numeric, host_window_presence_pct numeric,
    rating numeric, agreements jsonb, is_new boolean, left_early boolean,
    full_name text, visitor_type text, joined_late boolean, low_presence boolean,
    has_attended boolean,
    primary key (event_session_id, participant_id)
);
create table marts.fct_connections (
    event_session_id text, participant_id text, connection_id text,
    joined_at timestamptz, left_at timestamptz, left_inferred boolean,
    duration_seconds bigint, role text, platform text, chat_name text, ip text,
    country text, city text, user_agent text,
    primary key (event_session_id, connection_id)
);
create table marts.fct_traffic_sources (
    event_session_id text, referrer_source text, participants_count bigint, share_pct numeric
);
create table marts.fct_devices (
    event_session_id text, platform text, participants_count bigint, share_pct numeric
);
create table marts.fct_attendance_minutes (
    event_session_id text, minute_at timestamptz, participants_online bigint,
    joins_count bigint default 0, leaves_count bigint default 0,
    messages_count bigint default 0, questions_count bigint default 0,
    fires_count bigint default 0
);
create table marts.fct_webinar_series (
    event_session_id text primary key, organization_id text, webinar_id text,
    session_number bigint, persons_count bigint, first_time_count bigint,
    from_previous_count bigint, retained_to_next_count bigint, retained_to_next_pct numeric
);
"""


def session_row(event_session_id: str, **over: Any) -> dict[str, Any]:
    """An ended 2-hour session on 2026-11-02 10:00-12:00 UTC (13:00-15:00 in Moscow)."""
    start = over.pop("started_at", datetime(2026, 11, 2, 10, 0, tzinfo=UTC))
    row: dict[str, Any] = {
        "event_session_id": event_session_id,
        "organization_id": "org-1",
        "webinar_id": "w-1",
        "webinar_name": "Вебинар: аналитика",
        "status": "ended",
        "started_at": start,
        "ended_at": start + timedelta(hours=2),
        "end_inferred": False,
        "duration_seconds": 7200,
        "is_paid": False,
        "engagement_module": False,
        "invited_count": 0,
        "registered_count": 0,
        "attendees_count": 0,
        "participants_count": 0,
        "hosts_count": 0,
        "new_participants_count": 0,
        "returning_participants_count": 0,
        "guest_participants_count": 0,
        "left_early_count": 0,
        "messages_count": 0,
        "questions_count": 0,
        "fires_count": 0,
        "peak_concurrent_participants": 0,
        "avg_presence_pct": None,
        "host_active_started_at": None,
        "host_active_ended_at": None,
        "host_active_seconds": 0,
        "host_active_pct": None,
        "report_date": date(2026, 11, 2),
        "joined_late_count": 0,
        "low_presence_count": 0,
        "no_show_count": 0,
    }
    row.update(over)
    return row


def participant_row(event_session_id: str, participant_id: str, **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "event_session_id": event_session_id,
        "participant_id": participant_id,
        "person_key": f"guest:{participant_id}",
        "email": None,
        "is_guest": True,
        "first_name": None,
        "last_name": None,
        "registration_fields": None,
        "chat_name": None,
        "role": "participant",
        "payment_status": None,
        "registration_status": None,
        "invited_at": None,
        "registered_at": None,
        "referrer_source": "direct",
        "utm_source": None,
        "utm_medium": None,
        "utm_campaign": None,
        "utm_content": None,
        "utm_term": None,
        "platforms": None,
        "primary_platform": None,
        "country": None,
        "city": None,
        "last_ip": None,
        "first_joined_at": None,
        "last_left_at": None,
        "connections_count": 0,
        "presence_seconds": 0,
        "presence_pct": 0,
        "messages_count": 0,
        "messages_pct": None,
        "questions_count": 0,
        "questions_pct": None,
        "fires_count": 0,
        "active_seconds": None,
        "active_pct": None,
        "host_window_presence_pct": None,
        "rating": 0,
        "agreements": None,
        "is_new": None,
        "joined_late": None,
        "left_early": None,
        "low_presence": None,
    }
    row.update(over)
    row.setdefault("has_attended", row["connections_count"] > 0)
    # unless given, as the contract defines them (marts/fct_participants.yml)
    if "full_name" not in over:
        parts = [n for n in (row["first_name"], row["last_name"]) if n is not None]
        row["full_name"] = " ".join(parts) or row["chat_name"]
    if "visitor_type" not in over:
        row["visitor_type"] = _visitor_type(row)
    return row


def _visitor_type(row: dict[str, Any]) -> str | None:
    if not row["connections_count"]:
        return None
    if row["is_guest"]:
        return "guest"
    return {True: "new", False: "returning"}.get(row["is_new"])


class Marts:
    """Inserts hand-made rows into the throw-away ``marts`` tables."""

    session_row = staticmethod(session_row)
    participant_row = staticmethod(participant_row)

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo

    def connect(self, **kwargs: Any):
        import psycopg

        return psycopg.connect(self.conninfo, **kwargs)

    def insert(self, table: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        from psycopg.types.json import Jsonb

        cols = list(rows[0])
        sql = (
            f"insert into marts.{table} ({', '.join(cols)}) values "
            f"({', '.join(['%s'] * len(cols))})"
        )
        values = [
            [Jsonb(r[c]) if isinstance(r[c], (dict, list)) else r[c] for c in cols] for r in rows
        ]
        with self.connect(autocommit=True) as conn, conn.cursor() as cur:
            cur.executemany(sql, values)

    def execute(self, sql: str, params: Any = None) -> None:
        with self.connect(autocommit=True) as conn:
            conn.execute(sql, params)

    def insert_worked_example(self, sid: str, **session_over: Any) -> str:
        """The worked example (below) again, under another id / with other session fields."""
        return insert_worked_example(self, sid, **session_over)


@pytest.fixture(scope="session")
def marts(pg_server_url: str) -> Iterator[Marts]:
    """A throw-away database with empty ``marts`` tables, on the session's Postgres.

    One database for the reports' tests (dropped at the end); each test uses its
    own event_session_ids, so they do not see each other's rows.
    """
    import uuid

    import psycopg

    name = f"reports_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server_url, autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    uri = pg_server_url.replace("/postgres?", f"/{name}?")
    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute(MARTS_DDL)
    yield Marts(uri)
    with psycopg.connect(pg_server_url, autocommit=True) as admin:
        admin.execute(f'drop database if exists "{name}" with (force)')


# --- scenarios ----------------------------------------------------------------------------
# The worked example of docs/marts.md: a 2 h session 10:00-12:00 UTC (13:00-15:00 in
# Moscow), hosts on air 10:00-11:00. Anna is present 10:30-12:00 (the last 30 min of
# the hosts' hour and the hour after): presence 1:30:00 = 75 %, in the hosts' window
# 50 %. Boris 10:00-10:30: 0:30:00 = 25 %, window 50 %. A guest 11:00-12:00: 50 %.
# No engagement module: rating = 0.60 × presence + 0.15 S(msg,10) + 0.15 S(q,3)
# + 0.10 S(fires,20) -> Anna 45 + 9 + 10 + 10 = 74.0, Boris 15 + 6 + 5 + 6 = 32.0,
# the guest 30.0. Flags (5 min of grace, low presence below 80 %): Anna joined late
# (10:30) and stayed to the end, Boris left early (10:30), the guest joined late (11:00)
# and stayed; all three are below 80 % -> 2 late, 1 left early, 3 low presence. Vera was
# invited and never came (the one no-show); the host is staff (no flags, never a guest).

WORKED = "es-worked"
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def _connection(
    sid: str, pid: str, cid: str, joined: datetime, left: datetime, **over: Any
) -> dict[str, Any]:
    row = {
        "event_session_id": sid,
        "participant_id": pid,
        "connection_id": cid,
        "joined_at": joined,
        "left_at": left,
        "left_inferred": False,
        "duration_seconds": int((left - joined).total_seconds()),
        "role": "participant",
        "platform": "web",
        "chat_name": None,
        "ip": "203.0.113.7",
        "country": "Россия",
        "city": "Казань",
        "user_agent": "Mozilla/5.0",
    }
    row.update(over)
    return row


def _known(first: str, last: str, email: str) -> dict[str, Any]:
    """A person with an e-mail (so never a guest), named as the marts name them."""
    return {
        "full_name": f"{first} {last}",
        "person_key": email,
        "email": email,
        "is_guest": False,
        "first_name": first,
        "last_name": last,
    }


def _flags(*, late: bool, early: bool, low: bool) -> dict[str, bool]:
    return {"joined_late": late, "left_early": early, "low_presence": low}


def insert_worked_example(marts: Marts, sid: str = WORKED, **session_over: Any) -> str:
    h = timedelta(hours=1)
    m30 = timedelta(minutes=30)
    marts.insert(
        "fct_event_sessions",
        [
            session_row(
                sid,
                invited_count=2,
                registered_count=2,
                attendees_count=4,
                participants_count=3,
                hosts_count=1,
                new_participants_count=1,
                returning_participants_count=1,
                guest_participants_count=1,
                joined_late_count=2,
                left_early_count=1,
                low_presence_count=3,
                no_show_count=1,
                messages_count=10,
                questions_count=3,
                fires_count=42,
                peak_concurrent_participants=2,
                avg_presence_pct=Decimal("50.00"),
                host_active_started_at=T0,
                host_active_ended_at=T0 + h,
                host_active_seconds=3600,
                host_active_pct=Decimal("50.00"),
                **session_over,
            )
        ],
    )
    marts.insert(
        "fct_participants",
        [
            participant_row(
                sid,
                "u-anna",
                **_known("Анна", "Иванова", "anna@example.com"),
                visitor_type="new",
                registration_fields={"Компания": "ООО «Ромашка»"},
                chat_name="Анна И.",
                registration_status="registered_by_invitation",
                invited_at=datetime(2026, 10, 28, 9, 0, tzinfo=UTC),
                registered_at=datetime(2026, 10, 29, 21, 30, tzinfo=UTC),
                referrer_source="t.me",
                utm_source="telegram",
                utm_campaign="nov",
                platforms="android, web",
                primary_platform="web",
                country="Россия",
                city="Казань",
                last_ip="203.0.113.7",
                first_joined_at=T0 + m30,
                last_left_at=T0 + 2 * h,
                connections_count=2,
                presence_seconds=5400,
                presence_pct=Decimal("75.00"),
                messages_count=6,
                messages_pct=Decimal("60.00"),
                questions_count=2,
                questions_pct=Decimal("66.67"),
                fires_count=30,
                host_window_presence_pct=Decimal("50.00"),
                rating=Decimal("74.0"),
                agreements=[
                    {
                        "agreement_id": "pd",
                        "title": "Согласие на обработку ПД",
                        "accepted_at": "2026-10-29T21:30:00Z",
                    }
                ],
                is_new=True,
                **_flags(late=True, early=False, low=True),
            ),
            participant_row(
                sid,
                "u-boris",
                **_known("Борис", "Петров", "boris@example.com"),
                visitor_type="returning",
                chat_name="Boris",
                registration_status="self_registered",
                registered_at=datetime(2026, 11, 1, 8, 0, tzinfo=UTC),
                referrer_source="direct",
                platforms="ios",
                primary_platform="ios",
                first_joined_at=T0,
                last_left_at=T0 + m30,
                connections_count=1,
                presence_seconds=1800,
                presence_pct=Decimal("25.00"),
                messages_count=4,
                messages_pct=Decimal("40.00"),
                questions_count=1,
                questions_pct=Decimal("33.33"),
                fires_count=12,
                host_window_presence_pct=Decimal("50.00"),
                rating=Decimal("32.0"),
                is_new=False,
                **_flags(late=False, early=True, low=True),
            ),
            participant_row(
                sid,
                "g-1",
                full_name="Гость 1",
                visitor_type="guest",
                chat_name="Гость 1",
                referrer_source="direct",
                platforms="web",
                primary_platform="web",
                first_joined_at=T0 + h,
                last_left_at=T0 + 2 * h,
                connections_count=1,
                presence_seconds=3600,
                presence_pct=Decimal("50.00"),
                messages_pct=Decimal("0.00"),
                questions_pct=Decimal("0.00"),
                host_window_presence_pct=Decimal("0.00"),
                rating=Decimal("30.0"),
                **_flags(late=True, early=False, low=True),
            ),
            participant_row(
                sid,
                "u-inv",
                **_known("Вера", "Приглашённая", "inv@example.com"),
                visitor_type=None,
                registration_status="invited",
                registration_fields={"Должность": "Бухгалтер", "Компания": "ИП Петрова"},
                invited_at=datetime(2026, 10, 28, 9, 0, tzinfo=UTC),
                presence_pct=Decimal(0),
                rating=Decimal(0),
            ),
            participant_row(
                sid,
                "h-1",
                **_known("Ведущая", "Смирнова", "host@example.com"),
                visitor_type=None,
                role="host",
                platforms="web",
                primary_platform="web",
                first_joined_at=T0,
                last_left_at=T0 + 2 * h,
                connections_count=1,
                presence_seconds=7200,
                presence_pct=Decimal("100.00"),
                rating=Decimal("60.0"),
            ),
        ],
    )
    marts.insert(
        "fct_connections",
        [
            _connection(
                sid, "u-anna", "c-1", T0 + m30, T0 + h, platform="android", chat_name="Анна И."
            ),
            _connection(sid, "u-anna", "c-2", T0 + m30, T0 + 2 * h, chat_name="Анна И."),
            _connection(sid, "u-boris", "c-3", T0, T0 + m30, platform="ios", chat_name="Boris"),
            _connection(
                sid, "g-1", "c-4", T0 + h, T0 + 2 * h, chat_name="Гость 1", left_inferred=True
            ),
            _connection(sid, "h-1", "c-5", T0, T0 + 2 * h, role="host"),
        ],
    )
    marts.insert(
        "fct_traffic_sources",
        [
            {
                "event_session_id": sid,
                "referrer_source": "direct",
                "participants_count": 2,
                "share_pct": Decimal("66.67"),
            },
            {
                "event_session_id": sid,
                "referrer_source": "t.me",
                "participants_count": 1,
                "share_pct": Decimal("33.33"),
            },
        ],
    )
    marts.insert(
        "fct_devices",
        [
            {
                "event_session_id": sid,
                "platform": "web",
                "participants_count": 2,
                "share_pct": Decimal("66.67"),
            },
            {
                "event_session_id": sid,
                "platform": "ios",
                "participants_count": 1,
                "share_pct": Decimal("33.33"),
            },
        ],
    )
    online = {0: 1, 60: 2}  # Boris, then Anna (from 10:30), then Anna + the guest
    marts.insert(
        "fct_attendance_minutes",
        [
            {
                "event_session_id": sid,
                "minute_at": T0 + timedelta(minutes=i),
                "participants_online": online[max(k for k in online if k <= i)],
            }
            for i in range(120)
        ],
    )
    return sid


@pytest.fixture(scope="session")
def worked_example(marts: Marts) -> str:
    """The contract's worked example, loaded once; returns its event_session_id."""
    return insert_worked_example(marts)


@pytest.fixture()
def settings_for(tmp_path):
    """``settings_for(locale=…)`` -> Settings writing artifacts under a temp folder."""
    from webstat.settings import load_settings

    def make(**env: str):
        environ = {
            "WEBSTAT_ARTIFACTS_URI": str(tmp_path / "artifacts"),
            "WEBSTAT_TIMEZONE": "Europe/Moscow",
            "WEBSTAT_LOCALE": "ru",
        }
        environ.update({f"WEBSTAT_{k.upper()}": v for k, v in env.items()})
        return load_settings(environ)

    return make


# --- reading reports back -----------------------------------------------------------------


def _pdf_text(path) -> str:
    """All text of a PDF, white space (incl. no-break spaces) collapsed to single spaces."""
    import re

    from pypdf import PdfReader

    text = " ".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip()


def _table(ws, header_row: int = 2) -> list[dict[str, Any]]:
    """The rows under a sheet's header row as {header: cell}."""
    headers = [c.value for c in ws[header_row]]
    out = []
    for row in ws.iter_rows(min_row=header_row + 1):
        out.append({h: c for h, c in zip(headers, row, strict=False) if h is not None})
    return out


@pytest.fixture()
def pdf_text():
    return _pdf_text


@pytest.fixture()
def sheet_table():
    return _table


@pytest.fixture()
def warehouse_marts(warehouse_url: str) -> Marts:
    """A migrated warehouse (``raw.published_reports``, ``raw.report_failures``) with the
    hand-made ``marts`` tables and an empty ``intermediate.int_sessions_to_rebuild``
    (the sessions the run's dbt build rebuilt), for the daily run's report tasks."""
    import psycopg

    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute(MARTS_DDL)
        conn.execute(
            "create schema if not exists intermediate;"
            " create table intermediate.int_sessions_to_rebuild (event_session_id text primary key)"
        )
    return Marts(warehouse_url)
