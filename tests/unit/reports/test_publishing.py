"""Publishing to a folder: files first, manifest last, retries, no manifest after a failure."""

from __future__ import annotations

import hashlib
import json
import os
import stat

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


@pytest.fixture(params=[0o022, 0o000], ids=["umask-022", "umask-000"])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def test_local_reports_are_owner_only_whatever_the_umask(tmp_path, files, umask):
    root = tmp_path / "artifacts"
    root.mkdir(mode=0o755)
    os.chmod(root, 0o755)  # an existing, shared folder: left as it is
    folder = root / "events" / "2026-11-02" / "es-1"
    publish(files, folder.as_uri(), {"run_id": "r1"})
    assert stat.S_IMODE(root.stat().st_mode) == 0o755
    for path in (root / "events", root / "events" / "2026-11-02", folder):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    for name in ("report.xlsx", "report.pdf", "manifest.json"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name


def test_files_written_before_are_made_owner_only(tmp_path, files):
    folder = tmp_path / "out"
    folder.mkdir()
    os.chmod(folder, 0o755)
    for name in ("report.xlsx", "report.pdf", "manifest.json"):
        (folder / name).write_bytes(b"old")
        os.chmod(folder / name, 0o644)
    publish(files, folder.as_uri(), {"run_id": "r2"})
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert {stat.S_IMODE((folder / n).stat().st_mode) for n in os.listdir(folder)} == {0o600}
    assert (folder / "report.xlsx").read_bytes() == b"workbook"


def test_a_symbolic_link_in_the_folder_is_not_written_through(tmp_path, files, monkeypatch):
    folder = tmp_path / "out"
    folder.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"keep me")
    (folder / "report.pdf").symlink_to(victim)
    monkeypatch.setattr(publishing.time, "sleep", lambda s: None)
    with pytest.raises(WebstatError, match="could not publish the report"):
        publish(files, folder.as_uri(), {"run_id": "r3"})
    assert victim.read_bytes() == b"keep me"
    assert not (folder / "manifest.json").exists()
