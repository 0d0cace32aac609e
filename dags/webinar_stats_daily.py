"""
### webinar_stats_daily

One run per UTC day (its data interval, `00:00 → 24:00 UTC`):

1. **ingest** — loads `LANDING/date=<day>/` and any late file of the previous
   `WEBSTAT_LATE_FILE_LOOKBACK_DAYS` days into `raw` (bad lines go to
   `raw.rejected_lines`, the ledger `raw.loaded_files` makes reruns no-ops);
2. **transform** — `dbt build`: staging → intermediate → marts, recomputing only
   the event sessions the new data touched; it fails at once (no retry) when a setting
   the marts depend on changed since they were built: run `webstat rebuild`;
3. **sessions_to_report** → **render_reports** (mapped: batches of at most 20 sessions,
   planned so that the two render slots are equally busy) — renders and publishes the
   XLSX + PDF reports of the sessions that ended or changed in this run (their marts'
   fingerprint differs from the last publication).

Any day from 2000-01-01 (`start_date`; the raw-log contract has no earlier events) can be
run or backfilled; `catchup=False` keeps the scheduler from catching up the years since.
Every task has an `execution_timeout` per try (ingest 2 h, transform 2 h,
sessions_to_report 10 min, render_reports 1 h per batch: see `webstat.tasks.daily.TASK_TIMEOUTS`).

Backfill: `airflow backfill create --dag-id webinar_stats_daily --from-date D1 --to-date D2
--max-active-runs 1` (the dates are the days processed).
All logic lives in the `webstat` package (`webstat.tasks.daily`); this file only wires it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import CronDataIntervalTimetable, dag, task

from webstat.tasks.assets import mart_assets
from webstat.tasks.daily import FIRST_DAY, RENDER_SLOTS, TASK_TIMEOUTS


@dag(
    dag_id="webinar_stats_daily",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=datetime.combine(FIRST_DAY, datetime.min.time(), UTC),
    catchup=False,
    max_active_runs=1,  # two days never write the same session at once
    default_args={
        "retries": 2,
        "retry_delay": timedelta(minutes=1),
        "retry_exponential_backoff": True,
    },
    tags=["webstat", "daily"],
    doc_md=__doc__,
)
def webinar_stats_daily():
    @task(execution_timeout=TASK_TIMEOUTS["ingest"])
    def ingest(data_interval_start=None) -> dict:
        from airflow.sdk.exceptions import AirflowFailException

        from webstat.errors import BadDataError
        from webstat.tasks import daily

        try:
            return daily.ingest(data_interval_start)
        except BadDataError as exc:  # bad data: fail now, no retries
            raise AirflowFailException(str(exc)) from exc

    @task(outlets=mart_assets(), execution_timeout=TASK_TIMEOUTS["transform"])
    def transform(ingested: dict, data_interval_start=None, data_interval_end=None) -> dict:
        from airflow.sdk.exceptions import AirflowFailException

        from webstat.tasks import daily
        from webstat.warehouse.transform import SettingsChangedError

        try:
            return daily.transform(data_interval_start, data_interval_end)
        except SettingsChangedError as exc:  # a retry would stop the same way: `webstat rebuild`
            raise AirflowFailException(str(exc)) from exc

    @task(execution_timeout=TASK_TIMEOUTS["sessions_to_report"])
    def sessions_to_report(transformed: dict) -> list[list[str]]:
        from webstat.tasks.publish_sessions import sessions_to_report

        return sessions_to_report()

    @task(max_active_tis_per_dagrun=RENDER_SLOTS, execution_timeout=TASK_TIMEOUTS["render_reports"])
    def render_reports(
        event_session_ids: list[str], run_id=None, data_interval_start=None, data_interval_end=None
    ) -> list[str]:
        from webstat.tasks.publish_sessions import render_sessions

        return render_sessions(
            event_session_ids,
            run_id=run_id,
            data_interval=(data_interval_start, data_interval_end),
        )

    render_reports.expand(event_session_ids=sessions_to_report(transform(ingest())))


webinar_stats_daily()
