"""One way to read and write URIs: a local folder, ``file://`` or ``s3://``.

Everything goes through Airflow's :class:`ObjectStoragePath`; S3 credentials and
the endpoint (MinIO) come from the Airflow connection named by
``WEBSTAT_S3_CONN_ID`` (e.g. ``AIRFLOW_CONN_WEBSTAT_S3``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the SDK import is not free: keep it out of DAG parsing
    from airflow.sdk import ObjectStoragePath


def storage_path(uri: str, conn_id: str | None = None) -> ObjectStoragePath:
    """An :class:`ObjectStoragePath` for ``uri`` (already normalised by settings)."""
    from airflow.sdk import ObjectStoragePath

    if uri.startswith("s3://"):
        return ObjectStoragePath(uri, conn_id=conn_id)
    return ObjectStoragePath(uri)


def join(uri: str, *parts: str) -> str:
    """``uri`` with ``parts`` appended, separated by single slashes."""
    out = uri.rstrip("/")
    for part in parts:
        out += "/" + part.strip("/")
    return out
