"""What the daily DAG's tasks do, as plain functions of their data interval.

``dags/webinar_stats_daily.py`` only wires these together; tests call them
directly. Each reads the data interval it is given and nothing else (no
``now()``), so rerunning a task gives the same result.
"""

from __future__ import annotations

import logging
from datetime import datetime

from webstat.errors import BadDataError, WebstatError
from webstat.settings import Settings, load_settings

log = logging.getLogger(__name__)


def ingest(data_interval_start: datetime, settings: Settings | None = None) -> dict:
    """Load the landing partition of the interval's UTC day (+ late files) into ``raw``."""
    from webstat.ingest import ingest_day
    from webstat.warehouse import connect, prepare

    settings = settings or load_settings()
    url = prepare(settings)
    day = data_interval_start.date()
    with connect(url=url) as conn:
        summary = ingest_day(
            conn,
            settings.landing_uri,
            day,
            lookback_days=settings.late_file_lookback_days,
            conn_id=settings.s3_conn_id,
            progress=log.info,
            connect=lambda: connect(url=url),
        )
    log.info("%s", summary)
    check_reject_share(summary.rejected, summary.lines_total, settings.max_reject_pct)
    return summary.as_dict()


def check_reject_share(rejected: int, lines: int, max_pct: float) -> None:
    """The data-quality gate: fail (after the lines are loaded and recorded) when the share
    of rejected lines of the run's files passes ``WEBSTAT_MAX_REJECT_PCT``."""
    if lines and 100.0 * rejected / lines > max_pct:
        raise BadDataError(
            f"{rejected:,} of {lines:,} lines ({100.0 * rejected / lines:.1f} %) were rejected, "
            f"more than WEBSTAT_MAX_REJECT_PCT={max_pct:g} %: see raw.rejected_lines"
        )


def transform(
    data_interval_start: datetime,
    data_interval_end: datetime,
    settings: Settings | None = None,
    *,
    full_refresh: bool = False,
) -> dict:
    """``dbt build`` the project for the interval (the models recompute what new data touched).

    Builds are serialised (see :func:`webstat.transform.run_dbt`), and the run's clock
    never goes back: it is ``greatest(data_interval_end, the newest clock a build used)``.
    """
    from webstat.transform import dbt_vars, run_dbt
    from webstat.warehouse import connect, prepare

    settings = settings or load_settings()
    url = prepare(settings)
    # dbt's unit tests check the SQL, not the day's data: they run in CI (the pytest
    # suite), not in every production build (dbt's own advice).
    args = ["build", "--exclude-resource-type", "unit_test"]
    args += ["--full-refresh"] if full_refresh else []
    with connect(url=url) as conn:
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


def check_day_processed(dagrun, day) -> None:  # type: ignore[no-untyped-def]
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
