"""What was published and what failed: ``raw.published_reports`` and ``raw.report_failures``.

A session's **fingerprint** is the md5 of its ``marts.fct_event_sessions`` row and
its ``marts.fct_participants`` rows: a report is current when the fingerprint
recorded for its last publication equals the one of the marts now.

A publication is recorded only after its manifest is written, and it deletes the
session's failure row. A failure records the fingerprint it failed with, its
error (one line, URL credentials masked) and the number of *runs* it failed in:
tries within one run (an Airflow task retry, the same ``run_id``) count once,
calls without a run id (by hand, tests) count each. A session that failed in
:data:`MAX_ATTEMPTS` runs with the same fingerprint is *given up*: the daily run
leaves it alone until its fingerprint changes or it is rendered by hand.

Every function here needs the ``raw`` tables (migrations 0002 and 0006);
:func:`has_ledger` tells whether a database has them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psycopg

MAX_ATTEMPTS = 3
"""Runs a session may fail in with the same fingerprint before it is no longer retried."""
ERROR_MAX_CHARS = 500
"""Length kept of a failure's error text (one line)."""

FINGERPRINT_SQL = """md5(s::text || coalesce((
           select string_agg(p::text, '|' order by p.participant_id)
           from marts.fct_participants as p
           where p.event_session_id = s.event_session_id), ''))"""
"""The fingerprint of the ``marts.fct_event_sessions`` row aliased ``s``."""

_URL_CREDENTIALS = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@]+@")
_PASSWORD_WORDS = re.compile(r"(?i)\b(password|passwd|pwd|secret|token)=\S+")


def has_ledger(conn: psycopg.Connection) -> bool:
    """Whether the database has the publication and failure tables (a migrated warehouse)."""
    row = conn.execute(
        "select to_regclass('raw.published_reports') is not null"
        " and to_regclass('raw.report_failures') is not null"
    ).fetchone()
    return bool(row and row[0])


def fingerprint(conn: psycopg.Connection, event_session_id: str) -> str | None:
    """The session's fingerprint now (``None`` when it is not in the marts)."""
    row = conn.execute(
        f"select {FINGERPRINT_SQL} from marts.fct_event_sessions as s"
        " where s.event_session_id = %s",
        (event_session_id,),
    ).fetchone()
    return row[0] if row else None


def error_line(exc: BaseException) -> str:
    """``Type: first line of the message``, credentials in URLs masked, at most
    :data:`ERROR_MAX_CHARS` characters: what a failure row and a log line hold."""
    text = str(exc).strip()
    first = text.splitlines()[0].strip() if text else ""
    line = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    line = _URL_CREDENTIALS.sub(r"\1***@", line)
    line = _PASSWORD_WORDS.sub(r"\1=***", line)
    if len(line) > ERROR_MAX_CHARS:
        line = line[: ERROR_MAX_CHARS - 1] + "…"
    return line


def record_publication(
    conn: psycopg.Connection,
    event_session_id: str,
    fingerprint: str,
    uri: str,
    run_id: str | None,
) -> None:
    """Record a publication (call it after the manifest is written); clear the failure."""
    with conn.transaction():
        conn.execute(
            """
            insert into raw.published_reports (event_session_id, fingerprint, uri, run_id)
            values (%s, %s, %s, %s)
            on conflict (event_session_id) do update
                set fingerprint = excluded.fingerprint, uri = excluded.uri,
                    run_id = excluded.run_id, published_at = now()
            """,
            (event_session_id, fingerprint, uri, run_id),
        )
        conn.execute(
            "delete from raw.report_failures where event_session_id = %s", (event_session_id,)
        )


def record_failure(
    conn: psycopg.Connection,
    event_session_id: str,
    fingerprint: str,
    error: str,
    run_id: str | None,
) -> int:
    """Record that the session's report failed with ``fingerprint``; return its attempts.

    A new fingerprint starts over at 1; another try in the same run (same non-null
    ``run_id``) keeps the count.
    """
    row = conn.execute(
        """
        insert into raw.report_failures as f
            (event_session_id, fingerprint, error, attempts, last_run_id)
        values (%(sid)s, %(fp)s, %(error)s, 1, %(run_id)s)
        on conflict (event_session_id) do update set
            attempts = case
                when f.fingerprint <> excluded.fingerprint then 1
                when excluded.last_run_id is not null
                     and f.last_run_id = excluded.last_run_id then f.attempts
                else f.attempts + 1
            end,
            first_failed_at = case
                when f.fingerprint <> excluded.fingerprint then now()
                else f.first_failed_at
            end,
            fingerprint = excluded.fingerprint,
            error = excluded.error,
            last_run_id = excluded.last_run_id,
            last_failed_at = now()
        returning attempts
        """,
        {"sid": event_session_id, "fp": fingerprint, "error": error, "run_id": run_id},
    ).fetchone()
    return int(row[0]) if row else 1


def given_up(
    conn: psycopg.Connection, fingerprints: Mapping[str, str]
) -> dict[str, tuple[int, str]]:
    """Of ``{event_session_id: fingerprint now}``, the sessions no longer retried:
    ``{id: (attempts, last error)}`` for those that failed :data:`MAX_ATTEMPTS` runs
    with that very fingerprint."""
    if not fingerprints:
        return {}
    rows = conn.execute(
        "select event_session_id, fingerprint, attempts, error from raw.report_failures"
        " where event_session_id = any(%s) and attempts >= %s",
        (list(fingerprints), MAX_ATTEMPTS),
    ).fetchall()
    return {sid: (attempts, error) for sid, fp, attempts, error in rows if fingerprints[sid] == fp}
