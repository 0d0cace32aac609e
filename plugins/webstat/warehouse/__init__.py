"""The warehouse: where it is, how to connect, and its ``raw`` schema.

With ``WEBSTAT_WAREHOUSE_URL`` unset webstat runs its own Postgres (see
:mod:`webstat.warehouse.embedded`); with it set, that server is used and
nothing is started.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from webstat.errors import WebstatError

if TYPE_CHECKING:
    import psycopg

    from webstat.settings import Settings


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


def connect(settings: Settings | None = None, *, url: str | None = None) -> psycopg.Connection:
    """An autocommit psycopg connection; callers open transactions explicitly."""
    import psycopg

    if url is None:
        from webstat.settings import load_settings

        url = warehouse_url(settings or load_settings())
    try:
        return psycopg.connect(url, autocommit=True, application_name="webstat")
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise WebstatError(f"cannot connect to the warehouse: {first}") from exc


def dbt_env(url: str) -> dict[str, str]:
    """The ``WEBSTAT_PG_*`` variables ``dbt_project/profiles.yml`` reads, from a URI."""
    from psycopg.conninfo import conninfo_to_dict

    info = conninfo_to_dict(url)
    return {
        "WEBSTAT_PG_HOST": str(info.get("host") or "localhost"),
        "WEBSTAT_PG_PORT": str(info.get("port") or 5432),
        "WEBSTAT_PG_USER": str(info.get("user") or "postgres"),
        "WEBSTAT_PG_PASSWORD": str(info.get("password") or ""),
        "WEBSTAT_PG_DBNAME": str(info.get("dbname") or "postgres"),
    }


def prepare(settings: Settings) -> str:
    """Start (if embedded) and migrate the warehouse; return its URI."""
    from webstat.warehouse.migrate import migrate

    url = warehouse_url(settings)
    with connect(url=url) as conn:
        migrate(conn)
    return url
