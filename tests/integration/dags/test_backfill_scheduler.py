"""Airflow 3's own backfill under a real scheduler ends with the marts of day-by-day runs.

Not ``dag.test``: the real Airflow 3 components run as subprocesses with the
venv's ``airflow`` binary, a throw-away ``AIRFLOW_HOME`` and a fresh metadata
database on the session's embedded Postgres:

* ``airflow api-server --apps execution`` — tasks talk to Airflow only through
  the Execution API (JWTs signed with a shared ``[api_auth] jwt_secret``);
* ``airflow dag-processor`` — parses ``dags/`` and serializes the DAGs;
* ``airflow scheduler`` with the LocalExecutor — schedules the runs and runs the
  tasks (``--skip-serve-logs``: no fixed log-server port on a shared machine).

Then ``airflow backfill create --dag-id webinar_stats_daily --from-date 2026-11-02
--to-date 2026-11-04 --max-active-runs 1`` processes three generated days into
one warehouse database, while ``webstat run`` (``dag.test``, day by day) processes
the same landing zone into a second one; every mart must come out identical.

What the scheduler showed (Airflow 3.3.2), and why the command looks like this:

* A backfill run's logical date is the *start* of its data interval (run id
  ``backfill__<interval end>``), unlike a manual run / ``dag.test``, whose logical
  date is the interval's end.  So ``--from-date``/``--to-date`` are the UTC days
  themselves: 2026-11-02 … 2026-11-04 makes the runs for those three days.
* A backfill has its own ``max_active_runs`` (``--max-active-runs``, default 10);
  the DAG's ``max_active_runs=1`` is not applied to backfill runs.  Without the
  flag the three days run at once, concurrent ``dbt build``s fail ("relation …
  already exists"), retries run the days out of order and the marts differ from
  day-by-day runs (a session left ``in_progress`` instead of ``ended``).
* ``[scheduler] use_job_schedule = False``: the DAG has ``catchup=False``, so
  unpausing it would also create today's scheduled run, which Airflow counts apart
  from the backfill's runs and would write the same warehouse at the same time.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from webstat.airflow_env import DAGS_DIR
from webstat.generate import generate
from webstat.tasks.assets import MARTS

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DAG_ID = "webinar_stats_daily"
FIRST_DAY, LAST_DAY = date(2026, 11, 2), date(2026, 11, 4)
DAYS = [FIRST_DAY + timedelta(days=i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]
BACKFILL_ARGS = [
    "backfill", "create", "--dag-id", DAG_ID,
    "--from-date", FIRST_DAY.isoformat(), "--to-date", LAST_DAY.isoformat(),
    "--max-active-runs", "1",
]  # fmt: skip
AIRFLOW = Path(sys.executable).with_name("airflow")  # the venv's airflow binary
STARTUP_TIMEOUT = 180  # s: components up and the DAG serialized (a loaded 2-core box)
BACKFILL_TIMEOUT = 600  # s: all runs done (failures fail at once)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 30, *, skip: tuple[str, ...] = ()) -> str:
    """The last ``lines`` lines of a log, without those containing any of ``skip``."""
    if not path.exists():
        return f"--- {path}: missing"
    text = [line for line in path.read_text(errors="replace").splitlines()
            if not any(s in line for s in skip)]  # fmt: skip
    return f"--- {path} (last {min(lines, len(text))} lines)\n" + "\n".join(text[-lines:])


def _task_log(path: Path, lines: int = 25) -> str:
    """A task's JSON log as text: its warnings and errors, then its last ``lines`` events."""
    if not path.exists():
        return f"--- {path}: missing"
    events = []
    for raw in path.read_text(errors="replace").splitlines():
        try:
            record = json.loads(raw)
        except ValueError:
            record = {"event": raw}
        event = re.sub(r"\x1b\[[0-9;]*m", "", str(record.get("event", "")))
        events.append((str(record.get("level", "")), event))
    important = [e for lvl, e in events if lvl in ("warning", "error", "critical")
                 or "Error" in e or "Failure" in e]  # fmt: skip
    return (
        f"--- {path}\n"
        + "\n".join(important[-40:])
        + "\n... last events:\n"
        + "\n".join(e for _, e in events[-lines:])
    )


