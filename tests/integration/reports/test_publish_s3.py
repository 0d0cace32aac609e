"""Publishing through the S3 API (moto's server): keys, manifest, checksums, a failed upload."""

from __future__ import annotations

import hashlib
import json
import socket

import pytest

from webstat.errors import WebstatError
from webstat.reports import publishing, render_event_session_report
from webstat.reports.publishing import publish

pytestmark = pytest.mark.integration


def s3_client(endpoint: str):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def keys(client, bucket: str, prefix: str) -> list[str]:
    listing = client.list_objects_v2(Bucket=bucket, Prefix=prefix)
    return sorted(o["Key"] for o in listing.get("Contents", []))


def body(client, bucket: str, key: str) -> bytes:
    return client.get_object(Bucket=bucket, Key=key)["Body"].read()


def test_report_published_to_s3(s3_endpoint, s3_bucket, marts, worked_example):
    from webstat.settings import load_settings

    settings = load_settings({"WEBSTAT_ARTIFACTS_URI": f"s3://{s3_bucket}/reports/"})
    with marts.connect() as conn:
        result = render_event_session_report(conn, worked_example, settings, run_id="s3-run")
    client = s3_client(s3_endpoint)
    prefix = "reports/events/2026-11-02/es-worked/"
    assert result.uri == f"s3://{s3_bucket}/{prefix.rstrip('/')}"
    assert result.files["manifest.json"] == f"s3://{s3_bucket}/{prefix}manifest.json"
    assert keys(client, s3_bucket, "reports/") == [
        prefix + "manifest.json",
        prefix + "report.pdf",
        prefix + "report.xlsx",
    ]
    manifest = json.loads(body(client, s3_bucket, prefix + "manifest.json"))
    assert manifest["run_id"] == "s3-run"
    assert manifest["row_counts"]["participants"] == 4  # and one no-show on its own sheet
    assert manifest["row_counts"]["no_shows"] == 1
    for name in ("report.xlsx", "report.pdf"):
        data = body(client, s3_bucket, prefix + name)
        assert manifest["files"][name] == {
            "sha256": hashlib.sha256(data).hexdigest(),
            "size_bytes": len(data),
        }
    assert data.startswith(b"%PDF")


@pytest.fixture()
def stoppable_s3(monkeypatch, s3_endpoint):
    """A second moto server this test may stop and restart, under its own Airflow connection.

    (moto keeps its buckets in the process, so they outlive a restart; the shared
    server of the session is left alone.)
    """
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    endpoint = f"http://127.0.0.1:{port}"
    servers = [ThreadedMotoServer(ip_address="127.0.0.1", port=port)]
    servers[0].start()
    monkeypatch.setenv(
        "AIRFLOW_CONN_WEBSTAT_S3_FAULTY",
        json.dumps(
            {
                "conn_type": "aws",
                "login": "testing",
                "password": "testing",
                "extra": {
                    "region_name": "us-east-1",
                    "endpoint_url": endpoint,
                    # fail fast once the server is gone: webstat does the retrying
                    "config_kwargs": {
                        "retries": {"max_attempts": 1, "mode": "standard"},
                        "connect_timeout": 2,
                        "read_timeout": 5,
                    },
                },
            }
        ),
    )
    client = s3_client(endpoint)
    client.create_bucket(Bucket="faulty")

    class Handle:
        conn_id = "webstat_s3_faulty"

        @staticmethod
        def stop() -> None:
            servers[-1].stop()

        @staticmethod
        def restart() -> None:
            servers.append(ThreadedMotoServer(ip_address="127.0.0.1", port=port))
            servers[-1].start()

    Handle.client = client
    yield Handle
    servers[-1].stop()


def test_endpoint_gone_mid_publish_leaves_no_manifest(stoppable_s3, tmp_path, monkeypatch):
    s3, dest = stoppable_s3, "s3://faulty/fault"
    first, second = tmp_path / "report.xlsx", tmp_path / "report.pdf"
    first.write_bytes(b"v1 workbook")
    second.write_bytes(b"v1 pdf")
    files = {"report.xlsx": first, "report.pdf": second}
    publish(files, dest, {"run_id": "v1"}, s3.conn_id)
    assert json.loads(body(s3.client, "faulty", "fault/manifest.json"))["run_id"] == "v1"

    first.write_bytes(b"v2 workbook")
    second.write_bytes(b"v2 pdf")
    copy = publishing._copy
    copied: list[str] = []

    def copy_then_stop(local, target):
        copy(local, target)
        copied.append(str(local))
        if len(copied) == 1:
            s3.stop()  # the endpoint goes away after the first file

    monkeypatch.setattr(publishing, "_copy", copy_then_stop)
    with pytest.raises(WebstatError, match="could not publish the report to s3://faulty/fault"):
        publish(files, dest, {"run_id": "v2"}, s3.conn_id, attempts=2, backoff=0.1)
    s3.restart()
    monkeypatch.setattr(publishing, "_copy", copy)

    # the old manifest went first and the new one never came: no reader trusts these files
    assert keys(s3.client, "faulty", "fault/") == ["fault/report.pdf", "fault/report.xlsx"]
    assert body(s3.client, "faulty", "fault/report.xlsx") == b"v2 workbook"

    # the endpoint is back: publishing again completes
    manifest = publish(files, dest, {"run_id": "v2"}, s3.conn_id)
    assert json.loads(body(s3.client, "faulty", "fault/manifest.json")) == manifest
    assert manifest["files"]["report.pdf"]["sha256"] == hashlib.sha256(b"v2 pdf").hexdigest()
