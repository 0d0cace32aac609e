"""docker-compose.yml's services started as local processes, with the compose file's settings.

There is no Docker engine here, so each service of ``docker-compose.yml`` runs as a
process group on 127.0.0.1:

* ``postgres`` — the ``pgserver`` wheel's own PostgreSQL 16 binaries (initdb, postgres,
  psql, pg_isready), initialised the way the ``postgres:16`` image's entrypoint does it
  (``POSTGRES_USER`` with ``POSTGRES_PASSWORD``, password auth over TCP, the database
  ``POSTGRES_DB``, then the ``docker-entrypoint-initdb.d`` scripts the compose file mounts);
* ``redis`` — Debian's ``redis-server``;
* ``minio`` — moto's S3 server (``moto_server``), the bucket made as ``minio-init`` makes it;
* the Airflow services — the venv's ``airflow`` with the service's ``command`` (the
  ``apache/airflow`` image's entrypoint prefixes ``airflow``); ``airflow-init`` runs its own
  ``entrypoint`` + ``command``.

Every environment variable of a service comes from the compose file (``${VAR:-default}``
resolved with the defaults: no shell variable or ``.env`` of whoever runs the test leaks in)
and from the ``Dockerfile``'s ``ENV`` lines; it is then rewritten for one host only:

* ``<service>:<port>`` in a value becomes ``127.0.0.1:<a free port>`` of that service;
* ``/opt/airflow`` (the image's ``AIRFLOW_HOME``) becomes a directory of the service's own
  (as each container has its own file system), ``/opt/webstat`` the repository.

Two small sets of Airflow settings are added, and neither may appear in the compose file
(:meth:`Topology.airflow_env` checks it): :data:`LOCAL_ADDRESSES` (ports a container has
to itself, here made free ports) and :data:`TEST_SPEED` (timings that make a test of
minutes out of a deployment of days; the compose file leaves them at Airflow's defaults).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[3]
VENV_BIN = Path(sys.executable).parent
AIRFLOW_SERVICES = (
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
)
IMAGE_AIRFLOW_HOME = "/opt/airflow"  # apache/airflow's AIRFLOW_HOME and WORKDIR
IMAGE_REPO_DIR = "/opt/webstat"  # where the Dockerfile copies the repository

# Ports a container has to itself: Airflow setting -> (the service whose port it is, the
# port in the container), or a fixed value. On one host each becomes a free port, the same
# in every Airflow service (as the default is the same in every container). Not settings of
# the compose file.
LOCAL_ADDRESSES: dict[str, tuple[str, int] | str] = {
    "AIRFLOW__API__HOST": "127.0.0.1",
    "AIRFLOW__API__PORT": ("airflow-apiserver", 8080),
    "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": ("airflow-scheduler", 8974),
    "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": ("airflow-worker", 8793),
    "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": ("airflow-triggerer", 8794),
}

TEST_SPEED = {
    # one api-server worker process instead of Airflow's default 4 on a 2-core machine
    "AIRFLOW__API__WORKERS": "1",
    # the DAG files are parsed once at start; re-parsing every 30 s only costs CPU here
    "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "600",
    # no scheduled run of yesterday when the DAG is unpaused: the test drives every run
    # (manual, backfill) itself, and a run for the real yesterday would move the
    # warehouse's run clock past the generated days
    "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
    # a killed worker's task is noticed after 20 s instead of 5 min (a live task heartbeats
    # every 5 s), and retried after at most 5 s instead of the DAG's 1-2 min
    # (core.max_task_retry_delay caps the backoff)
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "20",
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
    "AIRFLOW__CORE__MAX_TASK_RETRY_DELAY": "5",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path: Path, lines: int = 25, *, skip: tuple[str, ...] = ("[http.access]",)) -> str:
    """The last ``lines`` lines of a log (without lines containing any of ``skip``)."""
    if not path.exists():
        return f"--- {path.name}: no log"
    text = [
        line
        for line in path.read_text(errors="replace").splitlines()
        if not any(s in line for s in skip)
    ]
    return f"--- {path.name} (last {min(lines, len(text))} lines)\n" + "\n".join(text[-lines:])


# --- the compose file ---------------------------------------------------------------------

_VAR = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)


def interpolate(value: str) -> str:
    """``value`` as docker compose sees it with no variable set: ``${VAR:-default}`` is
    the default, ``$$`` a literal ``$``. A variable without a default is an error here
    (compose would make it an empty string, silently)."""

    def sub(m: re.Match) -> str:
        if m[0] == "$$":
            return "$"
        name = m["name"] or m["bare"]
        if m["op"] in (":-", "-"):
            return m["arg"]
        raise AssertionError(f"docker-compose.yml uses ${{{name}}} with no default: {value!r}")

    return _VAR.sub(sub, value)


@dataclass
class Compose:
    """``docker-compose.yml`` and the ``Dockerfile``'s ``ENV``, parsed."""

    path: Path = REPO / "docker-compose.yml"
    doc: dict = field(init=False)

    def __post_init__(self) -> None:
        self.doc = yaml.safe_load(self.path.read_text())  # merge keys (<<) resolved

    @property
    def services(self) -> dict:
        return self.doc["services"]

    def environment(self, service: str) -> dict[str, str]:
        env = self.services[service].get("environment") or {}
        if isinstance(env, list):  # KEY=VALUE items
            env = dict(item.split("=", 1) for item in env)
        return {k: interpolate(str(v)) for k, v in env.items()}

    def command(self, service: str) -> list[str]:
        """``entrypoint`` + ``command`` as argv (strings are split like compose splits them)."""
        spec = self.services[service]
        argv: list[str] = []
        for key in ("entrypoint", "command"):
            part = spec.get(key)
            if part is None:
                continue
            argv += (
                [interpolate(p) for p in part]
                if isinstance(part, list)
                else shlex.split(interpolate(part))
            )
        return argv

    def healthcheck(self, service: str) -> list[str]:
        test = self.services[service]["healthcheck"]["test"]
        if isinstance(test, str):
            return ["/bin/sh", "-c", interpolate(test)]
        kind, *rest = test
        if kind == "CMD-SHELL":
            return ["/bin/sh", "-c", interpolate(" ".join(rest))]
        assert kind == "CMD", f"{service}: healthcheck test {test!r}"
        return [interpolate(a) for a in rest]

    def volume_sources(self, service: str, target_prefix: str) -> list[Path]:
        """Host files the service mounts under ``target_prefix`` (bind mounts ``./x:/y``)."""
        out = []
        for volume in self.services[service].get("volumes") or []:
            source, target, *_ = str(volume).split(":")
            if source.startswith(".") and target.startswith(target_prefix):
                out.append((self.path.parent / source).resolve())
        return out

    def bucket(self) -> str:
        """The bucket ``minio-init`` creates (``mc mb … local/<bucket>``)."""
        script = " ".join(self.command("minio-init"))
        found = re.search(r"\bmc mb\b[^&;]*?\blocal/([a-z0-9.-]+)", script)
        assert found, f"minio-init creates no bucket: {script!r}"
        return found[1]


