"""
### webinar_stats_period

The platform's «Статистика» view as a report: one workbook and one PDF over every
ended event session whose report date lies in `[start, end]`, optionally only
sessions whose webinar name contains `webinar` (case-insensitive).

Trigger it by hand with params `start`, `end` (YYYY-MM-DD) and `webinar`; the UI
shows them as a form. Output: `ARTIFACTS/periods/{start}_{end}[_{webinar-slug}]/`.
The task's `execution_timeout` is 2 h per try (`webstat.tasks.period.TASK_TIMEOUT`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import Param, dag, task

from webstat.tasks.period import TASK_TIMEOUT


@dag(
    dag_id="webinar_stats_period",
    schedule=None,
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    default_args={"retries": 2, "retry_delay": timedelta(seconds=30)},
    params={
        "start": Param(
            type="string", format="date", title="Start", description="First report date"
        ),
        "end": Param(type="string", format="date", title="End", description="Last report date"),
        "webinar": Param(
            None,
            type=["null", "string"],
            title="Webinar",
            description="Only webinars whose name contains this (optional)",
        ),
    },
    tags=["webstat", "reports"],
    doc_md=__doc__,
)
def webinar_stats_period():
    @task(execution_timeout=TASK_TIMEOUT)
    def period_report(params=None, run_id=None) -> dict:
        from airflow.sdk.exceptions import AirflowFailException

        from webstat.errors import BadDataError
        from webstat.tasks.period import period_report

        try:
            return period_report(
                params["start"], params["end"], params.get("webinar"), run_id=run_id
            )
        except BadDataError as exc:  # bad params: fail now, no retries
            raise AirflowFailException(str(exc)) from exc

    period_report()


webinar_stats_period()
