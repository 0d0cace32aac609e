"""Reading the marts a report shows (schema ``marts``; see ``docs/marts.md``).

The only module of the reports that reads the warehouse: :func:`read_session` and
:func:`read_period` return a :class:`SessionReport` / :class:`PeriodReport` that
the workbook and the PDF render without a connection (tests hand them rows).

Every function takes an open psycopg 3 connection and runs parameterised SQL
only. Participants and connections are streamed through server-side (named)
cursors, so a session of 100k participants never sits in memory at once; the
small relations (sources, devices, minutes, sessions of a period) are fetched
whole. Wrap a whole report in :func:`snapshot` so all its queries see the same
data.

The streamed rows carry ``jsonb`` values as the database's JSON text (decoded by
:func:`~webstat.reports.values.json_text` when shown): psycopg's own ``jsonb``
loader took a third of the client's time reading 100k participants. And the next
batch of a stream is fetched by a helper thread while the caller works on the
current one, so the server's part of each ``FETCH`` (reading the sorted rows,
turning them into text, sending them) runs beside the renderer instead of
between its batches.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from webstat.errors import WebstatError
from webstat.reports.columns import (
    CONNECTION_SHEET,
    PARTICIPANT_SHEET,
    PDF_PARTICIPANTS,
    PDF_PERIOD_PARTICIPANTS,
)

if TYPE_CHECKING:
    import psycopg

Row = dict[str, Any]

ITERSIZE = 2000
"""Rows fetched per round trip by the streaming cursors."""

SESSION_FIELDS = (
    "event_session_id",
    "organization_id",
    "webinar_id",
    "webinar_name",
    "status",
    "started_at",
    "ended_at",
    "end_inferred",
    "duration_seconds",
    "is_paid",
    "engagement_module",
    "invited_count",
    "registered_count",
    "attendees_count",
    "participants_count",
    "hosts_count",
    "new_participants_count",
    "returning_participants_count",
    "guest_participants_count",
    "left_early_count",
    "messages_count",
    "questions_count",
    "fires_count",
    "peak_concurrent_participants",
    "avg_presence_pct",
    "host_active_started_at",
    "host_active_ended_at",
    "host_active_seconds",
    "host_active_pct",
    "report_date",
)
"""The columns of ``marts.fct_event_sessions`` a report reads."""

# Fields the participants query takes beside the mart's own columns (the session's).
_PARTICIPANT_DERIVED = {
    "webinar_name": "s.webinar_name",
    "report_date": "s.report_date",
}
_PARTICIPANT_HELPERS = ("event_session_id", "is_guest")

_CONNECTION_DERIVED = {
    "first_name": "p.first_name",
    "last_name": "p.last_name",
    "email": "p.email",
    "session_started_at": "s.started_at",
    "session_ended_at": "s.ended_at",
}

DERIVED: dict[str, frozenset[str]] = {
    "fct_participants": frozenset(_PARTICIPANT_DERIVED),
    "fct_connections": frozenset(_CONNECTION_DERIVED),
}
"""Fields a report shows beside a mart's own columns, computed by this module's queries."""


def _select_list(
    columns: Sequence[Any], derived: dict[str, str], alias: str, helpers: Sequence[str]
) -> str:
    items: list[str] = []
    seen: set[str] = set()
    for key in [c.key for c in columns] + list(helpers):
        if key in seen:
            continue
        seen.add(key)
        expr = derived.get(key, f"{alias}.{key}")
        items.append(f"{expr} as {key}" if key in derived else expr)
    return ", ".join(items)


_PARTICIPANTS_SQL = (
    "select "
    + _select_list(
        (*PDF_PARTICIPANTS[:1], *PARTICIPANT_SHEET, *PDF_PERIOD_PARTICIPANTS),
        _PARTICIPANT_DERIVED,
        "p",
        _PARTICIPANT_HELPERS,
    )
    + " from marts.fct_participants p"
    " join marts.fct_event_sessions s on s.event_session_id = p.event_session_id"
    " where p.event_session_id = any(%(ids)s)"
    " order by s.started_at, p.event_session_id, p.first_joined_at nulls last,"
    " p.last_name nulls last, p.first_name nulls last, p.participant_id"
)

_CONNECTIONS_SQL = (
    "select "
    + _select_list(CONNECTION_SHEET, _CONNECTION_DERIVED, "c", ("event_session_id",))
    + ", coalesce(p.is_guest, p.email is null) as is_guest"
    " from marts.fct_connections c"
    " join marts.fct_event_sessions s on s.event_session_id = c.event_session_id"
    " left join marts.fct_participants p"
    " on p.event_session_id = c.event_session_id and p.participant_id = c.participant_id"
    " where c.event_session_id = any(%(ids)s)"
    " order by s.started_at, c.event_session_id, c.joined_at, c.connection_id"
)


@contextmanager
def snapshot(conn: psycopg.Connection) -> Iterator[None]:
    """Run the enclosed queries in one read-only, repeatable-read transaction.

    Inside a transaction the caller already opened, a savepoint is used instead
    (the caller's isolation applies).
    """
    from psycopg import pq

    if conn.info.transaction_status == pq.TransactionStatus.IDLE:
        with conn.transaction():
            conn.execute("set transaction isolation level repeatable read, read only")
            # sorting 100k wide participant rows spills to disk at the default 4 MB
            conn.execute("set local work_mem = '64MB'")
            yield
    else:
        with conn.transaction():
            yield


def _fetch_all(conn: psycopg.Connection, sql: str, params: dict[str, Any]) -> list[Row]:
    from psycopg.rows import dict_row

    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(sql, params)
        return cur.fetchall()


_stream_ids = itertools.count(1)


def _stream(
    conn: psycopg.Connection, sql: str, params: dict[str, Any], itersize: int = ITERSIZE
) -> Iterator[Row]:
    """Rows of ``sql`` through a server-side cursor, ``itersize`` at a time (prefetched)."""
    from psycopg.rows import dict_row
    from psycopg.types.string import TextLoader

    name = f"webstat_report_{next(_stream_ids)}"
    # a named cursor lives in a transaction (a savepoint when one is open)
    with conn.transaction(), conn.cursor(name=name, row_factory=dict_row) as cur:
        cur.adapters.register_loader("jsonb", TextLoader)  # JSON text: decoded when shown
        cur.execute(sql, params)
        yield from _prefetched(cur, itersize)


_DONE = object()


def _prefetched(cur: Any, size: int, depth: int = 2) -> Iterator[Row]:
    """The cursor's rows; a helper thread fetches up to ``depth`` batches ahead.

    Only the helper uses the cursor (and so the connection) until the rows are
    exhausted or the consumer stops; either way the helper has finished before
    this generator returns, so the caller's transaction and cursor close after it.
    An error of the helper is raised here, in the consumer's thread.
    """
    batches: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def fetch() -> None:
        try:
            while not stop.is_set():
                rows = cur.fetchmany(size)
                batches.put(rows if rows else _DONE)
                if not rows:
                    return
        except BaseException as exc:  # noqa: BLE001 - handed over to the consumer
            batches.put(exc)

    helper = threading.Thread(target=fetch, name=f"{cur.name}-fetch", daemon=True)
    helper.start()
    try:
        while True:
            item = batches.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield from item
    finally:
        stop.set()
        while helper.is_alive():  # unblock a helper waiting to put a batch, then let it end
            try:
                batches.get(timeout=0.05)
            except queue.Empty:
                pass
        helper.join()


# --- one event session --------------------------------------------------------------------


def fetch_event_session(conn: psycopg.Connection, event_session_id: str) -> Row | None:
    """The session's row of ``marts.fct_event_sessions``, or ``None`` when unknown."""
    rows = _fetch_all(
        conn,
        f"select {', '.join(SESSION_FIELDS)} from marts.fct_event_sessions"
        " where event_session_id = %(id)s",
        {"id": event_session_id},
    )
    return rows[0] if rows else None


def iter_participants(
    conn: psycopg.Connection,
    event_session_ids: Sequence[str],
    *,
    limit: int | None = None,
    itersize: int = ITERSIZE,
) -> Iterator[Row]:
    """Participants of the sessions (with the session's name and date), streamed.

    Ordered by session start, then first join (non-attendees last), surname, name.
    """
    sql = _PARTICIPANTS_SQL
    params: dict[str, Any] = {"ids": list(event_session_ids)}
    if limit is not None:
        sql += " limit %(limit)s"
        params["limit"] = limit
    return _stream(conn, sql, params, itersize)


def count_participants(conn: psycopg.Connection, event_session_ids: Sequence[str]) -> int:
    rows = _fetch_all(
        conn,
        "select count(*) as n from marts.fct_participants where event_session_id = any(%(ids)s)",
        {"ids": list(event_session_ids)},
    )
    return int(rows[0]["n"])


def iter_connections(
    conn: psycopg.Connection, event_session_ids: Sequence[str], *, itersize: int = ITERSIZE
) -> Iterator[Row]:
    """Connections of the sessions with the participant's name and the session's bounds."""
    return _stream(conn, _CONNECTIONS_SQL, {"ids": list(event_session_ids)}, itersize)


def fetch_traffic_sources(conn: psycopg.Connection, event_session_id: str) -> list[Row]:
    """``marts.fct_traffic_sources`` of one session, largest first."""
    return _fetch_all(
        conn,
        "select referrer_source, participants_count, share_pct from marts.fct_traffic_sources"
        " where event_session_id = %(id)s"
        " order by participants_count desc, referrer_source",
        {"id": event_session_id},
    )


def fetch_devices(conn: psycopg.Connection, event_session_id: str) -> list[Row]:
    """``marts.fct_devices`` of one session, largest first."""
    return _fetch_all(
        conn,
        "select platform, participants_count, share_pct from marts.fct_devices"
        " where event_session_id = %(id)s"
        " order by participants_count desc, platform",
        {"id": event_session_id},
    )


def count_attendance_minutes(conn: psycopg.Connection, event_session_id: str, limit: int) -> int:
    """Rows of ``marts.fct_attendance_minutes`` of one session, counted up to ``limit``."""
    row = conn.execute(
        "select count(*) from (select 1 from marts.fct_attendance_minutes"
        " where event_session_id = %(id)s limit %(limit)s) as m",
        {"id": event_session_id, "limit": limit},
    ).fetchone()
    return int(row[0]) if row else 0


def fetch_attendance(conn: psycopg.Connection, event_session_id: str) -> list[Row]:
    """``marts.fct_attendance_minutes`` of one session, in time order."""
    return _fetch_all(
        conn,
        "select minute_at, participants_online from marts.fct_attendance_minutes"
        " where event_session_id = %(id)s order by minute_at",
        {"id": event_session_id},
    )


def too_many_minutes(event_session_id: str, limit: int) -> WebstatError:
    """The error of a session with more than ``limit`` attendance minutes."""
    return WebstatError(
        f"event session {event_session_id!r} has more than {limit:,} attendance"
        " minutes, more than a workbook's chart can hold (is its clock broken?)"
    )


@dataclass
class SessionReport:
    """What one event session's report shows, read by :func:`read_session`.

    ``participants`` and ``connections`` are iterables read once (from the
    warehouse: streamed while the snapshot is open); the rest are small lists.
    """

    session: Row
    """The session's row of ``marts.fct_event_sessions`` (:data:`SESSION_FIELDS`)."""
    participants: Iterable[Row]
    """Every participant, in report order (the workbook's)."""
    connections: Iterable[Row]
    first_participants: list[Row]
    """The first participants in the same order (the PDF's table)."""
    participants_count: int
    attendance: list[Row]
    sources: list[Row]
    devices: list[Row]


def read_session(
    conn: psycopg.Connection,
    session: Row,
    *,
    first_rows: int,
    max_attendance_minutes: int | None = None,
) -> SessionReport:
    """The session's report data; call it and render inside one :func:`snapshot`.

    ``first_rows`` participants are read for the PDF. A session with more than
    ``max_attendance_minutes`` minutes fails here, before anything is rendered.
    """
    sid = session["event_session_id"]
    if max_attendance_minutes is not None:
        minutes = count_attendance_minutes(conn, sid, max_attendance_minutes + 1)
        if minutes > max_attendance_minutes:
            raise too_many_minutes(sid, max_attendance_minutes)
    return SessionReport(
        session=session,
        participants=iter_participants(conn, [sid]),
        connections=iter_connections(conn, [sid]),
        first_participants=list(iter_participants(conn, [sid], limit=first_rows)),
        participants_count=count_participants(conn, [sid]),
        attendance=fetch_attendance(conn, sid),
        sources=fetch_traffic_sources(conn, sid),
        devices=fetch_devices(conn, sid),
    )


# --- a period -----------------------------------------------------------------------------


@dataclass
class Period:
    """The ended event sessions whose report date falls in [start, end] (name filter optional)."""

    start: date
    end: date
    webinar: str | None
    sessions: list[Row] = field(default_factory=list)

    @property
    def session_ids(self) -> list[str]:
        return [s["event_session_id"] for s in self.sessions]

    @property
    def is_paid(self) -> bool:
        return any(s["is_paid"] for s in self.sessions)

    @property
    def engagement_module(self) -> bool:
        return any(s["engagement_module"] for s in self.sessions)


def fetch_period(
    conn: psycopg.Connection, start: date, end: date, webinar: str | None = None
) -> Period:
    """The period's ended sessions; ``webinar`` matches a case-insensitive part of the name."""
    webinar = (webinar or "").strip() or None
    sessions = _fetch_all(
        conn,
        f"select {', '.join(SESSION_FIELDS)} from marts.fct_event_sessions"
        " where status = 'ended' and report_date between %(start)s and %(end)s"
        " and (%(webinar)s::text is null"
        "      or strpos(lower(webinar_name), lower(%(webinar)s::text)) > 0)"
        " order by started_at, event_session_id",
        {"start": start, "end": end, "webinar": webinar},
    )
    return Period(start=start, end=end, webinar=webinar, sessions=sessions)


def fetch_period_sources(conn: psycopg.Connection, event_session_ids: Sequence[str]) -> list[Row]:
    """Traffic sources summed over the sessions, with shares of the sum."""
    return _fetch_all(
        conn,
        "select referrer_source, sum(participants_count)::bigint as participants_count,"
        " round(100.0 * sum(participants_count)"
        "       / nullif(sum(sum(participants_count)) over (), 0), 2) as share_pct"
        " from marts.fct_traffic_sources where event_session_id = any(%(ids)s)"
        " group by referrer_source order by 2 desc, 1",
        {"ids": list(event_session_ids)},
    )


def fetch_period_devices(conn: psycopg.Connection, event_session_ids: Sequence[str]) -> list[Row]:
    """Devices summed over the sessions, with shares of the sum."""
    return _fetch_all(
        conn,
        "select platform, sum(participants_count)::bigint as participants_count,"
        " round(100.0 * sum(participants_count)"
        "       / nullif(sum(sum(participants_count)) over (), 0), 2) as share_pct"
        " from marts.fct_devices where event_session_id = any(%(ids)s)"
        " group by platform order by 2 desc, 1",
        {"ids": list(event_session_ids)},
    )


_SUMMED = (
    "duration_seconds",
    "participants_count",
    "new_participants_count",
    "returning_participants_count",
    "guest_participants_count",
    "invited_count",
    "registered_count",
    "messages_count",
    "questions_count",
    "fires_count",
)


def period_totals(sessions: Sequence[Row], people: Row) -> Row:
    """A period's totals: sums over its sessions, with ``people`` (unique people, mean
    presence) merged in."""
    totals: Row = {"sessions_count": len(sessions)}
    for key in _SUMMED:
        totals[key] = sum(int(s[key] or 0) for s in sessions)
    totals["total_duration_seconds"] = totals.pop("duration_seconds")
    totals.update(people)
    return totals


def fetch_period_totals(conn: psycopg.Connection, period: Period) -> Row:
    """The period's totals: sums over its sessions, unique people, mean presence."""
    people = _fetch_all(
        conn,
        "select count(distinct person_key) as unique_people_count,"
        " round(avg(presence_pct), 2) as avg_presence_pct"
        " from marts.fct_participants"
        " where event_session_id = any(%(ids)s) and role = 'participant'"
        " and connections_count > 0",
        {"ids": period.session_ids},
    )[0]
    return period_totals(period.sessions, people)


@dataclass
class PeriodReport:
    """What a period's report shows, read by :func:`read_period` (rows as in
    :class:`SessionReport`, of every session of the period)."""

    period: Period
    participants: Iterable[Row]
    first_participants: list[Row]
    participants_count: int
    totals: Row
    sources: list[Row]
    devices: list[Row]


def read_period(conn: psycopg.Connection, period: Period, *, first_rows: int) -> PeriodReport:
    """The period's report data; call it and render inside one :func:`snapshot`."""
    ids = period.session_ids
    return PeriodReport(
        period=period,
        participants=iter_participants(conn, ids),
        first_participants=list(iter_participants(conn, ids, limit=first_rows)),
        participants_count=count_participants(conn, ids),
        totals=fetch_period_totals(conn, period),
        sources=fetch_period_sources(conn, ids),
        devices=fetch_period_devices(conn, ids),
    )
