"""One way to read and write URIs: a local folder, ``file://`` or ``s3://``.

Everything goes through Airflow's :class:`ObjectStoragePath`; S3 credentials and
the endpoint (MinIO) come from the Airflow connection named by
``WEBSTAT_S3_CONN_ID`` (e.g. ``AIRFLOW_CONN_WEBSTAT_S3``).

Every S3 call is bounded: botocore gets a connect timeout
(``WEBSTAT_CONNECT_TIMEOUT``), a read timeout (``WEBSTAT_S3_READ_TIMEOUT``, the
longest wait for the next bytes of an answer) and ``WEBSTAT_S3_MAX_ATTEMPTS``
tries in its "standard" retry mode; s3fs's own retry loop (5 tries by default,
around botocore's) is set to one try, so the tries do not multiply. A call to an
endpoint that accepts connections and never answers fails after about
``attempts × read timeout`` (+ a few seconds of back-off) instead of hanging.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the SDK import is not free: keep it out of DAG parsing
    from airflow.sdk import ObjectStoragePath
    from airflow.sdk.io.store import ObjectStore

    from webstat.settings import Settings


def s3_config(settings: Settings) -> dict[str, Any]:
    """botocore ``Config`` arguments for every S3 client webstat makes."""
    return {
        "connect_timeout": settings.connect_timeout,
        "read_timeout": settings.s3_read_timeout,
        "retries": {"max_attempts": settings.s3_max_attempts, "mode": "standard"},
    }


def _bounded_s3_store(conn_id: str | None, settings: Settings) -> None:
    """Register (or replace) Airflow's cached S3 store for ``conn_id`` with one whose
    filesystem is built with :func:`s3_config` and one s3fs try.

    ``ObjectStoragePath`` always takes its filesystem from ``attach("s3", conn_id)``,
    a per-process cache keyed by protocol and connection, and Airflow's ``ObjectStore``
    builds that filesystem without the store's ``storage_options`` (which the amazon
    provider would pass to botocore's ``Config``). So the cache entry is made here,
    before any path uses it (and again when the settings changed).
    """
    from airflow.sdk.io import store as stores

    options = s3_config(settings)
    alias = f"s3-{conn_id}" if conn_id else "s3"
    cached = stores._STORE_CACHE.get(alias)
    if isinstance(cached, _bounded_store_class()) and cached.storage_options == options:
        return
    stores._STORE_CACHE[alias] = _bounded_store_class()(
        protocol="s3", conn_id=conn_id, storage_options=options
    )


_BOUNDED_STORE: type[ObjectStore] | None = None


def _bounded_store_class() -> type[ObjectStore]:
    global _BOUNDED_STORE
    if _BOUNDED_STORE is None:
        from functools import cached_property

        from airflow.sdk.io.store import ObjectStore

        class BoundedStore(ObjectStore):
            @cached_property
            def fs(self):
                from airflow.sdk.io import get_fs

                fs = get_fs(self.protocol, self.conn_id, self.storage_options)
                # botocore retries (bounded by s3_config); s3fs's loop around them would
                # multiply the tries (and the waits) by its own 5
                fs.retries = 1
                return fs

        _BOUNDED_STORE = BoundedStore
    return _BOUNDED_STORE


def storage_path(
    uri: str, conn_id: str | None = None, settings: Settings | None = None
) -> ObjectStoragePath:
    """An :class:`ObjectStoragePath` for ``uri`` (already normalised by settings)."""
    from airflow.sdk import ObjectStoragePath

    if uri.startswith("s3://"):
        if settings is None:
            from webstat.settings import load_settings

            settings = load_settings()
        _bounded_s3_store(conn_id, settings)
        return ObjectStoragePath(uri, conn_id=conn_id)
    return ObjectStoragePath(uri)


def join(uri: str, *parts: str) -> str:
    """``uri`` with ``parts`` appended, separated by single slashes."""
    out = uri.rstrip("/")
    for part in parts:
        out += "/" + part.strip("/")
    return out
