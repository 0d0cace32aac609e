"""Which event-session reports a run renders, and rendering them in batches.

A session is rendered when it has ended and the fingerprint of its marts rows
(``fct_event_sessions`` + ``fct_participants``) differs from the one recorded in
``raw.published_reports`` for its last publication: a session that ended or
changed gets a new report, an unchanged one none, and a rerun renders nothing.
The candidates are the sessions the run's dbt build rebuilt plus ended sessions
never published (e.g. after a failed render), so the check does not scan history.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

import psycopg

from webstat.settings import Settings, load_settings

log = logging.getLogger(__name__)

BATCH_SIZE = 20  # sessions per mapped task: bounds both task overhead and a retry's cost

_FINGERPRINTS = """
with candidates as (
    select event_session_id from intermediate.int_sessions_to_rebuild
    union
    select s.event_session_id
    from marts.fct_event_sessions as s
    where s.status = 'ended'
      and not exists (select 1 from raw.published_reports as r
                      where r.event_session_id = s.event_session_id)
)
select s.event_session_id,
       md5(s::text || coalesce((
           select string_agg(p::text, '|' order by p.participant_id)
           from marts.fct_participants as p
           where p.event_session_id = s.event_session_id), '')) as fingerprint
from marts.fct_event_sessions as s
where s.status = 'ended'
  and s.event_session_id in (select event_session_id from candidates)
{only}
order by s.event_session_id
"""


def changed_sessions(conn: psycopg.Connection, only: Sequence[str] | None = None) -> dict[str, str]:
    """Ended sessions whose report is missing or stale: ``{event_session_id: fingerprint}``."""
    sql = _FINGERPRINTS.format(only="and s.event_session_id = any(%(only)s)" if only else "")
    rows = conn.execute(sql, {"only": list(only or [])}).fetchall()
    published = dict(
        conn.execute(
            "select event_session_id, fingerprint from raw.published_reports "
            "where event_session_id = any(%s)",
            ([r[0] for r in rows],),
        ).fetchall()
    )
    return {sid: fp for sid, fp in rows if published.get(sid) != fp}


def sessions_to_report(settings: Settings | None = None) -> list[list[str]]:
    """The sessions this run must render, in batches of ``BATCH_SIZE`` (for task mapping)."""
    from webstat.warehouse import connect

    with connect(settings or load_settings()) as conn:
        ids = sorted(changed_sessions(conn))
    log.info("%d event session report(s) to render", len(ids))
    return [ids[i : i + BATCH_SIZE] for i in range(0, len(ids), BATCH_SIZE)]


def render_sessions(
    event_session_ids: Sequence[str],
    *,
    run_id: str | None = None,
    data_interval: tuple[datetime, datetime] | None = None,
    settings: Settings | None = None,
) -> list[str]:
    """Render and publish the reports of ``event_session_ids``; return their folders' URIs.

    Each publication is recorded with its fingerprint only after the manifest is
    written, so a crash leaves the session to be rendered again.
    """
    from webstat.reports import render_event_session_report
    from webstat.warehouse import connect

    settings = settings or load_settings()
    uris = []
    with connect(settings) as conn:
        for sid in sorted(event_session_ids):
            # one writer per session's folder: a concurrent run waits, then finds the
            # report current and skips it, so no manifest ever describes other files
            conn.execute("select pg_advisory_lock(hashtextextended(%s, 1))", (sid,))
            try:
                todo = changed_sessions(conn, [sid])
                if sid not in todo:
                    continue
                fingerprint = todo[sid]
                result = render_event_session_report(
                    conn, sid, settings, run_id=run_id, data_interval=data_interval
                )
                conn.execute(
                    """
                    insert into raw.published_reports
                        (event_session_id, fingerprint, uri, run_id)
                    values (%s, %s, %s, %s)
                    on conflict (event_session_id) do update
                        set fingerprint = excluded.fingerprint, uri = excluded.uri,
                            run_id = excluded.run_id, published_at = now()
                    """,
                    (sid, fingerprint, result.uri, run_id),
                )
            finally:
                conn.execute("select pg_advisory_unlock(hashtextextended(%s, 1))", (sid,))
            log.info("published %s", result.uri)
            uris.append(result.uri)
    return uris
