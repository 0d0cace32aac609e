"""What the daily DAG's tasks do, as plain functions of their data interval.

``dags/webinar_stats_daily.py`` only wires these together; tests call them
directly. Each reads the data interval it is given and nothing else (no
``now()``), so rerunning a task gives the same result.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from webstat.errors import BadDataError, WebstatError
from webstat.settings import Settings, load_settings

if TYPE_CHECKING:
    import psycopg

    from webstat.ingest import IngestSummary

log = logging.getLogger(__name__)

FIRST_DAY = date(2000, 1, 1)
"""The first UTC day the daily DAG processes (its ``start_date``): the raw-log contract
rejects instants before 2000, so no earlier day can hold an event. With
``catchup=False`` the scheduler still starts from the latest day, not from here."""

RENDER_SLOTS = 2
"""``render_reports`` tasks of one run at a time (``max_active_tis_per_dagrun``): a
two-slot worker's share; the batches are planned to keep that many equally busy."""

TASK_TIMEOUTS = {
    "ingest": timedelta(hours=2),
    "transform": timedelta(hours=2),
    "sessions_to_report": timedelta(minutes=10),
    "render_reports": timedelta(hours=1),
}
"""``execution_timeout`` of each task of the daily DAG, per try (a timed-out try is
retried like any failure). Sized for a big day: a 10 M-event day loads in ~2-4 min and
builds in minutes on 2 cores, so 2 h is ample even on slow storage; one batch of 20
reports of very large sessions (~5 ms a table row) renders in well under an hour. They
are the backstop for a peer that accepts and never answers, after the connect/read
timeouts of :mod:`webstat.warehouse` and :mod:`webstat.storage`."""


def day_the_dag_skips(day: date, today: date | None = None) -> str | None:
    """Why the daily DAG would not process ``day`` (one clause), or None when it would."""
    today = today or datetime.now(UTC).date()
    if day < FIRST_DAY:
        return f"it is before {FIRST_DAY}, the first day webinar_stats_daily processes"
    if day >= today:
        return (
            "it has not ended yet (UTC): webinar_stats_daily processes a day once it is "
            "over (a run now would move the warehouse's run clock past the present)"
        )
    return None


def ingest(data_interval_start: datetime, settings: Settings | None = None) -> dict:
    """Load the landing partition of the interval's UTC day (+ late files) into ``raw``."""
    from webstat.warehouse import connect, prepare

    settings = settings or load_settings()
    url = prepare(settings)
    day = data_interval_start.date()
    with connect(settings, url=url) as conn:
        summary = load_partition(conn, settings, url, day, progress=log.info)
        # the gate judges the day, not this run: a rerun (files skipped) judges the same
        lines, rejected, duplicates = day_line_counts(conn, day, summary.file_ids)
    log.info("%s", summary)
    if summary.failed_files:
        log.warning(
            "%d file(s) failed to load (retried by the next runs): %s",
            len(summary.failed_files),
            ", ".join(f.uri for f in summary.failed_files),
        )
    check_reject_share(rejected, lines, settings.max_reject_pct, duplicates, day=day)
    return summary.as_dict()


def load_partition(
    conn: psycopg.Connection,
    settings: Settings,
    url: str,
    day: date,
    progress: Callable[[str], None],
) -> IngestSummary:
    """Load the landing partition of ``day`` and the late files of the lookback window
    (``WEBSTAT_LATE_FILE_LOOKBACK_DAYS``) into ``raw`` through ``conn``; the loader's own
    connections go to ``url`` too."""
    from webstat.ingest import ingest_day
    from webstat.warehouse import connect

    return ingest_day(
        conn,
        settings.landing_uri,
        day,
        lookback_days=settings.late_file_lookback_days,
        conn_id=settings.s3_conn_id,
        progress=progress,
        connect=lambda: connect(settings, url=url),
    )


def day_line_counts(
    conn: psycopg.Connection, day: date, file_ids: Iterable[int] = ()
) -> tuple[int, int, int]:
    """``(lines, rejected, duplicates)`` over the ledger's loaded files of ``day``'s
    partition (``delivery_date = day``, whoever loaded them) and the files ``file_ids``
    (the late files of earlier partitions this run loaded)."""
    row = conn.execute(
        """
        select coalesce(sum(lines_total), 0), coalesce(sum(rows_rejected), 0),
               coalesce(sum(rows_duplicate), 0)
        from raw.loaded_files
        where status = 'loaded' and (delivery_date = %s or file_id = any(%s))
        """,
        (day, list(file_ids)),
    ).fetchone()
    assert row is not None  # an aggregate without group by: always one row
    lines, rejected, duplicates = row
    return int(lines), int(rejected), int(duplicates)


