"""Publishing rendered files to the artifacts store, with a manifest written last.

One code path for a folder, ``file://`` and ``s3://`` (Airflow's
``ObjectStoragePath``; S3 credentials from the connection in
``WEBSTAT_S3_CONN_ID``). The order is what makes a manifest trustworthy:

1. delete the folder's old ``manifest.json`` (a reader must never see an old
   manifest beside new, half-written files);
2. copy every file (the same keys each time: re-rendering overwrites);
3. write ``manifest.json`` with each file's SHA-256 and size.

Each step is retried on transient errors (network, S3 5xx / throttling); when a
step still fails, nothing more is written, so the folder has no manifest and a
reader knows the files beside it are not to be trusted.

Reports hold personal data (e-mails, IPs), so a local destination is owner-only
whatever the umask: folders this creates, and the report's own folder, are
``0700``; every file is created ``0600`` (and set so when it already existed), and
never written through a symbolic link.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from webstat.errors import WebstatError
from webstat.storage import join, storage_path

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
MANIFEST_SCHEMA = "webstat.report-manifest/1"
ATTEMPTS = 3
BACKOFF_SECONDS = 1.0
"""First pause between attempts; doubled after each failure."""

FILE_MODE = 0o600
"""Mode of every file published to a local folder (owner read/write only)."""
DIR_MODE = 0o700
"""Mode of the report's folder and of every folder publishing creates."""

T = TypeVar("T")

_RETRYABLE_S3_CODES = frozenset(
    {
        "InternalError",
        "ServiceUnavailable",
        "SlowDown",
        "RequestTimeout",
        "Throttling",
        "ThrottlingException",
        "RequestTimeTooSkewed",
        "500",
        "502",
        "503",
        "504",
    }
)


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` may go away on a retry (network trouble, S3 5xx, throttling)."""
    if isinstance(exc, PermissionError | FileExistsError | IsADirectoryError | NotADirectoryError):
        return False
    if isinstance(exc, OSError) and exc.errno == errno.ELOOP:  # a symbolic link, refused
        return False
    if isinstance(exc, OSError | TimeoutError | ConnectionError):
        return True
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover - the amazon provider brings botocore
        return False
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return code in _RETRYABLE_S3_CODES or int(status or 0) >= 500
    return isinstance(exc, BotoCoreError)


def retry(
    action: Callable[[], T],
    what: str,
    *,
    attempts: int = ATTEMPTS,
    backoff: float = BACKOFF_SECONDS,
) -> T:
    """Run ``action``; on a transient error wait and try again, ``attempts`` times in all."""
    delay = backoff
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except Exception as exc:
            if attempt == attempts or not is_transient(exc):
                raise
            log.warning(
                "%s failed (%s: %s); retry %d of %d in %.1fs",
                what,
                type(exc).__name__,
                exc,
                attempt,
                attempts - 1,
                delay,
            )
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")  # pragma: no cover


def file_digest(path: str | Path) -> tuple[str, int]:
    """SHA-256 (hex) and size in bytes of a local file."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def _version() -> str:
    from webstat import __version__

    return __version__


def build_manifest(files: Mapping[str, str | Path], extra: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest of ``files`` (name -> local path) with ``extra`` fields merged in."""
    entries = {}
    for name, local in files.items():
        sha256, size = file_digest(local)
        entries[name] = {"sha256": sha256, "size_bytes": size}
    manifest: dict[str, Any] = {
        "schema": MANIFEST_SCHEMA,
        "rendered_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "webstat_version": _version(),
    }
    manifest.update(extra)
    manifest["files"] = entries
    return manifest


def publish(
    files: Mapping[str, str | Path],
    dest_uri: str,
    manifest_extra: Mapping[str, Any],
    conn_id: str | None = None,
    *,
    attempts: int = ATTEMPTS,
    backoff: float = BACKOFF_SECONDS,
) -> dict[str, Any]:
    """Copy ``files`` (name -> local path) into ``dest_uri``, then write ``manifest.json``.

    Returns the manifest written. Raises :class:`WebstatError` (one line) when a
    step still fails after ``attempts`` tries; the destination then has no
    manifest.
    """
    for name in files:
        if not name or "/" in name or name in (".", "..", MANIFEST):
            raise ValueError(f"not a publishable file name: {name!r}")
    manifest = build_manifest(files, manifest_extra)  # checksums before anything is touched
    dest = storage_path(dest_uri, conn_id)
    try:
        if _is_local(dest):
            make_private_dirs(Path(dest.path))
        old = dest / MANIFEST
        retry(
            lambda: _remove(old),
            f"removing the old {join(dest_uri, MANIFEST)}",
            attempts=attempts,
            backoff=backoff,
        )
        for name, local in files.items():
            retry(
                functools.partial(_copy, local, dest / name),
                f"uploading {join(dest_uri, name)}",
                attempts=attempts,
                backoff=backoff,
            )
        body = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        retry(
            lambda: _write_bytes(dest / MANIFEST, body),
            f"writing {join(dest_uri, MANIFEST)}",
            attempts=attempts,
            backoff=backoff,
        )
    except WebstatError:
        raise
    except Exception as exc:
        raise WebstatError(
            f"could not publish the report to {dest_uri}: {type(exc).__name__}: {exc}"
        ) from exc
    return manifest


def _is_local(path: Any) -> bool:
    return path.protocol in ("", "file", "local")


def make_private_dirs(folder: Path) -> None:
    """Create ``folder`` and its missing parents as ``0700``; make ``folder`` itself
    ``0700`` even when it already existed (folders that existed above it are left as
    they are: they may be shared, e.g. ``/srv``)."""
    missing = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, DIR_MODE)
        except FileExistsError:  # a concurrent publisher made it
            pass
        os.chmod(path, DIR_MODE)  # the umask may have taken bits off
    os.chmod(folder, DIR_MODE)


def _open_for_writing(target: Any) -> Any:
    """``target`` opened for writing: on local storage a ``0600`` file, never through a
    symbolic link; on S3 an upload."""
    if not _is_local(target):
        return target.open("wb")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(target.path, flags, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)  # an existing file keeps its mode on open: set it
        return os.fdopen(fd, "wb")
    except BaseException:
        os.close(fd)
        raise


def _remove(path: Any) -> None:
    if path.exists():
        path.unlink()


def _copy(local: str | Path, target: Any) -> None:
    with open(local, "rb") as src, _open_for_writing(target) as dst:
        shutil.copyfileobj(src, dst, 8 << 20)


def _write_bytes(target: Any, body: bytes) -> None:
    with _open_for_writing(target) as dst:
        dst.write(body)
