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

import functools
import itertools
import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from webstat.errors import WebstatError
from webstat.reports.columns import (
    ATTENDANCE_COLUMNS,
    EVENT_FIELDS,
    FIELD_COLUMNS_MAX,
    NO_SHOW_SHEET,
    OTHER_FIELDS,
    PARTICIPANT_SHEET,
    PDF_PEOPLE_MAX_ROWS,
    PDF_TABLES,
    PERIOD_CONNECTION_SHEET,
    PERIOD_TOTAL_FIELDS,
    Kind,
    field_key,
)

if TYPE_CHECKING:
    import psycopg

Row = dict[str, Any]

ITERSIZE = 2000
"""Rows fetched per round trip by the streaming cursors."""

SESSION_FIELDS = tuple(
    dict.fromkeys(
        (
            "event_session_id",
            "organization_id",
            "webinar_id",
            "status",
            *(c.key for c in EVENT_FIELDS),
        )
    )
)
"""The columns of ``marts.fct_event_sessions`` a report reads (the event sheet's and the
few it does not show)."""

# Fields the participants query takes beside the mart's own columns (the session's).
_PARTICIPANT_DERIVED = {
    "webinar_name": "s.webinar_name",
    "report_date": "s.report_date",
}
_PARTICIPANT_HELPERS = (
    "event_session_id",
    "is_guest",
    "has_attended",
    "role",
    "joined_late",
    "left_early",
    "low_presence",
)
_SHOWN_NOT_READ = frozenset({"flags", "registration_fields"})
"""Keys of the participants' tables that are no mart column: ``flags`` is made of the
three flags (helpers above), the registration fields arrive one key per label."""

_CONNECTION_DERIVED = {
    "first_name": "p.first_name",
    "last_name": "p.last_name",
    "email": "p.email",
    "session_started_at": "s.started_at",
    "session_ended_at": "s.ended_at",
    "webinar_name": "s.webinar_name",
    "report_date": "s.report_date",
}

DERIVED: dict[str, frozenset[str]] = {
    "fct_participants": frozenset(_PARTICIPANT_DERIVED) | _SHOWN_NOT_READ,
    "fct_connections": frozenset(_CONNECTION_DERIVED),
    # the session's name, date and start, and how many sessions its series has
    "fct_webinar_series": frozenset(
        {"webinar_name", "report_date", "started_at", "series_sessions_count"}
    ),
}
"""Fields a report shows beside a mart's own columns, computed by this module."""


def _select_list(
    columns: Sequence[Any], derived: dict[str, str], alias: str, helpers: Sequence[str]
) -> str:
    items: list[str] = []
    seen: set[str] = set(_SHOWN_NOT_READ)
    for key in [c.key for c in columns] + list(helpers):
        if key in seen:
            continue
        seen.add(key)
        expr = derived.get(key, f"{alias}.{key}")
        items.append(f"{expr} as {key}" if key in derived else expr)
    return ", ".join(items)


GROUPS = ("attendees", "staff", "no_shows")
"""Who a participant row is, in the order the reports list them."""
_GROUP_SQL = (
    "case when not p.has_attended then 3 when p.role in ('admin', 'host') then 2 else 1 end"
)
_ORDER_SQL = (
    f"{_GROUP_SQL}, s.started_at, p.event_session_id, p.first_joined_at nulls last,"
    " p.last_name nulls last, p.first_name nulls last, p.participant_id"
)
_PARTICIPANTS_JOIN = (
    " from marts.fct_participants p"
    " join marts.fct_event_sessions s on s.event_session_id = p.event_session_id"
)
_PARTICIPANTS_WHERE = " where p.event_session_id = any(%(ids)s)"
_PARTICIPANTS_FROM = _PARTICIPANTS_JOIN + _PARTICIPANTS_WHERE
_PARTICIPANT_COLUMNS = _select_list(
    (*PARTICIPANT_SHEET, *NO_SHOW_SHEET, *(c for t in PDF_TABLES.values() for c in t)),
    _PARTICIPANT_DERIVED,
    "p",
    _PARTICIPANT_HELPERS,
)


