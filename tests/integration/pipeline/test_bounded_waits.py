"""A warehouse or S3 endpoint that accepts a TCP connection and never answers: the
command fails within its bounds with one line, it does not hang.

The peer is a real socket server on loopback (it accepts and then says nothing). The
commands run as child processes with a deadline, so a regression fails the test in
seconds instead of hanging the suite."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration]

WEBSTAT = str(Path(sys.executable).with_name("webstat"))
DEADLINE = 60  # s: far above the bounds below, far below "forever"


@pytest.fixture
def silent_peer():
    """``(port, accepted)``: a loopback server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            accepted.append(conn)  # held open, never read from or written to

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def _webstat(args: list[str], tmp_path: Path, **env: str) -> tuple[int, str, float]:
    child = {k: v for k, v in os.environ.items() if not k.startswith("WEBSTAT_")}
    child.update(
        WEBSTAT_ENV_FILE=str(tmp_path / "no.env"),
        WEBSTAT_HOME=str(tmp_path / "home"),
        AIRFLOW_HOME=str(tmp_path / "home" / "airflow"),
        **env,
    )
    started = time.monotonic()
    proc = subprocess.run(
        [WEBSTAT, *args], env=child, capture_output=True, text=True, timeout=DEADLINE
    )
    return proc.returncode, proc.stderr, time.monotonic() - started


def test_a_warehouse_that_never_answers_fails_within_the_connect_timeout(silent_peer, tmp_path):
    """WEBSTAT_CONNECT_TIMEOUT=2: psycopg gives up on the handshake after 2 s (libpq's
    minimum); without a timeout it waits 130 s (psycopg's default), then forever on a
    read. The bound checked: 2 s + the child's start (~5 s on a busy box) < 20 s."""
    port, accepted = silent_peer
    status, err, seconds = _webstat(
        ["warehouse", "status"],
        tmp_path,
        WEBSTAT_WAREHOUSE_URL=f"postgresql://bob:hunter22@127.0.0.1:{port}/wh",
        WEBSTAT_CONNECT_TIMEOUT="2",
    )
    assert status == 1, err
    assert err == "webstat: cannot connect to the warehouse: connection timeout expired\n"
    assert len(accepted) >= 1  # it really reached the peer
    assert seconds < 20


def test_an_s3_landing_zone_that_never_answers_fails_within_its_bounds(silent_peer, tmp_path):
    """Read timeout 1 s, 2 tries per call (botocore), s3fs's own loop at one try: the
    landing-zone check fails in a few seconds. With the defaults of botocore and s3fs
    (60 s reads, 5 x 5 tries) it took minutes."""
    port, accepted = silent_peer
    conn = (
        '{"conn_type": "aws", "login": "testing", "password": "testing", "extra": '
        f'{{"region_name": "us-east-1", "endpoint_url": "http://127.0.0.1:{port}"}}}}'
    )
    status, err, seconds = _webstat(
        ["run", "--start", "2026-11-02", "--end", "2026-11-02"],
        tmp_path,
        AIRFLOW_CONN_WEBSTAT_SILENT=conn,
        WEBSTAT_S3_CONN_ID="webstat_silent",
        WEBSTAT_LANDING_URI="s3://landing/raw",
        WEBSTAT_CONNECT_TIMEOUT="1",
        WEBSTAT_S3_READ_TIMEOUT="1",
        WEBSTAT_S3_MAX_ATTEMPTS="2",
    )
    assert status == 1, err
    assert err.startswith(
        "webstat: cannot reach the landing zone s3://landing/raw: Read timeout on endpoint URL"
    ), err
    assert err.count("\n") == 1
    # each try is one connection: 2 per S3 call, and the check makes at most 2 calls
    assert 2 <= len(accepted) <= 4
    assert seconds < 30
