"""Publishing to a folder: files first, manifest last, retries, no manifest after a failure."""

from __future__ import annotations

import hashlib
import json

import pytest

from webstat.errors import WebstatError
from webstat.reports import publishing
from webstat.reports.publishing import is_transient, publish


@pytest.fixture()
def files(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "report.xlsx").write_bytes(b"workbook")
    (src / "report.pdf").write_bytes(b"%PDF-1.7 pdf")
    return {"report.xlsx": src / "report.xlsx", "report.pdf": src / "report.pdf"}


def test_files_then_manifest_with_checksums(tmp_path, files):
    dest = (tmp_path / "out" / "events" / "2026-11-02" / "es-1").as_uri()
    manifest = publish(files, dest, {"run_id": "r1", "row_counts": {"participants": 3}})
    folder = tmp_path / "out" / "events" / "2026-11-02" / "es-1"
    assert sorted(p.name for p in folder.iterdir()) == [
        "manifest.json",
        "report.pdf",
        "report.xlsx",
    ]
    on_disk = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk == manifest
    assert manifest["schema"] == "webstat.report-manifest/1"
    assert manifest["run_id"] == "r1" and manifest["row_counts"] == {"participants": 3}
    assert manifest["files"]["report.xlsx"] == {
        "sha256": hashlib.sha256(b"workbook").hexdigest(),
        "size_bytes": 8,
    }
    assert manifest["rendered_at"].endswith("+00:00") and manifest["webstat_version"]


def test_a_failed_upload_leaves_no_manifest_not_even_the_old_one(tmp_path, files, monkeypatch):
    dest = (tmp_path / "out").as_uri()
    publish(files, dest, {"run_id": "old"})
    assert (tmp_path / "out" / "manifest.json").exists()
    calls = []
    copy = publishing._copy

    def second_fails(local, target):
        calls.append(local)
        if local.name == "report.pdf":  # every attempt at the second file fails
            raise ConnectionResetError("connection reset by peer")
        copy(local, target)

    monkeypatch.setattr(publishing, "_copy", second_fails)
    monkeypatch.setattr(publishing.time, "sleep", lambda s: None)
    with pytest.raises(WebstatError, match="could not publish the report to file://"):
        publish(files, dest, {"run_id": "new"})
    assert len(calls) == 1 + publishing.ATTEMPTS  # the failing file was tried 3 times
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_transient_errors_are_retried_with_backoff(tmp_path, files, monkeypatch):
    sleeps = []
    monkeypatch.setattr(publishing.time, "sleep", sleeps.append)
    copy = publishing._copy
    failures = iter([TimeoutError("slow"), OSError("reset")])

    def flaky(local, target):
        error = next(failures, None)
        if error:
            raise error
        copy(local, target)

    monkeypatch.setattr(publishing, "_copy", flaky)
    manifest = publish(files, (tmp_path / "out").as_uri(), {}, backoff=0.5)
    assert sleeps == [0.5, 1.0]
    assert set(manifest["files"]) == {"report.xlsx", "report.pdf"}


def test_what_counts_as_transient():
    assert is_transient(ConnectionError()) and is_transient(TimeoutError())
    assert is_transient(OSError("network is unreachable"))
    assert not is_transient(PermissionError("denied")) and not is_transient(ValueError())
    from botocore.exceptions import ClientError, EndpointConnectionError

    assert is_transient(EndpointConnectionError(endpoint_url="http://x"))
    slow = ClientError(
        {"Error": {"Code": "SlowDown"}, "ResponseMetadata": {"HTTPStatusCode": 503}}, "PutObject"
    )
    denied = ClientError(
        {"Error": {"Code": "AccessDenied"}, "ResponseMetadata": {"HTTPStatusCode": 403}},
        "PutObject",
    )
    assert is_transient(slow) and not is_transient(denied)


@pytest.mark.parametrize("name", ["manifest.json", "a/b.xlsx", "..", ""])
def test_file_names_are_plain(tmp_path, name):
    src = tmp_path / "f"
    src.write_text("x")
    with pytest.raises(ValueError):
        publish({name: src}, (tmp_path / "out").as_uri(), {})
