"""The production shape of docker-compose.yml, started as local processes and driven
through Airflow's REST API.

There is no Docker engine here: ``topology.py`` (beside this file) starts each compose
service as a local process with the compose file's own settings: Postgres (the
``pgserver`` wheel's binaries, password auth over TCP, warehouse and Airflow metadata in
separate databases), Redis as the Celery broker, moto's S3 server where compose has MinIO
(reached only through ``AIRFLOW_CONN_WEBSTAT_S3``), the init job's own commands, and
Airflow 3's api-server, scheduler, dag-processor, triggerer and a Celery worker.

Then, through ``/api/v2`` with a token from the auth manager:

1. a manual run of ``webinar_stats_daily`` for a landed day;
2. a backfill of the next three days (``POST /api/v2/backfills``);
3. a ``webinar_stats_period`` run with params;
4. the BI login of the init job reads a mart and cannot read ``raw``;
5. the Celery worker SIGKILLed while it renders reports, a new one started: the run
   completes, the task retried, every report published once.

The expected numbers are worked out here from the landed files themselves (a line is
an event when it is a JSON object whose ``event_id`` is a non-empty string not ending
in ``-x``, the generator's mark of a malformed line; the rule is checked against the
generator's own summary), following the rules ``docs/marts.md`` states: a session is
ended by its ``session.ended`` or, failing that, once its newest event is more than
24 h older than the run's clock.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import re
import shutil
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest


def _topology():
    name = "webstat_tests_deploy_topology"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("topology.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


T = _topology()

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DAILY, PERIOD = "webinar_stats_daily", "webinar_stats_period"
D1 = date(2026, 11, 2)  # the manual run
BACKFILL = [D1 + timedelta(days=i) for i in (1, 2, 3)]
KILLED_DAY = D1 + timedelta(days=4)  # the run whose worker is killed
DAYS = [D1, *BACKFILL, KILLED_DAY]
# events a day: below the generator's "small" (~4 000 events, ~10 sessions a day), ~6 sessions
# a day, so five days of runs with their reports fit in the test's few minutes
SCALE = 1500
STARTUP_TIMEOUT = 240
RUN_TIMEOUT = 240
STEPS: dict[str, bool] = {}  # step -> passed (later steps need earlier ones)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC)


def _iso(day: date) -> str:
    return _midnight(day).isoformat().replace("+00:00", "Z")


# --- what the landed files must give, counted from the files ---------------------------------


@dataclass
class Session:
    started_at: datetime | None = None
    last_end: datetime | None = None
    newest: datetime | None = None


@dataclass
class Expected:
    """The warehouse the loaded partitions must make, worked out from their lines."""

    landing: Path
    ids: set[str] = field(default_factory=set)
    duplicates: int = 0
    malformed: int = 0
    files: int = 0
    sessions: dict[str, Session] = field(default_factory=lambda: defaultdict(Session))
    clock: datetime | None = None

    @staticmethod
    def event(line: bytes) -> dict | None:
        try:
            record = json.loads(line)
        except ValueError:  # truncated, Windows-1251 bytes, …
            return None
        if not isinstance(record, dict):
            return None
        event_id = record.get("event_id")
        if not isinstance(event_id, str) or not event_id or event_id.endswith("-x"):
            return None
        return record

    def partition(self, day: date) -> list[Path]:
        return sorted((self.landing / f"date={day}").glob("*.ndjson*"))

    def load(self, day: date) -> None:
        """A run for ``day`` loads its partition; its clock is the interval's end."""
        for path in self.partition(day):
            self.files += 1
            opener = gzip.open if path.suffix == ".gz" else open
            with opener(path, "rb") as lines:
                for line in lines:
                    if not line.strip():
                        continue
                    record = self.event(line)
                    if record is None:
                        self.malformed += 1
                        continue
                    if record["event_id"] in self.ids:
                        self.duplicates += 1
                        continue
                    self.ids.add(record["event_id"])
                    session = self.sessions[record["event_session_id"]]
                    at = datetime.fromisoformat(record["occurred_at"])
                    session.newest = max(filter(None, (session.newest, at)))
                    if record["event_type"] == "session.started":
                        session.started_at = min(filter(None, (session.started_at, at)))
                    elif record["event_type"] == "session.ended":
                        session.last_end = max(filter(None, (session.last_end, at)))
        end = _midnight(day + timedelta(days=1))
        self.clock = max(filter(None, (self.clock, end)))

    def in_marts(self) -> set[str]:
        """``marts.fct_event_sessions`` has a row per session whose ``session.started``
        has arrived (invitations for a later session make none yet)."""
        return {sid for sid, s in self.sessions.items() if s.started_at is not None}

    def ended(self) -> set[str]:
        """Sessions with status ``ended`` (docs/marts.md's rule; none here spans 7 days)."""
        stale_before = self.clock - timedelta(hours=24)
        return {
            sid
            for sid in self.in_marts()
            if self.sessions[sid].last_end is not None or self.sessions[sid].newest < stale_before
        }

    def report_dates(self, tz: str) -> dict[str, date]:
        zone = ZoneInfo(tz)
        return {
            sid: s.started_at.astimezone(zone).date()
            for sid, s in self.sessions.items()
            if s.started_at is not None
        }


