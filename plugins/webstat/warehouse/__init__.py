"""The warehouse: where it is, how to connect, and its ``raw`` schema.

With ``WEBSTAT_WAREHOUSE_URL`` unset webstat runs its own Postgres (see
:mod:`webstat.warehouse.embedded`); with it set, that server is used and
nothing is started.

Every connection has a connect timeout (``WEBSTAT_CONNECT_TIMEOUT``) and TCP
keepalives, so a server that accepts a connection and never answers, or that
vanishes mid-query, fails the command or task instead of hanging it. Errors
about the URL or the connection are one line with the password masked and no
chained exception (a traceback in an Airflow task log would quote it).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from webstat.errors import WebstatError
from webstat.settings import DEFAULTS, check_warehouse_url, scrub

if TYPE_CHECKING:
    import psycopg

    from webstat.settings import Settings

KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 60,  # s of silence before the first probe
    "keepalives_interval": 10,
    "keepalives_count": 6,  # a peer gone mid-query is noticed after ~2 min
}
"""libpq's TCP keepalives for every warehouse connection (ignored on a Unix socket)."""


def warehouse_url(settings: Settings, *, start: bool = True) -> str:
    """The warehouse's URI; starts the embedded server when needed and ``start``."""
    if settings.warehouse_url:
        return settings.warehouse_url
    from webstat.warehouse import embedded

    if start:
        return embedded.start(settings.pgdata)
    uri = embedded.running_uri(settings.pgdata)
    if uri is None:
        raise WebstatError("the embedded warehouse is not running (run: webstat warehouse start)")
    return uri


def _env_connect_timeout() -> int:
    raw = os.environ.get("WEBSTAT_CONNECT_TIMEOUT") or DEFAULTS["WEBSTAT_CONNECT_TIMEOUT"]
    try:
        return max(1, int(raw))
    except ValueError:
        raise WebstatError(f"WEBSTAT_CONNECT_TIMEOUT={raw!r} is not a whole number") from None


def connect(
    settings: Settings | None = None, *, url: str | None = None, timeout: int | None = None
) -> psycopg.Connection:
    """An autocommit psycopg connection; callers open transactions explicitly.

    ``timeout`` (seconds to connect) defaults to ``settings.connect_timeout``, else
    ``WEBSTAT_CONNECT_TIMEOUT``; a ``connect_timeout`` written in the URL wins.
    """
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    if url is None:
        from webstat.settings import load_settings

        settings = settings or load_settings()
        url = warehouse_url(settings)
    if timeout is None:
        timeout = settings.connect_timeout if settings is not None else _env_connect_timeout()
    try:
        info = conninfo_to_dict(url)
    except psycopg.Error:
        check_warehouse_url(url)  # raises the one-line, masked error
        raise
    extra: dict[str, Any] = {} if "connect_timeout" in info else {"connect_timeout": timeout}
    extra.update({k: v for k, v in KEEPALIVES.items() if k not in info})
    try:
        return psycopg.connect(url, autocommit=True, application_name="webstat", **extra)
    except psycopg.Error as exc:
        lines = str(exc).strip().splitlines()
        first = lines[0] if lines else type(exc).__name__
        # no `from exc`: the chained libpq error would print in task logs as is
        raise WebstatError(f"cannot connect to the warehouse: {scrub(first, url)}") from None


def dbt_env(url: str) -> dict[str, str]:
    """The ``WEBSTAT_PG_*`` variables ``dbt_project/profiles.yml`` reads, from a URI."""
    from psycopg.conninfo import conninfo_to_dict

    check_warehouse_url(url)
    info = conninfo_to_dict(url)
    return {
        "WEBSTAT_PG_HOST": str(info.get("host") or "localhost"),
        "WEBSTAT_PG_PORT": str(info.get("port") or 5432),
        "WEBSTAT_PG_USER": str(info.get("user") or "postgres"),
        "WEBSTAT_PG_PASSWORD": str(info.get("password") or ""),
        "WEBSTAT_PG_DBNAME": str(info.get("dbname") or "postgres"),
    }


def check_timezone(conn: psycopg.Connection, timezone: str) -> None:
    """One line when the warehouse does not know ``WEBSTAT_TIMEZONE`` (Python's zoneinfo
    and Postgres ship different zone lists: ``right/UTC`` passes one and not the other)."""
    row = conn.execute(
        "select exists (select 1 from pg_timezone_names where name = %s)", (timezone,)
    ).fetchone()
    if not (row and row[0]):
        raise WebstatError(
            f"WEBSTAT_TIMEZONE={timezone!r} is not a time zone this warehouse knows "
            "(it is not in pg_timezone_names): use an IANA name such as Europe/Moscow or UTC"
        )


def prepare(settings: Settings) -> str:
    """Start (if embedded) and migrate the warehouse, check that it knows the reporting
    time zone; return its URI."""
    from webstat.warehouse.migrate import migrate

    url = warehouse_url(settings)
    with connect(settings, url=url) as conn:
        check_timezone(conn, settings.timezone)  # before anything is written
        migrate(conn)
    return url
