"""5. The daily DAG itself on one day: generate one day of N events (not timed), then
``webstat run --start D --end D`` in a subprocess, as a user runs it (``dag.test``: the
real DAG, its tasks in one process, the mapped ``render_reports`` batches one after
another), timed as a whole; the seconds of each task come from the task instances in
the run's Airflow metadata DB (sqlite under its own ``AIRFLOW_HOME``).

Under ``dag.test`` the two render slots are not used at once: the figures give the
per-session cost of the DAG's own code path, not the worker's parallelism.
"""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.bench_day import DAY
from benchmarks.harness import REPO, Warehouse, generate_day, log, timer

DB = "bench_dag"
DAG_ID = "webinar_stats_daily"


def _environment(settings, airflow_home: Path) -> dict[str, str]:
    """The subprocess's environment: ``settings`` as ``WEBSTAT_*`` variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WEBSTAT_", "AIRFLOW"))}
    env.update(
        {
            "WEBSTAT_HOME": str(settings.home),
            "WEBSTAT_WAREHOUSE_URL": settings.warehouse_url,
            "WEBSTAT_LANDING_URI": settings.landing_uri,
            "WEBSTAT_ARTIFACTS_URI": settings.artifacts_uri,
            "WEBSTAT_TIMEZONE": settings.timezone,
            "WEBSTAT_LOCALE": settings.locale,
            "WEBSTAT_ENV_FILE": os.devnull,  # no .env of the checkout
            "AIRFLOW_HOME": str(airflow_home),
            "DO_NOT_TRACK": "1",
        }
    )
    return env


def _seconds(start: str | None, end: str | None) -> float:
    if not start or not end:
        return 0.0
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def task_seconds(airflow_db: Path) -> dict[str, Any]:
    """Seconds of each task instance of the DAG's one run (``render_reports`` by map
    index) and the batches ``sessions_to_report`` planned (its XCom)."""
    with sqlite3.connect(airflow_db) as conn:
        rows = conn.execute(
            "select task_id, map_index, state, start_date, end_date from task_instance "
            "where dag_id = ? order by start_date",
            (DAG_ID,),
        ).fetchall()
        xcom = conn.execute(
            "select value from xcom where dag_id = ? and task_id = ? and key = ?",
            (DAG_ID, "sessions_to_report", "return_value"),
        ).fetchone()
    tasks: dict[str, float] = {}
    renders: dict[int, float] = {}
    states = {}
    for task_id, map_index, state, start, end in rows:
        states[f"{task_id}[{map_index}]" if map_index >= 0 else task_id] = state
        if task_id == "render_reports":
            renders[map_index] = _seconds(start, end)
        else:
            tasks[task_id] = _seconds(start, end)
    batches = _decode(xcom[0]) if xcom else []
    first = min((r[3] for r in rows if r[3]), default=None)
    last = max((r[4] for r in rows if r[4]), default=None)
    return {
        "tasks": tasks,
        "render_batches": [
            {"sessions": len(batches[i]) if i < len(batches) else None, "seconds": renders[i]}
            for i in sorted(renders)
        ],
        "states": states,
        "first_start_to_last_end": _seconds(first, last),
    }


def _decode(value: Any) -> list[list[str]]:
    """An XCom value as stored by Airflow 3 (JSON, possibly JSON in a JSON string)."""
    while isinstance(value, (bytes, str)):
        value = json.loads(value)
    return value


def _children_cpu() -> float:
    """User + system CPU seconds of this process's finished children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(wh: Warehouse, events: int) -> dict[str, Any]:
    landing = wh.root / f"landing-day-{events}"  # the day part's, when both run
    gen = generate_day(landing, DAY, events)
    wh.create_db(DB)
    settings = wh.settings(DB, landing)
    airflow_home = wh.root / "airflow-dag"  # a fresh metadata DB: only this run in it
    env = _environment(settings, airflow_home)
    command = [str(Path(sys.executable).with_name("webstat")), "run"]
    command += ["--start", DAY.isoformat(), "--end", DAY.isoformat()]
    log(f"dag: {' '.join(command[1:])} on {gen['events']:,} events")
    cpu_before = _children_cpu()
    with timer() as t:
        done = subprocess.run(
            command, cwd=REPO, env=env, capture_output=True, text=True, check=False
        )
    whole = t()
    cpu = _children_cpu() - cpu_before  # the run's own process (Postgres's work is not in it)
    if done.returncode != 0:
        raise RuntimeError(f"webstat run failed ({done.returncode}):\n{done.stderr[-4000:]}")
    figures = task_seconds(airflow_home / "airflow.db")
    tasks, batches = figures["tasks"], figures["render_batches"]
    reports = sum(b["seconds"] for b in batches)
    sessions = sum(b["sessions"] or 0 for b in batches)
    ingest, transform = tasks.get("ingest", 0.0), tasks.get("transform", 0.0)
    log(
        f"dag: whole run {whole:.1f} s ({cpu:.1f} s of CPU); ingest {ingest:.1f} s, "
        f"transform {transform:.1f} s, "
        f"{len(batches)} render batches, {sessions} sessions in {reports:.1f} s"
    )
    return {
        "events": gen["events"],
        "sessions_generated": gen["sessions"],
        "whole_run_seconds": whole,
        "whole_run_cpu_seconds": cpu,
        "tasks": tasks,
        "render_batches": batches,
        "states": figures["states"],
        "tasks_span_seconds": figures["first_start_to_last_end"],
        "reports_seconds": reports,
        "sessions_rendered": sessions,
        "report_seconds_each": reports / sessions if sessions else None,
        "reports_over_ingest_transform": reports / (ingest + transform)
        if ingest + transform
        else None,
        "stdout_tail": done.stdout[-600:],
    }