# --- the stack -----------------------------------------------------------------------------------


@dataclass
class Stack:
    topology: T.Topology
    api: T.Api
    expected: Expected
    warehouse: str  # the warehouse DB URL (the compose's user, over TCP)
    artifacts: str  # the artifacts prefix in the bucket
    timezone: str
    runs: dict[str, str] = field(default_factory=dict)  # step -> run id

    @property
    def s3(self):
        return self.topology.s3

    @property
    def bucket(self) -> str:
        return self.topology.bucket

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with psycopg.connect(self.warehouse, autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()

    # --- REST --------------------------------------------------------------------------------

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        return self.api.get(f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances")["task_instances"]

    def render_batches(self, run_id: str) -> list[list[str]] | None:
        """The daily run's planned batches (``sessions_to_report``'s XCom: map index i renders
        batch i), or None while the planning task has not returned."""
        try:
            entry = self.api.get(
                f"/dags/{DAILY}/dagRuns/{run_id}/taskInstances/sessions_to_report"
                "/xcomEntries/return_value"
            )
        except AssertionError:  # not pushed yet: 404
            return None
        value = entry.get("value")  # the stored JSON: a list, or its text
        value = json.loads(value) if isinstance(value, str) else value
        assert isinstance(value, list) and all(isinstance(b, list) for b in value), value
        return value

    def task_logs(self, dag_id: str, run_id: str, bad: list[dict]) -> str:
        """The failed tasks' last try, as the worker wrote it: the log's text events (JSON
        and colour codes stripped), the last 15 of them."""
        parts = []
        for ti in bad:
            pattern = f"**/dag_id={dag_id}/run_id={run_id}/task_id={ti['task_id']}/**/*.log"
            paths = sorted(self.topology.tmp.glob(f"airflow-worker*/{pattern}"))
            for path in paths[-1:]:
                events = []
                for raw in path.read_text(errors="replace").splitlines():
                    try:
                        event = str(json.loads(raw).get("event", ""))
                    except ValueError:
                        event = raw
                    event = re.sub(r"\x1b\[[0-9;]*m", "", event).strip()
                    if event and not event.startswith("::"):
                        events.append(event)
                parts.append(f"--- {path.name} of {ti['task_id']}:\n" + "\n".join(events[-15:]))
        return "\n".join(parts)

    def wait_run(
        self,
        dag_id: str,
        run_id: str,
        timeout: float = RUN_TIMEOUT,
        alive: tuple[str, ...] | None = None,
    ) -> dict:
        """Poll the run until it succeeds; fail with the failing task's log tail."""
        deadline = time.monotonic() + timeout
        run: dict = {}
        while time.monotonic() < deadline:
            self.topology.check_alive(alive)
            run = self.api.get(f"/dags/{dag_id}/dagRuns/{run_id}")
            if run["state"] == "success":
                return run
            if run["state"] == "failed":
                tis = self.task_instances(dag_id, run_id)
                bad = [ti for ti in tis if ti["state"] in ("failed", "upstream_failed")]
                raise AssertionError(
                    f"{dag_id} run {run_id} failed: "
                    f"{[(t['task_id'], t['map_index'], t['state']) for t in bad]}\n"
                    + self.task_logs(dag_id, run_id, [t for t in bad if t["state"] == "failed"])
                )
            time.sleep(1)
        tis = self.task_instances(dag_id, run_id)
        raise AssertionError(
            f"{dag_id} run {run_id} still {run.get('state')} after {timeout:.0f} s: "
            f"{[(t['task_id'], t['map_index'], t['state']) for t in tis]}\n"
            + self.topology.diagnostics(["airflow-scheduler", "airflow-worker"], 20)
        )

    def trigger_day(self, day: date) -> str:
        """``POST …/dagRuns`` for the UTC day ``day``: logical date ``day`` and the interval
        ``day → day+1``, as the scheduler and a backfill make it (a run with logical date
        day+1 would take that date from the next day's backfill run)."""
        run = self.api.post(
            f"/dags/{DAILY}/dagRuns",
            {
                "dag_run_id": f"manual__{day}",
                "logical_date": _iso(day),
                "data_interval_start": _iso(day),
                "data_interval_end": _iso(day + timedelta(days=1)),
            },
        )
        return run["dag_run_id"]

    def timeline(self, dag_id: str, run_id: str) -> str:
        """``task wait+run`` seconds of a run's tasks (queued -> start -> end), for the log."""

        def t(value: str | None) -> datetime | None:
            return datetime.fromisoformat(value) if value else None

        run = self.api.get(f"/dags/{dag_id}/dagRuns/{run_id}")
        parts = []
        for ti in sorted(self.task_instances(dag_id, run_id), key=lambda x: x["start_date"] or ""):
            start, end, queued = t(ti["start_date"]), t(ti["end_date"]), t(ti["queued_when"])
            if start and end:
                wait = (start - queued).total_seconds() if queued else 0
                parts.append(f"{ti['task_id']} {wait:.0f}+{(end - start).total_seconds():.0f}")
        total = (t(run["end_date"]) - t(run["start_date"])).total_seconds()
        return f"{run_id} {total:.0f} s: " + ", ".join(parts)

    # --- the warehouse and the bucket -------------------------------------------------------

    def check_warehouse(self) -> None:
        """raw and marts hold exactly what the loaded partitions make."""
        e = self.expected
        raw = self.query("""
            select (select count(*) from raw.platform_events),
                   (select count(*) from raw.duplicate_events),
                   (select count(*) from raw.rejected_lines),
                   (select count(*) from raw.loaded_files where status = 'loaded'),
                   (select count(*) from raw.loaded_files)
        """)[0]
        assert raw == (len(e.ids), e.duplicates, e.malformed, e.files, e.files), (
            "raw (events, duplicates, rejected, files loaded, ledger rows) "
            f"{raw} != the landed lines' {(len(e.ids), e.duplicates, e.malformed, e.files)}"
        )
        marts = dict(self.query("select event_session_id, status from marts.fct_event_sessions"))
        assert set(marts) == e.in_marts(), (
            f"marts.fct_event_sessions has {len(marts)} sessions, the landed events "
            f"{len(e.in_marts())}: {sorted(set(marts) ^ e.in_marts())[:10]}"
        )
        ended = {sid for sid, status in marts.items() if status == "ended"}
        assert ended == e.ended(), (
            f"ended sessions differ from the landed files' (clock {e.clock}): "
            f"only in marts {sorted(ended - e.ended())}, only expected {sorted(e.ended() - ended)}"
        )

    def reports(self) -> dict[str, dict]:
        """Every event-session report folder in the bucket: ``{session: manifest}``, after
        checking each folder holds its manifest and files whose bytes match it."""
        prefix = f"{self.artifacts}/events/"
        folders: dict[str, dict[str, bytes]] = defaultdict(dict)
        for page in self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix
        ):
            for obj in page.get("Contents", []):
                folder, _, name = obj["Key"].rpartition("/")
                body = self.s3.get_object(Bucket=self.bucket, Key=obj["Key"])["Body"].read()
                folders[folder][name] = body
        out = {}
        for folder, files in folders.items():
            assert set(files) == {"manifest.json", "report.xlsx", "report.pdf"}, (
                f"s3://{self.bucket}/{folder} holds {sorted(files)}"
            )
            manifest = json.loads(files["manifest.json"])
            for name, meta in manifest["files"].items():
                digest = hashlib.sha256(files[name]).hexdigest()
                assert (digest, len(files[name])) == (meta["sha256"], meta["size_bytes"]), (
                    f"s3://{self.bucket}/{folder}/{name}: sha256 {digest[:12]}…, "
                    f"{len(files[name])} bytes; its manifest says {meta}"
                )
            sid = manifest["event_session_id"]
            assert folder == f"{prefix}{manifest['report_date']}/{sid}", (folder, manifest)
            assert sid not in out, f"{sid} has two report folders"
            out[sid] = manifest
        return out

    def manifest_writes(self) -> Counter:
        """How many times each session's manifest was written, per run: ``(session, run)``."""
        writes: Counter = Counter()
        paginator = self.s3.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=f"{self.artifacts}/events/"):
            for version in page.get("Versions", []):
                if not version["Key"].endswith("/manifest.json"):
                    continue
                body = self.s3.get_object(
                    Bucket=self.bucket, Key=version["Key"], VersionId=version["VersionId"]
                )["Body"].read()
                manifest = json.loads(body)
                writes[(manifest["event_session_id"], manifest["run_id"])] += 1
        return writes

    def check_reports(self) -> dict[str, dict]:
        """Every ended session has one report in the bucket and one ledger row, no other."""
        reports = self.reports()
        ended = self.expected.ended()
        assert set(reports) == ended, (
            f"{len(reports)} report folders for {len(ended)} ended sessions: "
            f"extra {sorted(set(reports) - ended)}, missing {sorted(ended - set(reports))}"
        )
        ledger = {
            sid: uri
            for sid, uri in self.query("select event_session_id, uri from raw.published_reports")
        }
        assert set(ledger) == ended, f"raw.published_reports: {sorted(set(ledger) ^ ended)}"
        for sid, manifest in reports.items():
            expected_uri = (
                f"s3://{self.bucket}/{self.artifacts}/events/{manifest['report_date']}/{sid}"
            )
            assert ledger[sid] == expected_uri, (ledger[sid], expected_uri)
        return reports