def check_reject_share(
    rejected: int, lines: int, max_pct: float, duplicates: int = 0, *, day: date | None = None
) -> None:
    """The data-quality gate: fail (after the lines are loaded and recorded) when more than
    ``WEBSTAT_MAX_REJECT_PCT`` of the day's lines were rejected.

    The share is ``rejected / (lines - duplicates)``: a duplicate is a repeat of an event
    already loaded, not a good line of its own, so a million repeats cannot dilute it."""
    judged = lines - duplicates
    if judged > 0 and 100.0 * rejected / judged > max_pct:
        where = f"{day}: " if day else ""
        dups = f" (not counting {duplicates:,} duplicates)" if duplicates else ""
        raise BadDataError(
            f"{where}{rejected:,} of {judged:,} lines ({100.0 * rejected / judged:.1f} %) "
            f"were rejected{dups}, more than WEBSTAT_MAX_REJECT_PCT={max_pct:g} %: "
            "see raw.rejected_lines"
        )


def transform(
    data_interval_start: datetime,
    data_interval_end: datetime,
    settings: Settings | None = None,
    *,
    full_refresh: bool = False,
) -> dict:
    """``dbt build`` the project for the interval (the models recompute what new data touched).

    Builds are serialised (see :func:`webstat.warehouse.transform.run_dbt`), and the run's clock
    never goes back: it is ``greatest(data_interval_end, the newest clock a build used)``.
    """
    from webstat.warehouse import connect, prepare
    from webstat.warehouse.transform import dbt_vars, run_dbt

    settings = settings or load_settings()
    url = prepare(settings)
    # dbt's unit tests check the SQL, not the day's data: they run in CI (the pytest
    # suite), not in every production build (dbt's own advice).
    args = ["build", "--exclude-resource-type", "unit_test"]
    args += ["--full-refresh"] if full_refresh else []
    with connect(settings, url=url) as conn:
        row = conn.execute("select clock from raw.run_clock").fetchone()
        clock = max(data_interval_end, row[0]) if row else data_interval_end
        result = run_dbt(args, settings, url, dbt_vars(settings), clock)
        conn.execute(
            """
            insert into raw.run_clock (clock) values (%s)
            on conflict (singleton) do update
                set clock = greatest(raw.run_clock.clock, excluded.clock), updated_at = now()
            """,
            (clock,),
        )
    nodes = getattr(result.result, "results", None) or []
    return {"nodes": len(nodes), "clock": clock.isoformat()}


def rebuild(settings: Settings | None = None) -> dict:
    """``dbt build --full-refresh``: every mart recomputed from ``raw`` under the current
    settings, at the warehouse's run clock (the newest one a build used; now when no run
    has built anything yet), so the marts say what the daily runs would have said had the
    settings always been these. What a change of a setting the marts depend on needs
    (see ``dbt_project/macros/build_settings.sql``)."""
    from webstat.warehouse import connect, prepare

    settings = settings or load_settings()
    with connect(settings, url=prepare(settings)) as conn:
        row = conn.execute("select clock from raw.run_clock").fetchone()
    clock = row[0] if row else datetime.now(UTC)
    return transform(clock, clock, settings, full_refresh=True)


def check_day_processed(dagrun, day) -> None:
    """Raise unless ``dagrun`` succeeded for the UTC day ``day`` (guards the interval mapping)."""
    start = dagrun.data_interval_start
    if start is None or start.date() != day:
        raise WebstatError(
            f"the DAG run for {day} processed the interval starting {start}: "
            "the timetable does not map days as expected"
        )
    state = str(dagrun.state)
    if not state.endswith("success"):
        failed = [
            ti.task_id
            for ti in dagrun.get_task_instances()
            if getattr(ti.state, "value", ti.state) == "failed"  # not upstream_failed
        ]
        where = f" (failed: {', '.join(failed)})" if failed else ""
        raise WebstatError(f"the daily run for {day} ended {state.split('.')[-1]}{where}")
