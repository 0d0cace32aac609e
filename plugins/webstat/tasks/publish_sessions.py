"""Which event-session reports a run renders, and rendering them in batches.

A session is rendered when it has ended and the fingerprint of its marts rows
(``fct_event_sessions`` + ``fct_participants``) differs from the one recorded in
``raw.published_reports`` for its last publication: a session that ended or
changed gets a new report, an unchanged one none, and a rerun renders nothing.
The candidates are the sessions the run's dbt build rebuilt, ended sessions
never published, and sessions whose last report failed (``raw.report_failures``),
so the check does not scan history.

A report that fails never stops the others: each session of a batch is rendered
on its own, a failure is recorded (error, fingerprint, runs failed) and logged
with the session's id, the batch goes on, and at its end :func:`render_sessions`
raises an error naming the failed sessions, so the task's state says so. A
failed session is retried by later runs until it has failed in
:data:`~webstat.reports.ledger.MAX_ATTEMPTS` runs with the same fingerprint; it is
then skipped (logged, not failing the run) until its data change or it is
rendered by hand (``webstat report --event-session ID``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

import psycopg

from webstat.errors import WebstatError
from webstat.reports import ledger
from webstat.settings import Settings, load_settings
from webstat.tasks.daily import RENDER_SLOTS
from webstat.warehouse.locks import advisory_lock

log = logging.getLogger(__name__)

BATCH_SIZE = 20  # sessions per mapped task, at most: bounds a retry's cost
FIXED_ROWS = 60
"""A report's fixed cost (charts, fonts, the two files, publishing) in rows' worth: a
session's render time is about ``FIXED_ROWS + attendees + no-shows`` rows' worth."""

_FINGERPRINTS = """
with candidates as (
    select event_session_id from intermediate.int_sessions_to_rebuild
    union
    select s.event_session_id
    from marts.fct_event_sessions as s
    where s.status = 'ended'
      and not exists (select 1 from raw.published_reports as r
                      where r.event_session_id = s.event_session_id)
    union
    select event_session_id from raw.report_failures
)
select s.event_session_id, {fingerprint} as fingerprint,
       coalesce(s.attendees_count, 0) + coalesce(s.no_show_count, 0) as rows
