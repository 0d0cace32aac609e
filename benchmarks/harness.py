"""What every benchmark shares: a throw-away warehouse, timing statistics, workers.

Each benchmark runs against an embedded Postgres (pgserver) under a temporary
folder, with its own ``WEBSTAT_HOME``; databases on that server are created per
benchmark (and copied from templates to repeat a run from the same state).
Memory is measured in a subprocess (``benchmarks/worker.py``) as its RSS
high-water mark (``VmHWM``), so one measurement does not inherit another's peak.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


@dataclass
class Sample:
    """Repeated measurements of one quantity."""

    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.values.append(float(value))

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    def as_dict(self) -> dict[str, Any]:
        return {
            "median": self.median,
            "min": self.low,
            "max": self.high,
            "n": len(self.values),
            "values": self.values,
        }


def ratio_sample(num: Sample, den: Sample) -> Sample:
    """Pairwise ratios of two interleaved series (run i of each), for a min-max of the ratio."""
    return Sample([a / b for a, b in zip(num.values, den.values, strict=False) if b])


@contextmanager
def timer() -> Iterator[Callable[[], float]]:
    started = time.perf_counter()
    elapsed: list[float] = []
    yield lambda: elapsed[0] if elapsed else time.perf_counter() - started
    elapsed.append(time.perf_counter() - started)


class Warehouse:
    """A throw-away embedded Postgres and webstat home under one temporary folder."""

    def __init__(self, keep: bool = False, root: Path | None = None) -> None:
        self.root = Path(root or tempfile.mkdtemp(prefix="webstat-bench-"))
        self.root.mkdir(parents=True, exist_ok=True)
        self.keep = keep
        self.home = self.root / "home"
        self.pgdata = self.home / "pgdata"
        self.uri = ""

    def start(self) -> Warehouse:
        from webstat.warehouse import embedded

        self.uri = embedded.start(self.pgdata)
        log(f"embedded Postgres at {self.pgdata}")
        return self

    def stop(self) -> None:
        from webstat.warehouse import embedded

        try:
            embedded.stop(self.pgdata)
        finally:
            if not self.keep:
                shutil.rmtree(self.root, ignore_errors=True)

    def db_uri(self, name: str) -> str:
        return self.uri.replace("/postgres?", f"/{name}?")

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.uri, autocommit=True) as conn:
            conn.execute(sql)

    def create_db(self, name: str, template: str | None = None) -> str:
        self.admin(f'drop database if exists "{name}" with (force)')
        if template:
            self.admin(f'create database "{name}" template "{template}" strategy file_copy')
        else:
            self.admin(f'create database "{name}"')
        return self.db_uri(name)

    def settings(self, db: str, landing: Path, **extra: str):
        from webstat.settings import load_settings

        env = {
            "WEBSTAT_HOME": str(self.home),
            "WEBSTAT_WAREHOUSE_URL": self.db_uri(db),
            "WEBSTAT_LANDING_URI": str(landing),
            "WEBSTAT_ARTIFACTS_URI": str(self.root / "artifacts"),
            "WEBSTAT_TIMEZONE": "Europe/Moscow",
            "WEBSTAT_LOCALE": "ru",
            **extra,
        }
        return load_settings(env)

    def query(self, db: str, sql: str, params: Any = None) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.db_uri(db), autocommit=True) as conn:
            cur = conn.execute(sql, params)
            return cur.fetchall() if cur.description else []

    def execute(self, db: str, sql: str, params: Any = None) -> None:
        import psycopg

        with psycopg.connect(self.db_uri(db), autocommit=True) as conn:
            conn.execute(sql, params)


def worker(task: str, timeout: float = 3600, **args: Any) -> dict[str, Any]:
    """Run ``benchmarks/worker.py TASK`` in a fresh interpreter; return its JSON result."""
    env = dict(os.environ, PYTHONPATH=str(REPO), DO_NOT_TRACK="1")
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.worker", task, json.dumps(args)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"worker {task} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def generate_day(out: Path, day, events: int, days: int = 1, seed: int = 42) -> dict[str, Any]:
    """``webstat generate`` (the library call) for ``days`` delivery days from ``day``."""
    from datetime import timedelta

    from webstat.generate import generate

    if (out / ".done").exists():
        return json.loads((out / ".done").read_text())
    with timer() as elapsed:
        summary = generate(day, day + timedelta(days=days - 1), out, seed=seed, scale=events)
    info = {
        "events": summary.events,
        "sessions": summary.sessions,
        "files": summary.files,
        "duplicate_lines": summary.duplicate_lines,
        "malformed_lines": summary.malformed_lines,
        "seconds": elapsed(),
    }
    (out / ".done").write_text(json.dumps(info))
    log(f"generated {summary} in {elapsed():.1f} s")
    return info


def machine() -> dict[str, Any]:
    """CPU, RAM, load and the versions of the stack."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    from webstat.reports import pdf

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    versions = {"python": platform.python_version()}
    for dist in (
        "dbt-core",
        "dbt-postgres",
        "apache-airflow",
        "psycopg",
        "openpyxl",
        "weasyprint",
        "pgserver",
    ):
        try:
            versions[dist] = version(dist)
        except PackageNotFoundError:
            versions[dist] = "not installed"
    return {
        "cpu": cpu,
        "nproc": os.cpu_count(),
        "font_subsetter": pdf.font_subsetter(),  # HarfBuzz or fontTools
        "ram_gb": ram_gb,
        "os": platform.platform(),
        "versions": versions,
    }


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"