def group_of(row: Row) -> str:
    """``attendees``, ``staff`` (attending admins and hosts) or ``no_shows`` (never joined)."""
    attended = row.get("has_attended")
    if attended is None:
        attended = bool(row.get("connections_count"))
    if not attended:
        return "no_shows"
    return "staff" if row.get("role") in ("admin", "host") else "attendees"


_CONNECTIONS_SQL = (
    "select "
    + _select_list(PERIOD_CONNECTION_SHEET, _CONNECTION_DERIVED, "c", ("event_session_id",))
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


@dataclass(frozen=True)
class Fields:
    """The registration fields' labels of a report's participants, in first-seen order."""

    labels: tuple[str, ...] = ()
    more: bool = False
    """More labels than :data:`~webstat.reports.columns.FIELD_COLUMNS_MAX`: the rest
    arrive together under :data:`~webstat.reports.columns.OTHER_FIELDS`."""


_OBJECT_FIELDS = (
    "case when jsonb_typeof(p.registration_fields) = 'object' then p.registration_fields end"
)


def fetch_fields(conn: psycopg.Connection, event_session_ids: Sequence[str]) -> Fields:
    """The registration fields' labels, in the order a reader of the rows meets them
    (report order, then each object's own key order)."""
    rows = _fetch_all(
        conn,
        "select key from (select f.key, row_number() over (order by "
        + _ORDER_SQL
        + ", f.n) as seen"
        + _PARTICIPANTS_JOIN
        + f" cross join lateral jsonb_each({_OBJECT_FIELDS}) with ordinality as f(key, value, n)"
        + _PARTICIPANTS_WHERE
        + ") as k group by key order by min(seen) limit %(limit)s",
        {"ids": list(event_session_ids), "limit": FIELD_COLUMNS_MAX + 1},
    )
    labels = tuple(r["key"] for r in rows)
    return Fields(labels[:FIELD_COLUMNS_MAX], len(labels) > FIELD_COLUMNS_MAX)


def iter_participants(
    conn: psycopg.Connection,
    event_session_ids: Sequence[str],
    *,
    attended: bool | None = None,
    fields: Fields = Fields(),
    limit: int | None = None,
    itersize: int = ITERSIZE,
) -> Iterator[Row]:
    """Participants of the sessions (with the session's name and date), streamed.

    Attendees first, then hosts and admins, then the no-shows (``attended`` keeps
    those who joined / those who did not); within each by session start, first
    join, surname, name. Each registration field of ``fields`` is a key of its own
    (:func:`~webstat.reports.columns.field_key`).
    """
    params: dict[str, Any] = {"ids": list(event_session_ids)}
    extra = []
    for i, label in enumerate(fields.labels):
        params[f"label_{i}"] = label
        extra.append(f", {_OBJECT_FIELDS} ->> %(label_{i})s as {field_key(i)}")
    if fields.more:
        params["labels"] = list(fields.labels)
        extra.append(f", ({_OBJECT_FIELDS}) - %(labels)s::text[] as {OTHER_FIELDS}")
    sql = "select " + _PARTICIPANT_COLUMNS + "".join(extra) + _PARTICIPANTS_FROM
    if attended is not None:
        sql += " and p.has_attended = %(attended)s"
        params["attended"] = attended
    sql += " order by " + _ORDER_SQL
    if limit is not None:
        sql += " limit %(limit)s"
        params["limit"] = limit
    return _stream(conn, sql, params, itersize)


def count_groups(conn: psycopg.Connection, event_session_ids: Sequence[str]) -> dict[str, int]:
    """How many attendees, staff and no-shows (:data:`GROUPS`) the sessions have."""
    rows = _fetch_all(
        conn,
        f"select {_GROUP_SQL} as g, count(*) as n" + _PARTICIPANTS_FROM + " group by 1",
        {"ids": list(event_session_ids)},
    )
    counts = dict.fromkeys(GROUPS, 0)
    for r in rows:
        counts[GROUPS[int(r["g"]) - 1]] = int(r["n"])
    return counts


def iter_connections(
    conn: psycopg.Connection, event_session_ids: Sequence[str], *, itersize: int = ITERSIZE
) -> Iterator[Row]:
    """Connections of the sessions with the participant's name and the session's bounds."""
    return _stream(conn, _CONNECTIONS_SQL, {"ids": list(event_session_ids)}, itersize)


_SHARES = {"fct_traffic_sources": "referrer_source", "fct_devices": "platform"}
"""The share marts and the column each counts the participants by."""


def fetch_shares(conn: psycopg.Connection, relation: str, event_session_id: str) -> list[Row]:
    """``marts.fct_traffic_sources`` / ``marts.fct_devices`` of one session, largest first."""
    key = _SHARES[relation]  # names from this module only, never from data
    return _fetch_all(
        conn,
        f"select {key}, participants_count, share_pct from marts.{relation}"
        " where event_session_id = %(id)s order by participants_count desc, 1",
        {"id": event_session_id},
    )


def fetch_period_shares(
    conn: psycopg.Connection, relation: str, event_session_ids: Sequence[str]
) -> list[Row]:
    """The share mart summed over the sessions, with shares of the sum."""
    key = _SHARES[relation]
    return _fetch_all(
        conn,
        f"select {key}, sum(participants_count)::bigint as participants_count,"
        " round(100.0 * sum(participants_count)"
        "       / nullif(sum(sum(participants_count)) over (), 0), 2) as share_pct"
        f" from marts.{relation} where event_session_id = any(%(ids)s)"
        " group by 1 order by 2 desc, 1",
        {"ids": list(event_session_ids)},
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
    """``marts.fct_attendance_minutes`` of one session, in time order: the columns of
    :data:`~webstat.reports.columns.ATTENDANCE_COLUMNS` (online, then the minute's joins,
    leaves, messages, questions and fires)."""
    return _fetch_all(
        conn,
        f"select {', '.join(c.key for c in ATTENDANCE_COLUMNS)} from marts.fct_attendance_minutes"
        " where event_session_id = %(id)s order by minute_at",
        {"id": event_session_id},
    )


def fetch_series_place(conn: psycopg.Connection, event_session_id: str) -> Row | None:
    """The session's place in its webinar's series (``marts.fct_webinar_series``):
    ``session_number``, ``sessions_count`` (the series' sessions known so far),
    ``first_time_count`` and ``from_previous_count``; ``None`` when the session is
    not numbered or its series has one session.
    """
    rows = _fetch_all(
        conn,
        "select s.session_number, n.sessions_count, s.first_time_count, s.from_previous_count"
        " from marts.fct_webinar_series s"
        " join lateral (select count(*) as sessions_count from marts.fct_webinar_series o"
        " where o.organization_id = s.organization_id and o.webinar_id = s.webinar_id) n"
        " on true where s.event_session_id = %(id)s and s.webinar_id is not null"
        " and n.sessions_count > 1",
        {"id": event_session_id},
    )
    return rows[0] if rows else None


def too_many_minutes(event_session_id: str, limit: int) -> WebstatError:
    """The error of a session with more than ``limit`` attendance minutes."""
    return WebstatError(
        f"event session {event_session_id!r} has more than {limit:,} attendance"
        " minutes, more than a workbook's chart can hold (is its clock broken?)"
    )


# --- the settings the marts were built with ----------------------------------------------


@dataclass(frozen=True)
class BuildSettings:
    """The dbt vars a report's numbers depend on (``intermediate.int_build_settings``)."""

    values: dict[str, Any]
    """Column -> value of the table's one row (or the defaults of ``dbt_project.yml``)."""
    source: str = "defaults"
    """``warehouse`` (the table) or ``defaults`` (no table: an older warehouse)."""


@functools.cache
def default_build_settings() -> BuildSettings:
    """The vars' defaults in ``dbt_project.yml`` (empty when the file cannot be read)."""
    import importlib

    yaml: Any = importlib.import_module("yaml")  # PyYAML (dbt's); untyped here

    from webstat.warehouse.transform import DBT_PROJECT_DIR

    try:
        project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text("utf-8"))
        values = dict(project.get("vars") or {})
    except (OSError, ValueError, AttributeError, yaml.YAMLError):
        values = {}
    return BuildSettings(values, "defaults")


def fetch_build_settings(conn: psycopg.Connection) -> BuildSettings:
    """The one row of ``intermediate.int_build_settings``; the defaults when the table is
    missing or empty (looked up first, so the report's transaction is never aborted)."""
    found = _fetch_all(
        conn, "select to_regclass('intermediate.int_build_settings') is not null as ok", {}
    )
    if found and found[0]["ok"]:
        rows = _fetch_all(conn, "select * from intermediate.int_build_settings limit 1", {})
        if rows:
            return BuildSettings(rows[0], "warehouse")
    return default_build_settings()


@dataclass
class _Participants:
    """What both reports read of their participants."""

    participants: Iterable[Row]
    """The attendees, then the hosts and admins (the workbook's participants sheet)."""
    no_shows: Iterable[Row]
    """The invited or registered who never joined (the workbook's no-shows sheet)."""
    first_participants: list[Row]
    """The first rows of all three groups, in report order (the PDF's tables)."""
    group_counts: dict[str, int]
    """Rows of each of :data:`GROUPS`."""
    fields: Fields = Fields()
    settings: BuildSettings = field(default_factory=default_build_settings)

    @property
    def participants_count(self) -> int:
        return sum(self.group_counts.values())


def _read_participants(
    conn: psycopg.Connection, ids: Sequence[str], first_rows: int
) -> dict[str, Any]:
    fields = fetch_fields(conn, ids)
    return {
        "participants": iter_participants(conn, ids, attended=True, fields=fields),
        "no_shows": iter_participants(conn, ids, attended=False, fields=fields),
        "first_participants": (
            list(iter_participants(conn, ids, limit=first_rows)) if first_rows else []
        ),
        "group_counts": count_groups(conn, ids),
        "fields": fields,
        "settings": fetch_build_settings(conn),
    }


@dataclass
class SessionReport(_Participants):
    """What one event session's report shows, read by :func:`read_session`.

    ``participants``, ``no_shows`` and ``connections`` are iterables read once (from
    the warehouse: streamed while the snapshot is open); the rest are small lists.
    """

    session: Row = field(default_factory=dict)
    """The session's row of ``marts.fct_event_sessions`` (:data:`SESSION_FIELDS`)."""
    connections: Iterable[Row] = ()
    attendance: list[Row] = field(default_factory=list)
    sources: list[Row] = field(default_factory=list)
    devices: list[Row] = field(default_factory=list)
    series: Row | None = None
    """The session's place in its series (:func:`fetch_series_place`), if any."""


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
        **_read_participants(conn, [sid], first_rows),
        session=session,
        connections=iter_connections(conn, [sid]),
        attendance=fetch_attendance(conn, sid),
        sources=fetch_shares(conn, "fct_traffic_sources", sid),
        devices=fetch_shares(conn, "fct_devices", sid),
        series=fetch_series_place(conn, sid),
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


_SUMMED = (
    "duration_seconds",
    *(c.key for c in PERIOD_TOTAL_FIELDS if c.key in SESSION_FIELDS and c.kind is Kind.INT),
)
"""What a period's totals sum over its sessions (counts; the mean presence is recomputed)."""


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


# --- a period's people, funnel and series ------------------------------------------------

_PERIOD_ROWS = (
    " from marts.fct_participants p"
    " join marts.fct_event_sessions s on s.event_session_id = p.event_session_id"
    " where p.event_session_id = any(%(ids)s)"
)
_PERSON_ROWS = _PERIOD_ROWS + " and p.role = 'participant' and p.has_attended and not p.is_guest"
"""A person's rows: attending participants with an e-mail (guests cannot be followed from
one session to the next, staff are not the audience)."""

_PEOPLE_SQL = (
    "select p.person_key,"
    " (array_agg(p.full_name order by s.started_at desc, s.event_session_id desc)"
    "  filter (where p.full_name is not null))[1] as full_name,"
    " (array_agg(p.email order by s.started_at desc, s.event_session_id desc))[1] as email,"
    " count(distinct s.event_session_id) as sessions_attended,"
    " count(distinct coalesce(s.webinar_id, s.event_session_id)) as webinars_count,"
    " sum(p.presence_seconds) as presence_seconds,"
    " round(avg(p.presence_pct), 2) as avg_presence_pct,"
    " round(avg(p.rating), 1) as avg_rating,"
    " min(s.report_date) as first_report_date,"
    " max(s.report_date) as last_report_date,"
    " (array_agg(s.webinar_name order by s.started_at, s.event_session_id))[1]"
    "  as first_webinar_name,"
    " (array_agg(case when p.is_new then 'new' else 'returning' end"
    "  order by s.started_at, s.event_session_id))[1] as visitor_type"
    + _PERSON_ROWS
    + " group by p.person_key"
    " order by sessions_attended desc, avg_rating desc nulls last, p.person_key"
)
"""One row per person of the period, most sessions first, then the best average rating."""


def iter_people(
    conn: psycopg.Connection,
    event_session_ids: Sequence[str],
    *,
    limit: int | None = None,
    itersize: int = ITERSIZE,
) -> Iterator[Row]:
    """The persons of the sessions (:data:`_PEOPLE_SQL`), streamed."""
    sql = _PEOPLE_SQL
    params: dict[str, Any] = {"ids": list(event_session_ids)}
    if limit is not None:
        sql += " limit %(limit)s"
        params["limit"] = limit
    return _stream(conn, sql, params, itersize)


def count_people(conn: psycopg.Connection, event_session_ids: Sequence[str]) -> Row:
    """``people``: the persons of the sessions; ``guest_visits``: the attending guests'
    rows (a guest is counted once per session: they cannot be told apart)."""
    return _fetch_all(
        conn,
        "select count(distinct p.person_key) filter (where not p.is_guest) as people,"
        " count(*) filter (where p.is_guest) as guest_visits"
        + _PERIOD_ROWS
        + " and p.role = 'participant' and p.has_attended",
        {"ids": list(event_session_ids)},
    )[0]


_FUNNEL_SQL = (
    "with person as ("
    " select coalesce(s.webinar_id, s.event_session_id) as webinar, p.person_key,"
    " bool_or(p.invited_at is not null) as invited,"
    " bool_or(p.registered_at is not null) as registered,"
    " bool_or(p.has_attended) as attended"
    + _PERIOD_ROWS
    + " and not p.is_guest and p.role is distinct from 'admin' and p.role is distinct from 'host'"
    " group by 1, 2)"
    " select webinar,"
    " count(*) filter (where invited) as invited_persons,"
    " count(*) filter (where registered) as registered_persons,"
    " count(*) filter (where attended) as attended_persons,"
    " count(*) filter (where invited and registered) as invited_registered,"
    " count(*) filter (where registered and attended) as registered_attended,"
    " count(*) filter (where attended and not registered) as attended_unregistered_persons"
    " from person group by webinar"
)


def _pct(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent, 2 places (as the marts round); None of 0."""
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _funnel_row(row: Row) -> Row:
    row["registered_of_invited_pct"] = _pct(row.pop("invited_registered"), row["invited_persons"])
    row["attended_of_registered_pct"] = _pct(
        row.pop("registered_attended"), row["registered_persons"]
    )
    return row


FUNNEL_COUNTS = (
    "sessions_count",
    "invited_persons",
    "registered_persons",
    "attended_persons",
    "invited_registered",
    "registered_attended",
    "attended_unregistered_persons",
)


def fetch_funnel(conn: psycopg.Connection, period: Period) -> list[Row]:
    """The funnel invited → registered → attended of each webinar of the period (in the
    order of their first session), then the total (``webinar_name`` None, ``is_total``).

    Persons: a webinar counts each e-mail once over its sessions of the period (guests
    cannot be followed, hosts and admins are not the audience; an invited or registered
    no-show counts unless they are known as staff). The rates are conversions: of the
    invited, the share who registered; of the registered, the share who attended; the
    attended without registration are counted apart. The total sums the webinars (a
    person of two webinars is in each).
    """
    counts = {r["webinar"]: r for r in _fetch_all(conn, _FUNNEL_SQL, {"ids": period.session_ids})}
    rows: dict[str, Row] = {}
    for s in period.sessions:
        key = s["webinar_id"] or s["event_session_id"]
        row = rows.setdefault(key, {"webinar_name": None, "webinar_id": key, "sessions_count": 0})
        row["webinar_name"] = s["webinar_name"] or row["webinar_name"]  # the newest name
        row["sessions_count"] += 1
        for name in FUNNEL_COUNTS[1:]:
            row[name] = int(counts.get(key, {}).get(name) or 0)
    total: Row = {name: sum(r[name] for r in rows.values()) for name in FUNNEL_COUNTS}
    out = [_funnel_row({**r, "is_total": False}) for r in rows.values()]
    if out:
        out.append(
            _funnel_row({**total, "webinar_name": None, "webinar_id": None, "is_total": True})
        )
    return out


def fetch_period_series(conn: psycopg.Connection, event_session_ids: Sequence[str]) -> list[Row]:
    """The sessions of the period that belong to a series of two or more sessions, with
    their place in it (``marts.fct_webinar_series``), series by their first session in the
    period, then by session number."""
    return _fetch_all(
        conn,
        "select w.organization_id, w.webinar_id, s.webinar_name, w.session_number,"
        " n.series_sessions_count, s.report_date, s.started_at, w.persons_count,"
        " w.first_time_count, w.from_previous_count, w.retained_to_next_count,"
        " w.retained_to_next_pct, w.event_session_id"
        " from marts.fct_webinar_series w"
        " join marts.fct_event_sessions s on s.event_session_id = w.event_session_id"
        " join lateral (select count(*) as series_sessions_count"
        " from marts.fct_webinar_series o"
        " where o.organization_id = w.organization_id and o.webinar_id = w.webinar_id) n"
        " on true"
        " where w.event_session_id = any(%(ids)s) and w.webinar_id is not null"
        " and n.series_sessions_count > 1"
        " order by min(s.started_at) over (partition by w.organization_id, w.webinar_id),"
        " w.organization_id, w.webinar_id, w.session_number",
        {"ids": list(event_session_ids)},
    )


@dataclass
class PeriodReport(_Participants):
    """What a period's report shows, read by :func:`read_period` (rows as in
    :class:`SessionReport`, of every session of the period)."""

    period: Period = field(default_factory=lambda: Period(date.min, date.min, None))
    totals: Row = field(default_factory=dict)
    sources: list[Row] = field(default_factory=list)
    devices: list[Row] = field(default_factory=list)
    connections: Iterable[Row] = ()
    people: Iterable[Row] = ()
    """Every person of the period (:func:`iter_people`), read once (the workbook)."""
    first_people: list[Row] = field(default_factory=list)
    """The first of them (the PDF's list)."""
    people_counts: Row = field(default_factory=lambda: {"people": 0, "guest_visits": 0})
    funnel: list[Row] = field(default_factory=list)
    series: list[Row] = field(default_factory=list)


def read_period(
    conn: psycopg.Connection,
    period: Period,
    *,
    first_rows: int,
    first_people: int = PDF_PEOPLE_MAX_ROWS,
) -> PeriodReport:
    """The period's report data; call it and render inside one :func:`snapshot`.

    ``first_people`` persons (at most ``first_rows``) are read for the PDF, which lists
    people rather than session-participant rows.
    """
    ids = period.session_ids
    return PeriodReport(
        **_read_participants(conn, ids, 0),
        period=period,
        totals=fetch_period_totals(conn, period),
        sources=fetch_period_shares(conn, "fct_traffic_sources", ids),
        devices=fetch_period_shares(conn, "fct_devices", ids),
        connections=iter_connections(conn, ids),
        people=iter_people(conn, ids),
        first_people=list(iter_people(conn, ids, limit=min(first_rows, first_people))),
        people_counts=count_people(conn, ids),
        funnel=fetch_funnel(conn, period),
        series=fetch_period_series(conn, ids),
    )