class AirflowStack:
    """The real Airflow 3 components over a fresh Postgres metadata DB."""

    def __init__(self, tmp: Path, pg_server_url: str, warehouse_url: str, landing: Path):
        info = conninfo_to_dict(pg_server_url)
        self.socket_dir = info["host"]
        self.meta_db = f"af_{uuid.uuid4().hex[:12]}"
        self.meta_url = pg_server_url.replace("/postgres?", f"/{self.meta_db}?")
        self.home = tmp / "airflow"
        self.logs = tmp / "logs"
        self.logs.mkdir(parents=True)
        self.procs: dict[str, subprocess.Popen] = {}
        self.created_at: float | None = None  # when the backfill was created (monotonic)
        port = _free_port()
        sqla = f"postgres@/{self.meta_db}?host={self.socket_dir}"
        # nothing of this process's Airflow/webstat setup leaks in (but: never read a .env)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("AIRFLOW", "PYTEST_", "WEBSTAT_", "DBT_"))}  # fmt: skip
        env.update({
            "WEBSTAT_ENV_FILE": os.environ.get("WEBSTAT_ENV_FILE", str(tmp / "no.env")),
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg://{sqla}",
            # asyncpg is not installed; Airflow's async engine goes through psycopg too
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": f"postgresql+psycopg_async://{sqla}",
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "2",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "600",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            "AIRFLOW__OPENLINEAGE__DISABLED": "True",
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
            "DO_NOT_TRACK": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "WEBSTAT_WAREHOUSE_URL": warehouse_url,
            "WEBSTAT_LANDING_URI": str(landing),
            "WEBSTAT_HOME": str(tmp / "webstat-home"),
            "WEBSTAT_ARTIFACTS_URI": str(tmp / "artifacts"),
        })  # fmt: skip
        self.env = env
        self.port = port

    # --- processes ---------------------------------------------------------------

    def airflow(self, *commands: list[str], timeout: float = 180) -> list[str]:
        """Run ``airflow`` CLI commands side by side to completion; return their outputs.

        Fails the test with the output of any that exits non-zero.
        """
        procs = [
            subprocess.Popen(
                [str(AIRFLOW), *args],
                env=self.env,
                cwd=self.home,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
            )
            for args in commands
        ]
        outputs = []
        for args, proc in zip(commands, procs, strict=True):
            try:
                out, _ = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, _ = proc.communicate()
            if proc.returncode != 0:
                pytest.fail(f"airflow {' '.join(args)} exited {proc.returncode}\n{out[-5000:]}")
            outputs.append(out)
        return outputs

    def bring_up_and_backfill(self) -> str:
        """Migrate the metadata DB, start the components, wait until the DAG is serialized,
        then unpause it and create the backfill; return ``backfill create``'s output."""
        self.home.mkdir(parents=True, exist_ok=True)
        self.airflow(["db", "migrate"])
        self.start("api-server", "api-server", "--apps", "execution", "--host", "127.0.0.1",
                   "--port", str(self.port), "--workers", "1")  # fmt: skip
        self.start("dag-processor", "dag-processor")
        self.start("scheduler", "scheduler", "--skip-serve-logs")
        self.wait_until_ready()
        output = self.airflow(["dags", "unpause", DAG_ID], BACKFILL_ARGS)[1]
        self.created_at = time.monotonic()
        return output

    def start(self, name: str, *args: str) -> None:
        log = (self.logs / f"{name}.log").open("wb")
        self.procs[name] = subprocess.Popen(
            [str(AIRFLOW), *args], env=self.env, cwd=self.home, stdout=log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        log.close()

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                pytest.fail(f"airflow {name} exited with {proc.returncode}\n{self.diagnostics()}")

    def stop(self) -> None:
        """SIGTERM each component's process group, then SIGKILL what is left."""
        for proc in self.procs.values():
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 15
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for proc in self.procs.values():
            try:  # the group may outlive its leader (executor workers, task supervisors)
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            if proc.poll() is None:
                proc.wait(timeout=10)

    # --- the metadata DB ---------------------------------------------------------------

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with psycopg.connect(self.meta_url, autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()

    def wait_until_ready(self) -> None:
        """The Execution API answers and the dag-processor has serialized the DAG."""
        deadline = time.monotonic() + STARTUP_TIMEOUT
        api_up = dag_serialized = False
        while time.monotonic() < deadline:
            self.check_alive()
            if not api_up:
                try:
                    url = f"http://127.0.0.1:{self.port}/execution/health"
                    with urllib.request.urlopen(url, timeout=2) as resp:
                        api_up = resp.status == 200
                except OSError:
                    pass
            if not dag_serialized:
                errors = self.query("select filename, stacktrace from import_error")
                if errors:
                    pytest.fail(f"the dag-processor could not import DAG files: {errors}")
                dag_serialized = bool(self.query(
                    "select 1 from serialized_dag where dag_id = %s", (DAG_ID,)
                ))  # fmt: skip
            if api_up and dag_serialized:
                return
            time.sleep(1)
        pytest.fail(
            f"not ready after {STARTUP_TIMEOUT} s (api: {api_up}, DAG serialized: "
            f"{dag_serialized})\n{self.diagnostics()}"
        )

    def backfill_runs(self) -> list[tuple]:
        return self.query(
            """
            select run_id, logical_date, data_interval_start, data_interval_end, state,
                   start_date, end_date
            from dag_run
            where dag_id = %s and backfill_id is not null
            order by logical_date
            """,
            (DAG_ID,),
        )

    def task_instances(self) -> list[tuple]:
        return self.query(
            """
            select run_id, task_id, state, try_number, start_date, end_date, map_index
            from task_instance where dag_id = %s order by start_date nulls last
            """,
            (DAG_ID,),
        )

    def wait_for_backfill(self, expected_runs: int) -> list[tuple]:
        """Poll until every backfill run succeeded; fail at the first failure or retry."""
        deadline = time.monotonic() + BACKFILL_TIMEOUT
        runs: list[tuple] = []
        while time.monotonic() < deadline:
            self.check_alive()
            bad = [ti for ti in self.task_instances()
                   if ti[2] in ("failed", "up_for_retry", "upstream_failed")]  # fmt: skip
            runs = self.backfill_runs()
            if bad or any(r[4] == "failed" for r in runs):
                pytest.fail(
                    f"the backfill failed: task instances {bad}, runs {runs}\n"
                    + self.diagnostics(failed=bad)
                )
            if len(runs) == expected_runs and all(r[4] == "success" for r in runs):
                return runs
            time.sleep(2)
        pytest.fail(f"the backfill did not finish in {BACKFILL_TIMEOUT} s: {runs}\n"
                    + self.diagnostics())  # fmt: skip

    def diagnostics(self, failed: list[tuple] = ()) -> str:
        parts = [_tail(self.logs / f"{name}.log", skip=("[http.access]",)) for name in self.procs]
        for run_id, task_id, _, try_number, _, _, map_index in failed:
            path = (
                self.home / "logs" / f"dag_id={DAG_ID}" / f"run_id={run_id}" / f"task_id={task_id}"
            )
            if map_index >= 0:
                path /= f"map_index={map_index}"
            parts.append(_task_log(path / f"attempt={max(try_number, 1)}.log"))
        return "\n".join(parts)


def _create_db(admin_url: str, name: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    return admin_url.replace("/postgres?", f"/{name}?")


def _drop_db(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def databases(pg_server_url):
    """Two fresh, empty warehouse databases (the backfill's and the day-by-day one)."""
    names = [f"t_bf_{uuid.uuid4().hex[:10]}", f"t_dd_{uuid.uuid4().hex[:10]}"]
    urls = [_create_db(pg_server_url, n) for n in names]
    yield urls
    for name in names:
        _drop_db(pg_server_url, name)


@pytest.fixture
def airflow_stack(tmp_path, pg_server_url, databases):
    """The stack's state (not started yet: see ``bring_up_and_backfill``); always torn down."""
    stack = AirflowStack(tmp_path, pg_server_url, databases[0], tmp_path / "landing")
    _create_db(pg_server_url, stack.meta_db)
    try:
        yield stack
    finally:
        stack.stop()
        _drop_db(pg_server_url, stack.meta_db)


def _snapshot(url: str) -> dict[str, tuple]:
    """Every mart's row count and content hash, and the raw tables' counts."""
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [r[0] for r in conn.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "order by table_name"
        )]  # fmt: skip
        out = {
            f"marts.{t}": conn.execute(
                f"select count(*), md5(string_agg(t::text, '|' order by t::text)) from marts.{t} t"
            ).fetchone()
            for t in tables
        }
        if conn.execute("select to_regclass('raw.published_reports')").fetchone()[0]:
            out["reports"] = conn.execute(
                "select count(*), md5(string_agg(event_session_id || ':' || fingerprint, '|' "
                "order by event_session_id)) from raw.published_reports"
            ).fetchone()
        out["raw"] = conn.execute(
            """
            select (select count(*) from raw.platform_events),
                   (select count(*) from raw.duplicate_events),
                   (select count(*) from raw.rejected_lines),
                   (select count(*) from raw.loaded_files where status = 'loaded')
            """
        ).fetchone()
    return out


def test_airflow_backfill_under_a_real_scheduler_matches_day_by_day_runs(
    airflow_stack, databases, tmp_path, monkeypatch, capsys
):
    started = time.monotonic()
    stack = airflow_stack
    backfill_url, daily_url = databases
    landing = tmp_path / "landing"
    written = generate(FIRST_DAY, LAST_DAY, landing, seed=11, scale=800)

    with ThreadPoolExecutor(max_workers=1) as pool:
        # Airflow comes up and the backfill starts in the background ...
        backfill = pool.submit(stack.bring_up_and_backfill)
        # ... while the same days run one by one (dag.test, in this process) into the other DB
        from webstat.cli import main

        monkeypatch.setenv("WEBSTAT_WAREHOUSE_URL", daily_url)
        monkeypatch.setenv("WEBSTAT_LANDING_URI", str(landing))
        monkeypatch.setenv("WEBSTAT_ARTIFACTS_URI", str(tmp_path / "artifacts-day-by-day"))
        assert main(["run", "--start", FIRST_DAY.isoformat(), "--end", LAST_DAY.isoformat()]) == 0
        print(f"day-by-day runs done after {time.monotonic() - started:.0f} s")
        created = backfill.result()
    print(f"backfill created after {stack.created_at - started:.0f} s")

    runs = stack.wait_for_backfill(expected_runs=len(DAYS))
    print(f"backfill done after {time.monotonic() - started:.0f} s")

    # one run per day, each over exactly that UTC day
    assert [(r[2], r[3]) for r in runs] == [
        (datetime.combine(d, datetime.min.time(), UTC),
         datetime.combine(d + timedelta(days=1), datetime.min.time(), UTC))
        for d in DAYS
    ], created  # fmt: skip
    # safely: one day at a time, in order, every task on its first try
    for earlier, later in itertools.pairwise(runs):
        assert earlier[6] <= later[5], f"runs overlapped: {earlier} and {later}"
    tis = stack.task_instances()
    assert {ti[0] for ti in tis} == {r[0] for r in runs}, tis  # no run but the backfill's
    # (a mapped task over an empty list is skipped)
    assert all((ti[2] == "success" and ti[3] == 1) or ti[2] == "skipped" for ti in tis), tis
    task_ids = {run_id: {ti[1] for ti in tis if ti[0] == run_id} for run_id, *_ in runs}
    assert len(set(map(frozenset, task_ids.values()))) == 1, task_ids  # every task, every day

    backfilled, day_by_day = _snapshot(backfill_url), _snapshot(daily_url)
    assert {f"marts.{m}" for m in MARTS} <= backfilled.keys()
    # the generator delivers the tail of the last day in the next day's partition:
    # only the files of the backfilled days' partitions are loaded
    files = [p for p in landing.glob("date=*/*") if p.parent.name <= f"date={LAST_DAY}"]
    assert backfilled["raw"][3] == len(files) > 0
    assert 0 < backfilled["raw"][0] <= written.events
    assert backfilled == day_by_day
    busy: dict[str, float] = {}
    for _, task_id, _, _, start, end, _ in tis:
        if start and end:
            busy[task_id] = busy.get(task_id, 0) + (end - start).total_seconds()
    with capsys.disabled():
        print(f"\n[backfill under a real scheduler: {time.monotonic() - started:.0f} s; "
              f"runs {(runs[-1][6] - runs[0][5]).total_seconds():.0f} s, tasks: "
              + ", ".join(f"{k} {v:.0f} s" for k, v in busy.items()) + "]")  # fmt: skip