def dockerfile_env(path: Path = REPO / "Dockerfile") -> dict[str, str]:
    """The ``ENV`` lines of the Dockerfile (``KEY=VALUE`` pairs, continuation lines joined)."""
    text = re.sub(r"\\\n", " ", path.read_text())
    env: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip().upper().startswith("ENV "):
            for pair in shlex.split(line.strip()[4:]):
                key, _, value = pair.partition("=")
                env[key] = value
    return env


# --- processes -------------------------------------------------------------------------


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path


def kill_tree(pid: int, sig: int = signal.SIGKILL) -> None:
    """Signal ``pid``'s process group and every descendant (a task supervisor may have
    made its own group): what ``docker kill`` does to a container."""
    import psutil

    try:
        procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        procs = []
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
    for proc in procs:
        try:
            proc.send_signal(sig)
        except psutil.NoSuchProcess:
            pass


class Topology:
    """The compose services as local processes, in a throw-away directory."""

    def __init__(self, tmp: Path, compose: Compose | None = None):
        self.tmp = tmp
        self.compose = compose or Compose()
        self.logs = tmp / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.procs: dict[str, Proc] = {}
        # (service, the container's port) -> the local port
        self.ports: dict[tuple[str, int], int] = {
            ("postgres", 5432): free_port(),
            ("redis", 6379): free_port(),
            ("minio", 9000): free_port(),
        }
        self.local: dict[str, str] = {}
        for key, where in LOCAL_ADDRESSES.items():
            if isinstance(where, str):
                self.local[key] = where
            else:
                self.ports[where] = free_port()
                self.local[key] = str(self.ports[where])
        self.pg_user: str | None = None  # the system user postgres runs as (root: pgserver)

    # --- addresses ---------------------------------------------------------------------

    def rewrite(self, value: str, service: str | None = None) -> str:
        """``value`` with compose service addresses and image paths made local."""

        def sub(m: re.Match) -> str:
            host, port = m["host"], int(m["port"])
            if host == "localhost" and service is not None:
                host = service
            key = (host, port)
            if key in self.ports:
                return f"127.0.0.1:{self.ports[key]}"
            if host in self.compose.services or host == "localhost":
                raise AssertionError(f"{value!r}: the test starts nothing at {m[0]}")
            return m[0]

        value = re.sub(r"(?<=[/@])(?P<host>[a-z][a-z0-9-]*):(?P<port>\d+)", sub, value)
        if service is not None:
            value = value.replace(IMAGE_AIRFLOW_HOME, str(self.home(service)))
        return value.replace(IMAGE_REPO_DIR, str(REPO))

    def home(self, service: str) -> Path:
        """The service's own /opt/airflow."""
        path = self.tmp / service / "opt-airflow"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def url(self, service: str, port: int, path: str = "") -> str:
        return f"http://127.0.0.1:{self.ports[(service, port)]}{path}"

    # --- environments ----------------------------------------------------------------------

    def base_env(self, home: Path) -> dict[str, str]:
        """What a container has before the compose file's variables: a PATH (the venv's
        binaries play the image's), a home, a UTF-8 locale. Nothing of this process's
        environment (AIRFLOW_*, WEBSTAT_*, AWS_*, a developer's settings) goes in."""
        return {
            "PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TMPDIR": str(self.tmp / "tmp"),
            "PYTHONUNBUFFERED": "1",
            "HOSTNAME": socket.gethostname(),  # as Docker sets it in every container
        }

    def airflow_env(self, service: str) -> dict[str, str]:
        """The environment of an Airflow container of ``service``, made local."""
        compose_env = self.compose.environment(service)
        overlap = (set(TEST_SPEED) | set(self.local)) & set(compose_env)
        assert not overlap, f"{service}: compose now sets {overlap}; drop them from the test"
        (self.tmp / "tmp").mkdir(exist_ok=True)
        home = self.home(service)
        env = self.base_env(home)
        env["AIRFLOW_HOME"] = IMAGE_AIRFLOW_HOME
        env.update(dockerfile_env())
        env.update(compose_env)
        env = {k: self.rewrite(v, service) for k, v in env.items()}
        env.update(self.local)
        env.update(TEST_SPEED)
        return env

    # --- starting and stopping ---------------------------------------------------------------

    def start(
        self, name: str, argv: list[str], env: dict[str, str], cwd: Path, user: str | None = None
    ) -> Proc:
        log = self.logs / f"{name}.log"
        with log.open("ab") as out:
            popen = subprocess.Popen(
                argv,
                env=env,
                cwd=cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                user=user,
            )
        proc = Proc(name, popen, log)
        self.procs[name] = proc
        return proc

    def run(
        self,
        name: str,
        argv: list[str],
        env: dict[str, str],
        cwd: Path,
        timeout: float = 300,
        user: str | None = None,
    ) -> str:
        """Run to completion; fail with the output's tail when it exits non-zero."""
        proc = self.start(name, argv, env, cwd, user)
        try:
            code = proc.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_tree(proc.popen.pid)
            proc.popen.wait()
            raise AssertionError(
                f"{name} did not finish in {timeout:.0f} s\n{tail(proc.log, 40)}"
            ) from None
        finally:
            self.procs.pop(name, None)
        output = proc.log.read_text(errors="replace")
        if code != 0:
            raise AssertionError(f"{name} exited {code}\n{tail(proc.log, 40)}")
        return output

    def check_alive(self, names: Iterable[str] | None = None) -> None:
        for name in names or list(self.procs):
            proc = self.procs[name]
            if proc.popen.poll() is not None:
                raise AssertionError(
                    f"{name} exited with {proc.popen.returncode}\n{tail(proc.log, 40)}"
                )

    def kill(self, name: str) -> None:
        """SIGKILL ``name`` and everything it started (``docker kill``)."""
        proc = self.procs.pop(name)
        kill_tree(proc.popen.pid)
        proc.popen.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM the Airflow services' process groups, then (once they are gone) the
        servers'; SIGKILL what is left after 15 s."""
        servers = ("postgres", "redis", "minio")
        rest = [p for n, p in self.procs.items() if n not in servers]
        self._stop(rest)
        self._stop([p for n, p in self.procs.items() if n in servers])
        self.procs.clear()

    def _stop(self, procs: list[Proc]) -> None:
        for proc in procs:
            if proc.popen.poll() is None:
                kill_tree(proc.popen.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in procs:
            try:
                proc.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for proc in procs:
            kill_tree(proc.popen.pid)  # the group may outlive its leader
            try:
                proc.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass

    def diagnostics(self, names: Iterable[str] | None = None, lines: int = 25) -> str:
        logs = (
            sorted(self.logs.glob("*.log"))
            if names is None
            else [self.logs / f"{n}.log" for n in names]
        )
        return "\n".join(tail(p, lines) for p in logs)

    # --- postgres (the postgres:16 image's entrypoint, by hand) --------------------------------

    def start_postgres(self) -> None:
        from pgserver._commands import POSTGRES_BIN_PATH

        env = self.compose.environment("postgres")
        user, password, db = env["POSTGRES_USER"], env["POSTGRES_PASSWORD"], env["POSTGRES_DB"]
        pgdata = self.tmp / "postgres" / "data"
        sockets = self.tmp / "postgres" / "run"
        sockets.mkdir(parents=True)
        pwfile = self.tmp / "postgres" / "pwfile"
        pwfile.write_text(password + "\n")
        if os.geteuid() == 0:  # initdb refuses root: run as pgserver's own system user
            import pwd

            from pgserver.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

            self.pg_user = "pgserver"
            ensure_user_exists(self.pg_user)
            ensure_prefix_permissions(pgdata.parent)
            ensure_folder_permissions(POSTGRES_BIN_PATH, 0o555)
            ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", 0o444)
            entry = pwd.getpwnam(self.pg_user)
            for path in (pgdata.parent, sockets, pwfile):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        bins = POSTGRES_BIN_PATH
        penv = {"PATH": f"{bins}:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        # the image: initdb --username=$POSTGRES_USER --pwfile=…; host connections need the
        # password (scram-sha-256), local socket connections are trusted
        self.run(
            "postgres-initdb",
            [
                str(bins / "initdb"),
                "-D",
                str(pgdata),
                "--username",
                user,
                "--pwfile",
                str(pwfile),
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
            ],
            penv,
            self.tmp,
            timeout=120,
            user=self.pg_user,
        )
        port = self.ports[("postgres", 5432)]
        self.start(
            "postgres",
            [
                str(bins / "postgres"),
                "-D",
                str(pgdata),
                "-p",
                str(port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"unix_socket_directories={sockets}",
                "-c",
                "max_connections=200",
                "-c",
                "fsync=off",
            ],
            penv,
            self.tmp,
            user=self.pg_user,
        )
        self.wait("postgres", lambda: self.healthcheck("postgres") == 0, 60)
        psql = [
            str(bins / "psql"),
            "-v",
            "ON_ERROR_STOP=1",
            "--no-psqlrc",
            "-h",
            str(sockets),
            "-p",
            str(port),
            "-U",
            user,
        ]
        if db != "postgres":  # the image: CREATE DATABASE $POSTGRES_DB
            create = [*psql, "-d", "postgres", "-c", f'create database "{db}"']
            self.run("postgres-createdb", create, penv, self.tmp, user=self.pg_user)
        for script in self.compose.volume_sources("postgres", "/docker-entrypoint-initdb.d/"):
            copy = self.tmp / "postgres" / script.name
            shutil.copy(script, copy)
            os.chmod(copy, 0o644)
            self.run(
                f"postgres-init-{script.stem}",
                [*psql, "-d", db, "-f", str(copy)],
                penv,
                self.tmp,
                user=self.pg_user,
            )

    def pg_url(self, db: str, user: str | None = None, password: str | None = None) -> str:
        env = self.compose.environment("postgres")
        user = user or env["POSTGRES_USER"]
        password = env["POSTGRES_PASSWORD"] if password is None else password
        return f"postgresql://{user}:{password}@127.0.0.1:{self.ports[('postgres', 5432)]}/{db}"

    # --- redis and the S3 API ---------------------------------------------------------------------

    def start_redis(self) -> None:
        port = self.ports[("redis", 6379)]
        data = self.tmp / "redis"
        data.mkdir()
        self.start(
            "redis",
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(data),
            ],
            self.base_env(data),
            data,
        )
        self.wait("redis", lambda: self.healthcheck("redis") == 0, 30)

    def start_s3(self) -> None:
        """moto's S3 server where the compose file has MinIO; then ``minio-init``'s bucket."""
        import boto3

        port = self.ports[("minio", 9000)]
        data = self.tmp / "minio"
        data.mkdir()
        self.start(
            "minio",
            [str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
            self.base_env(data),
            data,
        )

        def up() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                    return True
            except OSError:
                return False

        self.wait("minio", up, 60)
        env = self.compose.environment("minio-init")
        self.s3 = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            aws_access_key_id=env["MINIO_ROOT_USER"],
            aws_secret_access_key=env["MINIO_ROOT_PASSWORD"],
        )
        self.bucket = self.compose.bucket()
        self.s3.create_bucket(Bucket=self.bucket)

    # --- health checks ------------------------------------------------------------------------

    def healthcheck(self, service: str) -> int:
        """Run the service's compose healthcheck here; its exit status.

        The command is the compose file's, with the container's own addresses made local
        (``localhost:<port>``; pg_isready/redis-cli get the local port)."""
        from pgserver._commands import POSTGRES_BIN_PATH

        argv = [self.rewrite(a, service) for a in self.compose.healthcheck(service)]
        env = self.airflow_env(service) if service in AIRFLOW_SERVICES else self.base_env(self.tmp)
        if service == "postgres":
            env["PATH"] = f"{POSTGRES_BIN_PATH}:{env['PATH']}"
            env.update(PGHOST="127.0.0.1", PGPORT=str(self.ports[("postgres", 5432)]))
        if service == "redis" and argv[:1] == ["redis-cli"]:
            argv[1:1] = ["-p", str(self.ports[("redis", 6379)])]
        if argv[0] == "curl" and shutil.which("curl") is None:  # the same request, in Python
            url = next(a for a in argv if a.startswith("http"))
            try:
                with urllib.request.urlopen(url, timeout=10):
                    return 0
            except (urllib.error.HTTPError, OSError):
                return 22
        exe = shutil.which(argv[0], path=env["PATH"])
        assert exe, f"{service}: the healthcheck's {argv[0]!r} is not installed here"
        done = subprocess.run(
            [exe, *argv[1:]], env=env, cwd=self.tmp, capture_output=True, text=True, timeout=120
        )
        self.last_healthcheck_output = (done.stdout + done.stderr)[-2000:]
        return done.returncode

    def wait(self, name: str, ready, timeout: float, interval: float = 0.5) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if name in self.procs:
                self.check_alive([name])
            if ready():
                return
            time.sleep(interval)
        raise AssertionError(f"{name} not ready after {timeout:.0f} s\n{self.diagnostics([name])}")

    # --- Airflow ----------------------------------------------------------------------------------

    def airflow_argv(self, service: str) -> list[str]:
        argv = self.compose.command(service)
        if "entrypoint" in self.compose.services[service]:
            return argv
        return [str(VENV_BIN / "airflow"), *argv]  # the image's entrypoint: airflow <command>

    def run_airflow_init(self, timeout: float = 300) -> str:
        argv = self.airflow_argv("airflow-init")
        return self.run(
            "airflow-init",
            argv,
            self.airflow_env("airflow-init"),
            self.home("airflow-init"),
            timeout=timeout,
        )

    def start_airflow(self, service: str, name: str | None = None) -> Proc:
        return self.start(
            name or service,
            self.airflow_argv(service),
            self.airflow_env(service),
            self.home(service),
        )


def admin_token(topology: Topology, api: str) -> str:
    """A JWT from the auth manager: ``POST /auth/token`` with the admin's password, which
    SimpleAuthManager generated into the api-server's AIRFLOW_HOME (what ``docker compose
    exec airflow-apiserver cat …`` shows)."""
    env = topology.compose.environment("airflow-apiserver")
    users = env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"]
    username = users.split(",")[0].split(":")[0]
    path = topology.home("airflow-apiserver") / "simple_auth_manager_passwords.json.generated"
    password = json.loads(path.read_text())[username]
    body = json.dumps({"username": username, "password": password}).encode()
    req = urllib.request.Request(
        f"{api}/auth/token", data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())["access_token"]


class Api:
    """Airflow's REST API (``/api/v2``) with a bearer token."""

    def __init__(self, base: str, token: str):
        self.base, self.token = base, token

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.base}/api/v2{path}",
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as exc:
            answer = exc.read()[:2000].decode(errors="replace")
            raise AssertionError(f"{method} /api/v2{path} -> {exc.code}: {answer}") from None

    def get(self, path: str) -> dict:
        return self.call("GET", path)

    def post(self, path: str, body: dict) -> dict:
        return self.call("POST", path, body)

    def patch(self, path: str, body: dict) -> dict:
        return self.call("PATCH", path, body)
