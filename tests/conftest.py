"""Shared fixtures: one embedded Postgres per test session, a throw-away database
per test, a throw-away WEBSTAT_HOME / Airflow home, and an S3 API (moto).

Airflow reads its configuration when first imported, so the environment is set
here, at import time of this conftest, before any test module imports Airflow.
"""

from __future__ import annotations

import os
import socket
import tempfile
import uuid
from pathlib import Path

import pytest

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="webstat-tests-"))
os.environ["WEBSTAT_HOME"] = str(_SESSION_DIR / "home")
os.environ["AIRFLOW_HOME"] = str(_SESSION_DIR / "home" / "airflow")
os.environ["WEBSTAT_ENV_FILE"] = str(_SESSION_DIR / "no.env")  # never read a developer's .env
os.environ.pop("WEBSTAT_WAREHOUSE_URL", None)
os.environ.setdefault("DO_NOT_TRACK", "1")

from webstat.airflow_env import configure  # noqa: E402
from webstat.settings import load_settings  # noqa: E402

configure(load_settings())


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """The URI of an embedded Postgres started for this test session."""
    from webstat.warehouse import embedded

    pgdata = _SESSION_DIR / "pgdata"
    url = embedded.start(pgdata)
    yield url
    embedded.stop(pgdata)


def pytest_sessionfinish(session, exitstatus):
    """Remove the session's home and data dir (the server is stopped by then)."""
    import shutil

    shutil.rmtree(_SESSION_DIR, ignore_errors=True)


@pytest.fixture
def warehouse_url(pg_server_url: str) -> str:
    """A fresh, migrated database on the session's server; dropped after the test."""
    import psycopg

    from webstat.warehouse import connect
    from webstat.warehouse.migrate import migrate

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server_url, autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    url = pg_server_url.replace("/postgres?", f"/{name}?")
    with connect(url=url) as conn:
        migrate(conn)
    yield url
    with psycopg.connect(pg_server_url, autocommit=True) as admin:
        admin.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def conn(warehouse_url: str):
    from webstat.warehouse import connect

    with connect(url=warehouse_url) as c:
        yield c


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """A real S3 API over HTTP (moto's server), with the webstat_s3 Airflow connection."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ["AIRFLOW_CONN_WEBSTAT_S3"] = (
        '{"conn_type": "aws", "login": "testing", "password": "testing", '
        f'"extra": {{"region_name": "us-east-1", "endpoint_url": "{endpoint}"}}}}'
    )
    yield endpoint
    server.stop()


@pytest.fixture
def s3_client(s3_endpoint):
    """A boto3 S3 client of the moto server."""
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )


@pytest.fixture
def s3_bucket(s3_client):
    """A new, empty bucket on the moto server; yields its name."""
    name = f"b-{uuid.uuid4().hex[:10]}"
    s3_client.create_bucket(Bucket=name)
    yield name


def _in_runs(needle: str, hay: str, most: int = 4) -> bool:
    """``needle`` is in ``hay`` as at most ``most`` runs, in order, each the longest that
    matches: a PDF table cell wrapped over lines comes in the text layer line by line,
    between the row's other cells."""
    at = 0
    for _ in range(most):
        n = len(needle)
        while n and hay.find(needle[:n], at) < 0:
            n -= 1
        if n < min(3, len(needle)):
            return False
        at = hay.find(needle[:n], at) + n
        needle = needle[n:]
        if not needle:
            return True
    return False


@pytest.fixture
def in_runs():
    """``in_runs(needle, hay, most=4)``: see :func:`_in_runs`."""
    return _in_runs
