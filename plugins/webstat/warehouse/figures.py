"""What the warehouse holds, counted for the ``webstat`` command's summary lines.

Read-only queries of ``raw`` and ``marts``; the command formats what they return.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psycopg


@dataclass(frozen=True)
class Loaded:
    """The ledger's files written since a moment: what one run loaded."""

    files: int
    """Files loaded."""
    events: int
    duplicates: int
    rejected: int
    failed: int
    """Files that failed to load (their errors are in ``raw.loaded_files``)."""


def loaded_since(conn: psycopg.Connection, since: datetime) -> Loaded:
    """The files of ``raw.loaded_files`` written at or after ``since``, added up."""
    row = conn.execute(
        """
        select count(*) filter (where status = 'loaded'), coalesce(sum(rows_loaded), 0),
               coalesce(sum(rows_duplicate), 0), coalesce(sum(rows_rejected), 0),
               count(*) filter (where status = 'failed')
        from raw.loaded_files where loaded_at >= %s
        """,
        (since,),
    ).fetchone()
    assert row is not None  # an aggregate without group by: always one row
    return Loaded(*(int(v) for v in row))


@dataclass(frozen=True)
class Totals:
    """The whole warehouse in four numbers."""

    events: int
    """Rows of ``raw.platform_events``."""
    rejected_lines: int
    """Rows of ``raw.rejected_lines``."""
    ended_sessions: int
    sessions: int
    """Rows of ``marts.fct_event_sessions`` (``ended_sessions`` of them ended)."""


def totals(conn: psycopg.Connection) -> Totals:
    """Events and rejected lines in ``raw``, event sessions in the marts."""
    row = conn.execute(
        "select (select count(*) from raw.platform_events),"
        " (select count(*) from raw.rejected_lines),"
        " (select count(*) filter (where status = 'ended') from marts.fct_event_sessions),"
        " (select count(*) from marts.fct_event_sessions)"
    ).fetchone()
    assert row is not None  # a select without from: always one row
    return Totals(*(int(v) for v in row))


def published_report_uris(conn: psycopg.Connection) -> list[str]:
    """The folders of the published event-session reports, oldest first."""
    rows = conn.execute(
        "select uri from raw.published_reports order by published_at, event_session_id"
    )
    return [str(uri) for (uri,) in rows]


def session_report_date(conn: psycopg.Connection, event_session_id: str) -> date | None:
    """The ``report_date`` of an event session in ``marts.fct_event_sessions`` (None when
    it is not there)."""
    row = conn.execute(
        "select report_date from marts.fct_event_sessions where event_session_id = %s",
        (event_session_id,),
    ).fetchone()
    return row[0] if row else None


def server_version(conn: psycopg.Connection) -> str:
    """The warehouse's Postgres version (``?`` when it does not say)."""
    row = conn.execute("show server_version").fetchone()
    return str(row[0]) if row else "?"