from marts.fct_event_sessions as s
where s.status = 'ended'
  and s.event_session_id in (select event_session_id from candidates)
{only}
order by s.event_session_id
"""


def _stale(
    conn: psycopg.Connection, only: Sequence[str] | None, weights: dict[str, int] | None = None
) -> dict[str, str]:
    """Candidate sessions whose report is missing or stale, given up or not (and, into
    ``weights``, each one's rows: attendees + no-shows)."""
    sql = _FINGERPRINTS.format(
        fingerprint=ledger.FINGERPRINT_SQL,
        only="and s.event_session_id = any(%(only)s)" if only else "",
    )
    rows = conn.execute(sql, {"only": list(only or [])}).fetchall()
    if weights is not None:
        weights.update((sid, n) for sid, _fp, n in rows)
    published: dict[str, str] = dict(
        conn.execute(
            "select event_session_id, fingerprint from raw.published_reports "
            "where event_session_id = any(%s)",
            ([r[0] for r in rows],),
        ).fetchall()
    )
    return {sid: fp for sid, fp, _n in rows if published.get(sid) != fp}


def changed_sessions(conn: psycopg.Connection, only: Sequence[str] | None = None) -> dict[str, str]:
    """Ended sessions whose report is missing or stale: ``{event_session_id: fingerprint}``.

    Sessions given up (failed in ``MAX_ATTEMPTS`` runs with their current
    fingerprint) are left out; :func:`given_up_sessions` lists them.
    """
    stale = _stale(conn, only)
    gone = ledger.given_up(conn, stale)
    return {sid: fp for sid, fp in stale.items() if sid not in gone}


def given_up_sessions(
    conn: psycopg.Connection, only: Sequence[str] | None = None
) -> dict[str, tuple[int, str]]:
    """Stale sessions no longer retried automatically: ``{id: (attempts, last error)}``."""
    return ledger.given_up(conn, _stale(conn, only))


def _log_skipped(sid: str, attempts: int, error: str) -> None:
    log.warning(
        "event session %s skipped: its report failed in %d runs with these data (last: %s);"
        " it is retried when its data change, or render it by hand:"
        " webstat report --event-session %s",
        sid,
        attempts,
        error,
        sid,
    )


def sessions_to_report(settings: Settings | None = None) -> list[list[str]]:
    """The sessions this run must render, in batches for task mapping (:func:`plan_batches`)."""
    from webstat.warehouse import connect

    rows: dict[str, int] = {}
    with connect(settings or load_settings()) as conn:
        stale = _stale(conn, None, rows)
        gone = ledger.given_up(conn, stale)
    for sid, (attempts, error) in sorted(gone.items()):
        _log_skipped(sid, attempts, error)
    ids = sorted(sid for sid in stale if sid not in gone)
    log.info(
        "%d event session report(s) to render, %d skipped after repeated failures",
        len(ids),
        len(gone),
    )
    return plan_batches({sid: FIXED_ROWS + rows[sid] for sid in ids})


def plan_batches(
    weights: dict[str, int], slots: int = RENDER_SLOTS, batch_size: int = BATCH_SIZE
) -> list[list[str]]:
    """Sessions (``{id: cost}``) in batches that keep ``slots`` render tasks equally busy.

    The number of batches is the smallest multiple of ``slots`` that keeps each at
    ``batch_size`` sessions or fewer (never more batches than sessions); the largest
    session goes first into the lightest batch that has room (ties: the earlier batch;
    equal costs: id order). Each batch lists its sessions in id order. A few large
    sessions in one day no longer leave one slot idle while the other renders them all.
    """
    ids = sorted(weights, key=lambda sid: (-weights[sid], sid))
    if not ids:
        return []
    rounds = -(-len(ids) // (slots * batch_size))
    count = min(len(ids), slots * rounds)
    batches: list[list[str]] = [[] for _ in range(count)]
    loads = [0] * count
    for sid in ids:
        open_ = [i for i in range(count) if len(batches[i]) < batch_size]
        best = min(open_, key=lambda i: (loads[i], i))
        batches[best].append(sid)
        loads[best] += weights[sid]
    return [sorted(batch) for batch in batches]


class ReportsFailed(WebstatError):
    """Some reports of a batch failed (the others were published)."""

    def __init__(self, failed: Sequence[str], total: int, published: int) -> None:
        self.failed = list(failed)
        names = ", ".join(_short(sid) for sid in self.failed)
        super().__init__(
            f"{len(self.failed)} of {total} event session report(s) failed: {names}"
            f" ({published} published; errors in raw.report_failures)"
        )


def _short(sid: str, limit: int = 80) -> str:
    return sid if len(sid) <= limit else sid[: limit - 1] + "…"


def render_sessions(
    event_session_ids: Sequence[str],
    *,
    run_id: str | None = None,
    data_interval: tuple[datetime, datetime] | None = None,
    settings: Settings | None = None,
) -> list[str]:
    """Render and publish the reports of ``event_session_ids``; return their folders' URIs.

    Each session on its own: one that fails is recorded in ``raw.report_failures``
    and logged, and the others go on; if any failed, :class:`ReportsFailed` (naming
    them) is raised once the batch is done. Sessions given up after repeated
    failures are logged as skipped and do not fail the batch. Each publication is
    recorded with its fingerprint only after the manifest is written, so a crash
    leaves the session to be rendered again.
    """
    from webstat.warehouse import connect

    settings = settings or load_settings()
    ids = sorted(set(event_session_ids))
    uris: list[str] = []
    failed: list[str] = []
    with connect(settings) as conn:
        for sid in ids:
            ok, uri = _render_one(conn, sid, settings, run_id, data_interval)
            if not ok:
                failed.append(sid)
            elif uri is not None:
                uris.append(uri)
    if failed:
        raise ReportsFailed(failed, len(ids), len(uris))
    return uris


def _render_one(
    conn: psycopg.Connection,
    sid: str,
    settings: Settings,
    run_id: str | None,
    data_interval: tuple[datetime, datetime] | None,
) -> tuple[bool, str | None]:
    """Render one session: ``(True, its folder's URI)``, ``(True, None)`` when it is
    current or skipped, ``(False, None)`` when it failed (recorded and logged)."""
    from webstat.reports import render_event_session_report

    # one writer per session's folder: a concurrent run waits, then finds the
    # report current and skips it, so no manifest ever describes other files
    with advisory_lock(conn, sid, seed=1):
        stale = _stale(conn, [sid])
        if sid not in stale:
            return True, None
        fingerprint = stale[sid]
        gone = ledger.given_up(conn, stale)
        if sid in gone:
            _log_skipped(sid, *gone[sid])
            return True, None
        try:
            result = render_event_session_report(
                conn, sid, settings, run_id=run_id, data_interval=data_interval
            )
        except Exception as exc:  # any failure stays this session's (not BaseException)
            if conn.broken or conn.closed:
                raise  # the warehouse is gone: nothing to record, nothing else would work
            error = ledger.error_line(exc)
            attempts = ledger.record_failure(conn, sid, fingerprint, error, run_id)
            log.error(
                "event session %s: report failed (%d of %d runs before it is no longer"
                " retried): %s",
                sid,
                attempts,
                ledger.MAX_ATTEMPTS,
                error,
                exc_info=exc,
            )
            return False, None
    log.info("published %s", result.uri)
    return True, result.uri