def _require(*steps: str) -> None:
    missing = [s for s in steps if not STEPS.get(s)]
    if missing:
        pytest.skip(f"needs the earlier step(s) {', '.join(missing)}, which did not pass")


@pytest.fixture(scope="module")
def stack():
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    from webstat.generate import generate

    tmp = Path(tempfile.mkdtemp(prefix="webstat-compose-"))
    topology = T.Topology(tmp)
    started = time.monotonic()
    try:
        # the servers, then the init job, then every Airflow service at once (compose's order)
        topology.start_postgres()
        topology.start_redis()
        topology.start_s3()
        # the test watches every write of a manifest (S3 keeps each version)
        topology.s3.put_bucket_versioning(
            Bucket=topology.bucket, VersioningConfiguration={"Status": "Enabled"}
        )
        # the platform's export: a small generated week in the landing prefix
        env = topology.airflow_env("airflow-worker")
        landing_uri, artifacts_uri = env["WEBSTAT_LANDING_URI"], env["WEBSTAT_ARTIFACTS_URI"]
        landing = tmp / "landing"
        summary = generate(DAYS[0], DAYS[-1], landing, seed=16, scale=SCALE)
        bucket, _, prefix = landing_uri.removeprefix("s3://").partition("/")
        assert bucket == topology.bucket, f"landing {landing_uri} is not in minio-init's bucket"
        for path in sorted(landing.rglob("*.ndjson*")):
            key = f"{prefix}/{path.relative_to(landing)}"
            topology.s3.upload_file(str(path), bucket, key)
        expected = Expected(landing)
        _check_the_line_rule(landing, summary)

        init_output = topology.run_airflow_init()
        for service in T.AIRFLOW_SERVICES:
            topology.start_airflow(service)
        api_url = topology.url("airflow-apiserver", 8080)

        def api_up() -> bool:
            try:
                with urllib.request.urlopen(f"{api_url}/api/v2/version", timeout=2) as r:
                    return r.status == 200
            except OSError:
                return False

        topology.wait("airflow-apiserver", api_up, STARTUP_TIMEOUT, 1)
        api = T.Api(api_url, T.admin_token(topology, api_url))
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:  # both DAGs parsed by the dag-processor
            topology.check_alive()
            dags = {d["dag_id"] for d in api.get("/dags")["dags"]}
            if {DAILY, PERIOD} <= dags:
                break
            errors = api.get("/importErrors")["import_errors"]
            assert not errors, f"the dag-processor could not import DAG files: {errors}"
            assert time.monotonic() < deadline, (
                f"DAGs not parsed after {STARTUP_TIMEOUT} s: {dags}\n"
                + topology.diagnostics(["airflow-dag-processor"])
            )
            time.sleep(1)
        for dag_id in (DAILY, PERIOD):
            api.patch(f"/dags/{dag_id}", {"is_paused": False})
        stack = Stack(
            topology=topology,
            api=api,
            expected=expected,
            warehouse=env["WEBSTAT_WAREHOUSE_URL"],
            artifacts=artifacts_uri.removeprefix(f"s3://{bucket}/"),
            timezone=env["WEBSTAT_TIMEZONE"],
        )
        stack.init_output = init_output
        print(f"\n[compose topology up in {time.monotonic() - started:.0f} s]")
        yield stack
    finally:
        topology.stop()
        shutil.rmtree(tmp, ignore_errors=True)
        print(f"[compose topology: {time.monotonic() - started:.0f} s in all]")


