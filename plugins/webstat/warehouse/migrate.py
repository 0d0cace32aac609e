"""Versioned, idempotent migrations of the ``raw`` schema.

Migrations are the numbered ``migrations/NNNN_name.sql`` files of this package,
applied in order, each in its own transaction, and recorded in
``raw.schema_migrations``. An advisory lock makes concurrent callers (two
Airflow tasks starting at once) apply them once. dbt owns every other schema.
"""

from __future__ import annotations

from importlib import resources

import psycopg

from webstat.warehouse.locks import MIGRATIONS, advisory_lock


def available() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration shipped with the package, in order."""
    folder = resources.files("webstat.warehouse") / "migrations"
    out = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            version = int(entry.name.split("_", 1)[0])
            out.append((version, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(out)


def migrate(conn: psycopg.Connection) -> list[str]:
    """Apply the migrations not applied yet; return their names."""
    applied_now = []
    with conn.transaction(), advisory_lock(conn, MIGRATIONS, transaction=True):
        conn.execute("create schema if not exists raw")
        conn.execute(
            """
            create table if not exists raw.schema_migrations (
                version    integer primary key,
                name       text not null,
                applied_at timestamptz not null default now()
            )
            """
        )
        done = {v for (v,) in conn.execute("select version from raw.schema_migrations")}
        for version, name, sql in available():
            if version in done:
                continue
            conn.execute(sql)
            conn.execute(
                "insert into raw.schema_migrations (version, name) values (%s, %s)",
                (version, name),
            )
            applied_now.append(name)
    return applied_now
