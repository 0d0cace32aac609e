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
"""

from __future__ import annotations

import hashlib
import json
import logging
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
        if dest.protocol in ("", "file", "local"):
            dest.mkdir(parents=True, exist_ok=True)
        old = dest / MANIFEST
        retry(
            lambda: _remove(old),
            f"removing the old {join(dest_uri, MANIFEST)}",
            attempts=attempts,
            backoff=backoff,
        )
        for name, local in files.items():
            target = dest / name
            retry(
                lambda t=target, src=local: _copy(src, t),
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


def _remove(path: Any) -> None:
    if path.exists():
        path.unlink()


def _copy(local: str | Path, target: Any) -> None:
    with open(local, "rb") as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst, 8 << 20)


def _write_bytes(target: Any, body: bytes) -> None:
    with target.open("wb") as dst:
        dst.write(body)
