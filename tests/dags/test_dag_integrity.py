"""DAG integrity (as Astronomer's project template has): every DAG file imports with
no errors and no connections set, and carries the settings we promise."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from webstat.airflow_env import DAGS_DIR


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def test_every_dag_file_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert "webinar_stats_daily" in dagbag.dags


def test_every_dag_has_tags_retries_and_docs(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, f"{dag_id} has no tags"
        assert dag.doc_md, f"{dag_id} has no doc_md"
        for task in dag.tasks:
            assert task.retries >= 1, f"{dag_id}.{task.task_id} has no retries"


def test_daily_dag_shape(dagbag):
    dag = dagbag.dags["webinar_stats_daily"]
    assert dag.max_active_runs == 1
    assert dag.catchup is False
    order = {t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks}
    assert order == {
        "ingest": ["transform"],
        "transform": ["sessions_to_report"],
        "sessions_to_report": ["render_reports"],
        "render_reports": [],
    }


def test_the_run_for_a_day_covers_exactly_that_utc_day(dagbag):
    """A run with logical date D+1 processes day D: 00:00 -> 24:00 UTC."""
    from airflow.serialization.encoders import coerce_to_core_timetable

    timetable = coerce_to_core_timetable(dagbag.dags["webinar_stats_daily"].timetable)
    logical = datetime(2026, 11, 3, tzinfo=UTC)
    interval = timetable.infer_manual_data_interval(run_after=logical)
    assert (interval.start, interval.end) == (
        datetime(2026, 11, 2, tzinfo=UTC),
        datetime(2026, 11, 3, tzinfo=UTC),
    )


def test_the_transform_task_publishes_every_mart_as_an_asset(dagbag):
    from webstat.tasks.assets import MARTS

    task = dagbag.dags["webinar_stats_daily"].get_task("transform")
    assert sorted(a.name for a in task.outlets) == sorted(f"webstat.marts.{m}" for m in MARTS)


def test_period_dag_is_manual_with_a_params_form(dagbag):
    dag = dagbag.dags["webinar_stats_period"]
    assert dag.timetable.__class__.__name__ == "NullTimetable"
    assert set(dag.params) == {"start", "end", "webinar"}
    assert [t.task_id for t in dag.tasks] == ["period_report"]


def test_the_daily_dag_covers_every_day_from_2000_without_catching_up(dagbag):
    """start_date 2000-01-01 (the raw-log contract has no earlier events), catchup=False:
    the scheduler's first automatic run is the latest finished day, not 2000-01-01."""
    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import TimeRestriction

    dag = dagbag.dags["webinar_stats_daily"]
    assert dag.start_date == datetime(2000, 1, 1, tzinfo=UTC)
    assert dag.catchup is False
    timetable = coerce_to_core_timetable(dag.timetable)
    before = datetime.now(UTC).date()
    info = timetable.next_dagrun_info(
        last_automated_data_interval=None,
        restriction=TimeRestriction(earliest=dag.start_date, latest=None, catchup=False),
    )
    after = datetime.now(UTC).date()
    # the interval of yesterday (UTC): it ends at today's midnight
    assert info.data_interval.end.date() in {before, after}
    assert (info.data_interval.end - info.data_interval.start).days == 1


def test_every_task_has_an_execution_timeout(dagbag):
    from datetime import timedelta

    timeouts = {
        (dag_id, task.task_id): task.execution_timeout
        for dag_id, dag in dagbag.dags.items()
        for task in dag.tasks
    }
    assert timeouts == {
        ("webinar_stats_daily", "ingest"): timedelta(hours=2),
        ("webinar_stats_daily", "transform"): timedelta(hours=2),
        ("webinar_stats_daily", "sessions_to_report"): timedelta(minutes=10),
        ("webinar_stats_daily", "render_reports"): timedelta(hours=1),
        ("webinar_stats_period", "period_report"): timedelta(hours=2),
    }