def _check_the_line_rule(landing: Path, summary) -> None:
    """The rule that tells events from malformed lines gives the generator's own totals."""
    ids: set[str] = set()
    lines = malformed = 0
    for path in sorted(landing.rglob("*.ndjson*")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as f:
            for line in f:
                if not line.strip():
                    continue
                lines += 1
                record = Expected.event(line)
                if record is None:
                    malformed += 1
                else:
                    ids.add(record["event_id"])
    counted = (len(ids), lines - malformed - len(ids), malformed)
    assert counted == (summary.events, summary.duplicate_lines, summary.malformed_lines), (
        f"events/duplicates/malformed counted {counted}, the generator wrote {summary}"
    )


# --- the steps -------------------------------------------------------------------------------


def settings_compose_lacks(compose) -> list[str]:
    """``service: NAME`` for every setting the code reads that an Airflow service of
    ``compose`` does not set (WEBSTAT_*, the S3 connection it names, the executor)."""
    from webstat.settings import DEFAULTS

    read_by_code = {*DEFAULTS, "WEBSTAT_WAREHOUSE_URL", "AIRFLOW__CORE__EXECUTOR"}
    missing = []
    for service in (*T.AIRFLOW_SERVICES, "airflow-init"):
        env = compose.environment(service)
        missing += [f"{service}: {name}" for name in sorted(read_by_code - set(env))]
        conn = f"AIRFLOW_CONN_{env.get('WEBSTAT_S3_CONN_ID', 'webstat_s3').upper()}"
        if conn not in env:
            missing.append(f"{service}: {conn}")
    return missing


def test_a_removed_or_renamed_compose_setting_is_caught(tmp_path):
    """The check the topology test starts with fails for every setting the code reads
    that is taken out of (or renamed in) the compose file: each one in turn, on a copy."""
    from webstat.settings import DEFAULTS

    text = (T.REPO / "docker-compose.yml").read_text()
    assert settings_compose_lacks(T.Compose()) == []
    names = [*DEFAULTS, "WEBSTAT_WAREHOUSE_URL", "AIRFLOW_CONN_WEBSTAT_S3"]
    for name in names:
        copy = tmp_path / "docker-compose.yml"
        renamed = re.sub(rf"^(\s+){name}:", rf"\1{name}_RENAMED:", text, flags=re.M)
        assert renamed != text, f"{name} is not in docker-compose.yml"
        copy.write_text(renamed)
        assert settings_compose_lacks(T.Compose(copy)), f"renaming {name} went unnoticed"
        copy.write_text(re.sub(rf"^\s+{name}:.*\n", "", text, flags=re.M))
        assert settings_compose_lacks(T.Compose(copy)), f"removing {name} went unnoticed"


def test_compose_settings_are_what_the_services_run_with(stack):
    """Every setting the code reads is set by compose for every Airflow service, the
    executor is Celery with two slots, and every compose healthcheck passes here."""
    compose = stack.topology.compose
    assert settings_compose_lacks(compose) == []
    for service in T.AIRFLOW_SERVICES:
        assert compose.environment(service)["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    worker = compose.environment("airflow-worker")
    assert worker.get("AIRFLOW__CELERY__WORKER_CONCURRENCY") == "2", worker
    # the warehouse and Airflow's metadata: separate databases of the one server
    assert (
        stack.warehouse.rsplit("/", 1)[1]
        != compose.environment("airflow-worker")["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].rsplit(
            "/", 1
        )[1]
    )
    # the init job ran its own three commands
    for line in ("Database migration done", "warehouse ready", "BI login"):
        assert line in stack.init_output, f"the init job's output lacks {line!r}"
    for service in ("postgres", "redis", *T.AIRFLOW_SERVICES):
        code = stack.topology.healthcheck(service)
        assert code == 0, (
            f"{service}'s compose healthcheck exited {code}: "
            f"{stack.topology.last_healthcheck_output[-600:]}"
        )
    STEPS["up"] = True


def test_daily_run_triggered_through_the_rest_api(stack):
    _require("up")
    run_id = stack.trigger_day(D1)
    run = stack.wait_run(DAILY, run_id)
    stack.expected.load(D1)
    assert (run["data_interval_start"], run["data_interval_end"]) == (
        _iso(D1),
        _iso(D1 + timedelta(days=1)),
    ), run
    stack.check_warehouse()
    reports = stack.check_reports()
    assert reports, "the first day ended no session: nothing to check the reports with"
    assert {m["run_id"] for m in reports.values()} == {run_id}
    writes = stack.manifest_writes()
    assert all(n == 1 for n in writes.values()), f"a manifest written twice: {writes}"
    tis = stack.task_instances(DAILY, run_id)
    assert all(ti["try_number"] == 1 for ti in tis), tis
    # the task's log, as the UI shows it: the api-server fetches it from the worker
    # (its summary line, with the numbers counted from the landed files)
    log = json.dumps(
        stack.api.get(f"/dags/{DAILY}/dagRuns/{run_id}/taskInstances/ingest/logs/1")["content"]
    )
    files, events = len(stack.expected.partition(D1)), len(stack.expected.ids)
    summary = f"{D1}: {files} file(s) loaded, 0 already loaded;"
    assert summary in log and f"-> {events:,} events" in log, log[-1500:]
    print(f"[{D1}: {len(reports)} reports; {stack.timeline(DAILY, run_id)}]")
    STEPS["daily"] = True


def test_backfill_of_three_days(stack):
    _require("daily")
    started = time.monotonic()
    backfill = stack.api.post(
        "/backfills",
        {
            "dag_id": DAILY,
            "from_date": _iso(BACKFILL[0]),
            "to_date": _iso(BACKFILL[-1]),
            "max_active_runs": 1,
            "reprocess_behavior": "none",
        },
    )
    deadline = time.monotonic() + 3 * RUN_TIMEOUT
    while True:
        stack.topology.check_alive()
        runs = [
            r
            for r in stack.api.get(f"/dags/{DAILY}/dagRuns?limit=100")["dag_runs"]
            if r["run_type"] == "backfill"
        ]
        failed = [r for r in runs if r["state"] == "failed"]
        if failed:
            stack.wait_run(DAILY, failed[0]["dag_run_id"])  # raises with the task's log
        done = stack.api.get(f"/backfills/{backfill['id']}")["completed_at"]
        if done and runs and all(r["state"] == "success" for r in runs):
            break
        assert time.monotonic() < deadline, f"backfill not done: {runs}"
        time.sleep(2)
    runs.sort(key=lambda r: r["data_interval_start"])
    assert [(r["data_interval_start"], r["data_interval_end"]) for r in runs] == [
        (_iso(d), _iso(d + timedelta(days=1))) for d in BACKFILL
    ], runs
    for earlier, later in zip(runs, runs[1:], strict=False):
        assert earlier["end_date"] <= later["start_date"], f"runs overlapped: {earlier} {later}"
    for run in runs:
        print(f"[backfill {stack.timeline(DAILY, run['dag_run_id'])}]")
    for run in runs:  # every task once
        tis = stack.task_instances(DAILY, run["dag_run_id"])
        assert all(ti["try_number"] == 1 and ti["state"] in ("success", "skipped") for ti in tis), (
            tis
        )
    for day in BACKFILL:
        stack.expected.load(day)
    stack.check_warehouse()
    reports = stack.check_reports()
    writes = stack.manifest_writes()
    assert all(n == 1 for n in writes.values()), f"a manifest written twice in one run: {writes}"
    print(
        f"[backfill {BACKFILL[0]} … {BACKFILL[-1]}: {len(reports)} reports in all, "
        f"{time.monotonic() - started:.0f} s]"
    )
    STEPS["backfill"] = True


def test_period_report_with_params(stack):
    _require("backfill")
    start, end = D1, BACKFILL[-1]
    run = stack.api.post(
        f"/dags/{PERIOD}/dagRuns",
        {
            "logical_date": None,
            "conf": {"start": str(start), "end": str(end), "webinar": None},
        },
    )
    stack.wait_run(PERIOD, run["dag_run_id"])
    print(f"[period {stack.timeline(PERIOD, run['dag_run_id'])}]")
    folder = f"{stack.artifacts}/periods/{start}_{end}"
    keys = {
        o["Key"].rpartition("/")[2]: o["Key"]
        for o in stack.s3.list_objects_v2(Bucket=stack.bucket, Prefix=f"{folder}/").get(
            "Contents", []
        )
    }
    assert set(keys) == {"manifest.json", "report.xlsx", "report.pdf"}, keys
    manifest = json.loads(
        stack.s3.get_object(Bucket=stack.bucket, Key=keys["manifest.json"])["Body"].read()
    )
    for name, meta in manifest["files"].items():
        body = stack.s3.get_object(Bucket=stack.bucket, Key=keys[name])["Body"].read()
        assert hashlib.sha256(body).hexdigest() == meta["sha256"], name
    dates = stack.expected.report_dates(stack.timezone)
    covered = sorted(
        sid for sid in stack.expected.ended() if sid in dates and start <= dates[sid] <= end
    )
    kind = (manifest["kind"], manifest["start"], manifest["end"])
    assert kind == ("period", str(start), str(end)), kind
    assert sorted(manifest["event_session_ids"]) == covered, (
        f"the period report covers {len(manifest['event_session_ids'])} sessions, "
        f"the ended sessions of {start} … {end} ({stack.timezone}) are {len(covered)}"
    )
    STEPS["period"] = True


def test_bi_login_reads_marts_and_not_raw(stack):
    _require("daily")
    compose = stack.topology.compose
    script = " ".join(compose.command("airflow-init"))
    name = re.search(r"create_bi_login --args \"\{name: ([A-Za-z0-9_]+)", script)[1]
    password = compose.environment("airflow-init")["WEBSTAT_BI_PASSWORD"]
    db = stack.warehouse.rsplit("/", 1)[1]
    url = stack.topology.pg_url(db, user=name, password=password)
    with psycopg.connect(url, autocommit=True) as conn:
        sessions = conn.execute("select count(*) from marts.fct_event_sessions").fetchone()[0]
        assert sessions == len(stack.expected.in_marts())
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select count(*) from raw.platform_events")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(stack.topology.pg_url(db, user=name, password="wrong"))
    STEPS["bi"] = True


def test_worker_killed_while_rendering_reports(stack):
    _require("backfill")
    topology = stack.topology
    before = stack.manifest_writes()
    run_id = stack.trigger_day(KILLED_DAY)
    published: list[str] = []
    deadline = time.monotonic() + RUN_TIMEOUT
    while True:  # kill while a batch is mid-way, once another has published (if any can)
        topology.check_alive()
        renders = [
            ti for ti in stack.task_instances(DAILY, run_id) if ti["task_id"] == "render_reports"
        ]
        published = [
            r[0]
            for r in stack.query(
                "select event_session_id from raw.published_reports where run_id = %s", (run_id,)
            )
        ]
        # a running batch with a session still to publish: killed now, it must be retried
        # (a batch whose reports are all published may already be reporting success)
        batches = stack.render_batches(run_id) or []
        in_flight = [
            ti
            for ti in renders
            if ti["state"] == "running"
            and ti["map_index"] < len(batches)
            and set(batches[ti["map_index"]]) - set(published)
        ]
        unfinished = [ti for ti in renders if ti["state"] not in ("success", "failed")]
        if in_flight and (published or len(unfinished) == len(in_flight)):
            topology.kill("airflow-worker")
            break
        state = stack.api.get(f"/dags/{DAILY}/dagRuns/{run_id}")["state"]
        if state == "failed":
            stack.wait_run(DAILY, run_id)  # raises with the failed task's log
        assert state in ("queued", "running"), f"the run ended {state} before the kill"
        assert time.monotonic() < deadline, "no report rendered in time"
        time.sleep(0.3)
    killed_at = time.monotonic()
    topology.start_airflow("airflow-worker", name="airflow-worker-2")
    stack.wait_run(DAILY, run_id, timeout=RUN_TIMEOUT)
    stack.expected.load(KILLED_DAY)
    stack.check_warehouse()
    reports = stack.check_reports()
    tis = stack.task_instances(DAILY, run_id)
    renders = [ti for ti in tis if ti["task_id"] == "render_reports"]
    # the batches are planned for two slots: those in flight at the kill are retried
    # once, those already done are not
    retried = [ti for ti in renders if ti["try_number"] == 2]
    assert all(ti["state"] == "success" and ti["try_number"] in (1, 2) for ti in renders), renders
    assert retried, f"render_reports was not retried after the kill: {renders}"
    writes = stack.manifest_writes() - before
    this_run = {sid for (sid, rid) in writes if rid == run_id}
    assert this_run, "the run published nothing"
    assert set(published) <= this_run
    # published before the kill: written once (the retry found them current); a session
    # being written at the kill (one per retried batch) may have been written again
    twice = {sid: n for (sid, rid), n in writes.items() if rid == run_id and n > 1}
    assert not (set(twice) & set(published)), f"published before the kill, again after: {twice}"
    assert len(twice) <= len(retried), f"more than the in-flight reports written twice: {twice}"
    assert all(reports[sid]["run_id"] == run_id for sid in this_run)
    print(f"[killed {stack.timeline(DAILY, run_id)}]")
    print(
        f"[{KILLED_DAY}: worker killed after {len(published)} of {len(this_run)} reports; "
        f"the run completed {time.monotonic() - killed_at:.0f} s later]"
    )
